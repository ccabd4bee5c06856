/**
 * `ledger-archive verify FILE... --federation FILE` (SPEC.md §13.1): check documents
 * without storing them; print each block's election status, the findings and a summary.
 */
import { defineCommand } from '../command.js';
import { WORKERS_OPTION } from '../options.js';
import { makeReporter, writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface VerifyArgs extends GlobalArgs {
  files: string[];
  federation: string;
  hash?: 'sha3-256' | 'keccak-256';
  workers?: number;
  'summary-only'?: boolean;
}

export const verifyCommand = defineCommand<VerifyArgs>({
  command: 'verify <files..>',
  describe: 'verify blocks, votes and transactions in NDJSON/JSON files or dumps against a federation',
  builder: (y) => y
    .positional('files', { type: 'string', array: true, describe: 'NDJSON or JSON-array files, rethinkdb dump archives (.tar.gz)' })
    .option('federation', { alias: 'f', type: 'string', demandOption: true, describe: 'federation file or BigchainDB node config' })
    .option('hash', { choices: ['sha3-256', 'keccak-256'] as const, describe: 'override the federation\'s hash function' })
    .option('workers', WORKERS_OPTION)
    .option('summary-only', { type: 'boolean', describe: 'do not list each block\'s status' }),
  async run(args, io) {
    const { loadFederation } = await import('../../model/federation.js');
    const { verifyDocuments } = await import('../../ops/verify.js');
    const { openDocuments } = await import('../open-documents.js');
    const federation = loadFederation(args.federation, { hash: args.hash });
    const reporter = makeReporter(io, args, { records: args['summary-only'] !== true });
    const report = await verifyDocuments({
      docs: openDocuments(args.files), federation, reporter, workers: args.workers, signal: io.signal,
    });
    const c = report.counts;
    const line = (name: string, k: { checked: number; verified: number; withFindings: number }): string =>
      `  ${name.padEnd(13)} ${k.checked} checked, ${k.verified} verified, ${k.withFindings} with findings`;
    writeSummary(io, args, { ...report }, [
      'summary:',
      line('blocks', c.block), line('votes', c.vote), line('transactions', c.tx),
      ...(c.asset.checked + c.metadata.checked > 0 ? [line('asset rows', c.asset), line('metadata rows', c.metadata)] : []),
      ...(c.invalid.checked > 0 ? [`  unreadable    ${c.invalid.checked} documents`] : []),
      `  elections     ${report.statuses.valid} valid, ${report.statuses.invalid} invalid, ${report.statuses.undecided} undecided`,
      ...(report.votesWithoutBlock > 0 ? [`  note: ${report.votesWithoutBlock} votes name blocks that are not in the input`] : []),
      `  findings      ${report.findings}`,
    ]);
    return report.findings > 0 || report.blocksNeedingRows > 0 ? EXIT.FINDINGS : EXIT.OK;
  },
});
