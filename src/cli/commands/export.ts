/**
 * `ledger-archive export --out FILE [--since PREVIOUS_EXPORT] [--encrypt KEYFILE]`
 * (docs/spec-export.md): write the archive's documents to a portable export file, or
 * only what is new since a previous export of this archive, chained to it by digest.
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, inputFileOption, textOption, withReadOnlyArchive } from '../options.js';
import { makeReporter, writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface ExportArgs extends GlobalArgs { out: string; since?: string; encrypt?: string; 'since-key'?: string; archive?: string; force?: boolean }

export const exportCommand = defineCommand<ExportArgs>({
  command: 'export',
  describe: 'write a portable (optionally encrypted) export of the archive, full or incremental',
  builder: (y) => y
    .option('out', { alias: 'o', ...textOption('out', 'export file to write (never overwritten unless --force)'), demandOption: true })
    .option('since', inputFileOption('since', 'previous export of this archive: write only what is new since (incremental)'))
    .option('encrypt', inputFileOption('encrypt', 'key file (ledger-archive keygen): seal the export'))
    .option('since-key', inputFileOption('since-key', 'key file of the --since export (default: the --encrypt key)'))
    .option('archive', ARCHIVE_OPTION)
    .option('force', { type: 'boolean', describe: 'replace an existing --out file' }),
  examples: [
    ['$0 export --out ledger-2026-12.lae', 'a full export'],
    ['$0 export --out ledger-2027-01.lae --since ledger-2026-12.lae --encrypt backup.key', 'what is new since the last export, sealed'],
  ],
  exits: { 0: 'the export was written', 2: '--out exists (use --force)', 3: 'a key or --since file is missing or unreadable', 8: 'the --since export is damaged or not of this archive' },
  async run(args, io) {
    const { exportArchive } = await import('../../ops/export.js');
    const { loadKeyFile } = await import('../../export/keyfile.js');
    const key = args.encrypt === undefined ? undefined : loadKeyFile(args.encrypt);
    const sinceKey = args['since-key'] === undefined ? undefined : loadKeyFile(args['since-key']);
    return withReadOnlyArchive(args.archive, async (archive) => {
      const r = await exportArchive({ archive, out: args.out, since: args.since, key, sinceKey, overwrite: args.force,
        reporter: makeReporter(io, args), signal: io.signal });
      const c = r.counts;
      writeSummary(io, args, { path: r.path, digest: r.digest, sequence: r.header.sequence, previous: r.header.previous,
        counts: c, contentBytes: r.contentBytes, bytes: r.bytes, sealed: key !== undefined, corrupt: r.corrupt.length }, [
        `${r.incremental ? 'incremental' : 'full'} export ${r.path} (sequence ${r.header.sequence}${key === undefined ? '' : ', sealed'})`,
        `  records       ${c.block} blocks, ${c.vote} votes, ${c.asset} asset rows, ${c.metadata} metadata rows`,
        `  size          ${r.bytes} bytes (${r.contentBytes} uncompressed)`,
        `  digest        ${r.digest}`,
        ...(r.header.previous === null ? [] : [`  follows       ${r.header.previous}`]),
        ...(r.corrupt.length > 0 ? [`  INCOMPLETE    ${r.corrupt.length} stored document(s) no longer verify and were left out (run "ledger-archive check")`] : []),
      ]);
      return r.corrupt.length > 0 ? EXIT.FINDINGS : EXIT.OK;
    });
  },
});
