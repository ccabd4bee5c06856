/**
 * `ledger-archive ingest FILE...` (docs/spec-store.md): verify documents from NDJSON/JSON
 * files and `rethinkdb dump` archives and store them; what does not verify goes to
 * quarantine. Exit 1 when anything was reported: quarantined, conflicted, a duplicate vote.
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, DB_OPTION, LAYOUTS, WORKERS_OPTION, choiceOption, withArchive } from '../options.js';
import { makeReporter, writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface IngestArgs extends GlobalArgs { files: string[]; archive?: string; layout?: '0.9' | '0.10' | '1.0' | '1.3'; workers?: number; db?: string }

export const ingestCommand = defineCommand<IngestArgs>({
  command: 'ingest <files..>',
  describe: 'verify and store documents from NDJSON/JSON files or rethinkdb dump archives',
  builder: (y) => y
    .positional('files', { type: 'string', array: true, describe: 'NDJSON or JSON-array files, rethinkdb dump archives (.tar.gz)' })
    .option('archive', ARCHIVE_OPTION)
    .option('layout', choiceOption('layout', LAYOUTS, 'stored layout of the source (default: inferred per block)'))
    .option('db', DB_OPTION)
    .option('workers', WORKERS_OPTION),
  examples: [
    ['$0 ingest rethinkdb_dump_2017-11-06T10-00-00.tar.gz', 'verify a dump and store it'],
    ['$0 ingest blocks.ndjson votes.ndjson --archive /srv/ledger', 'NDJSON files'],
  ],
  exits: { 0: 'stored, nothing to report', 1: 'something was reported: quarantined, conflicting, a duplicate vote, a finding', 3: 'an input file is missing, unreadable, of no known format, or holds no documents' },
  async run(args, io) {
    const { ingest } = await import('../../ops/ingest.js');
    const { openDocuments } = await import('../open-documents.js');
    const { drawsBar, estimateDocuments, withTotal } = await import('../estimate.js');
    const total = drawsBar(io, args) ? await estimateDocuments(args.files, args.db) : undefined;
    const reporter = withTotal(makeReporter(io, args), 'ingest', total);
    return withArchive(args.archive, async (archive) => {
      const s = await ingest({ archive, docs: openDocuments(args.files, { db: args.db }), layout: args.layout, reporter, signal: io.signal, workers: args.workers,
        source: { name: args.files.length === 1 ? `file:${args.files[0]}` : `files:${args.files.join(',')}` } });
      const k = s.byKind;
      const seen = (t: { new: number; duplicate: number; quarantined: number; conflicts: number }): string =>
        (t.new + t.duplicate + t.quarantined + t.conflicts).toLocaleString('en-US');
      const rows = k.asset.new + k.asset.duplicate + k.metadata.new + k.metadata.duplicate;
      writeSummary(io, args, { ...s, findings: undefined }, [
        'summary:',
        `  checked       ${seen(k.block)} blocks and ${seen(k.vote)} votes against ${archive.federation.keys.length} federation keys (${archive.federation.hash ?? 'sha3-256'})`
          + `${rows > 0 ? `; ${(k.asset.new + k.asset.duplicate).toLocaleString('en-US')} asset and ${(k.metadata.new + k.metadata.duplicate).toLocaleString('en-US')} metadata rows re-coupled` : ''}`,
        `  stored        ${s.new} new (${k.block.new} blocks, ${k.vote.new} votes), ${s.duplicate} already held`,
        `  quarantined   ${s.quarantined}`,
        `  conflicts     ${s.conflicts}`,
        ...(s.ignored > 0 ? [`  ignored       ${s.ignored} (bare transactions)`] : []),
        `  findings      ${s.findingsTotal}`,
      ]);
      // Any finding (quarantine, conflict, VOTE_DUPLICATE, a stored block's TX_ finding…) exits 1.
      return s.findingsTotal > 0 || s.quarantined > 0 || s.conflicts > 0 ? EXIT.FINDINGS : EXIT.OK;
    });
  },
});
