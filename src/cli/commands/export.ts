/**
 * `ledger-archive export --out FILE [--since PREVIOUS_EXPORT] [--encrypt KEYFILE]`
 * (docs/spec-export.md): write the archive's documents to a portable export file, or
 * only what is new since a previous export of this archive, chained to it by digest.
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, withReadOnlyArchive } from '../options.js';
import { makeReporter, writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface ExportArgs extends GlobalArgs { out: string; since?: string; encrypt?: string; 'since-key'?: string; archive?: string; force?: boolean }

export const exportCommand = defineCommand<ExportArgs>({
  command: 'export',
  describe: 'write a portable (optionally encrypted) export of the archive, full or incremental',
  builder: (y) => y
    .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'export file to write (never overwritten unless --force)' })
    .option('since', { type: 'string', describe: 'previous export of this archive: write only what is new since (incremental)' })
    .option('encrypt', { type: 'string', describe: 'key file (ledger-archive keygen): seal the export' })
    .option('since-key', { type: 'string', describe: 'key file of the --since export (default: the --encrypt key)' })
    .option('archive', ARCHIVE_OPTION)
    .option('force', { type: 'boolean', describe: 'replace an existing --out file' }),
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
