/**
 * `ledger-archive verify FILE... --federation FILE` (SPEC.md §13.1): check documents
 * without storing them; print each block's election status, the findings and a summary.
 */
import { defineCommand } from '../command.js';
import { DB_OPTION, FEDERATION_OPTION, HASH_OPTION, WORKERS_OPTION } from '../options.js';
import { makeReporter, writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface VerifyArgs extends GlobalArgs {
  files: string[];
  federation: string;
  hash?: 'sha3-256' | 'keccak-256';
  workers?: number;
  'summary-only'?: boolean;
  db?: string;
}

export const verifyCommand = defineCommand<VerifyArgs>({
  command: 'verify <files..>',
  describe: 'verify blocks, votes and transactions in NDJSON/JSON files or dumps against a federation',
  builder: (y) => y
    .positional('files', { type: 'string', array: true, describe: 'NDJSON or JSON-array files, rethinkdb dump archives (.tar.gz)' })
    .option('federation', FEDERATION_OPTION)
    .option('hash', HASH_OPTION)
    .option('workers', WORKERS_OPTION)
    .option('summary-only', { type: 'boolean', describe: 'do not list each block\'s status (nor its `block` events with --json)' })
    .option('db', DB_OPTION),
  examples: [
    ['$0 verify ledger.ndjson --federation federation.json', 'each block\'s status, the findings and a summary'],
    ['$0 verify rethinkdb_dump.tar.gz -f federation.json --json --summary-only', 'findings and the summary as NDJSON'],
  ],
  exits: { 0: 'everything verified', 1: 'findings: a document does not verify, or rows are missing for a block', 3: 'an input or federation file is missing, unreadable or empty' },
  async run(args, io) {
    const { loadFederation } = await import('../../model/federation.js');
    const { verifyDocuments } = await import('../../ops/verify.js');
    const { openDocuments } = await import('../open-documents.js');
    const federation = loadFederation(args.federation, { hash: args.hash });
    const { drawsBar, estimateDocuments, withTotal } = await import('../estimate.js');
    const total = drawsBar(io, args) ? await estimateDocuments(args.files, args.db) : undefined;
    const reporter = withTotal(makeReporter(io, args, { records: args['summary-only'] !== true }), 'verify', total);
    // --summary-only means no per-block records in NDJSON either (issue 11 §4).
    if (args['summary-only'] === true) reporter.record = () => {};
    const report = await verifyDocuments({
      docs: openDocuments(args.files, { db: args.db }), federation, reporter, workers: args.workers, signal: io.signal,
    });
    const c = report.counts;
    const line = (name: string, k: { checked: number; verified: number; withFindings: number }): string =>
      `  ${name.padEnd(13)} ${k.checked} checked, ${k.verified} verified, ${k.withFindings} with findings`;
    writeSummary(io, args, { ...report }, [
      'summary:',
      line('blocks', c.block), line('votes', c.vote),
      `  transactions  ${report.transactionsInBlocks} inside the blocks, each checked with its block${c.tx.checked > 0 ? `; ${c.tx.checked} bare documents: ${c.tx.verified} verified, ${c.tx.withFindings} with findings` : ''}`,
      ...(c.asset.checked + c.metadata.checked > 0 ? [line('asset rows', c.asset), line('metadata rows', c.metadata)] : []),
      ...(c.invalid.checked > 0 ? [`  unreadable    ${c.invalid.checked} documents`] : []),
      `  elections     ${report.statuses.valid} valid, ${report.statuses.invalid} invalid, ${report.statuses.undecided} undecided`,
      ...(report.votesWithoutBlock > 0 ? [`  note: ${report.votesWithoutBlock} votes name blocks that are not in the input`] : []),
      `  findings      ${report.findings}`,
      '  not checked   gaps (missing blocks or votes, forked vote chains) are found by walking the vote chains:',
      '                ingest into an archive, then run `ledger-archive gaps`',
    ]);
    return report.findings > 0 || report.blocksNeedingRows > 0 ? EXIT.FINDINGS : EXIT.OK;
  },
});
