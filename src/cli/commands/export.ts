/**
 * `ledger-archive export --out FILE [--since PREVIOUS_EXPORT] [--encrypt KEYFILE]`
 * (docs/spec-export.md): write the archive's documents to a portable export file, or
 * only what is new since a previous export of this archive, chained to it by digest.
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, inputFileOption, integerOption, textOption, withReadOnlyArchive } from '../options.js';
import { LedgerError } from '../../errors.js';
import { exitCodeFor } from '../exit-codes.js';
import { makeReporter, writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface ExportArgs extends GlobalArgs {
  out?: string; since?: string; encrypt?: string; 'since-key'?: string; archive?: string; force?: boolean;
  to?: string[]; check?: string; full?: boolean; 'dry-run'?: boolean;
  'keep-last'?: number; 'keep-daily'?: number; 'keep-weekly'?: number; 'keep-monthly'?: number;
}

export const exportCommand = defineCommand<ExportArgs>({
  command: 'export',
  describe: 'write a portable (optionally encrypted) export of the archive, full or incremental',
  builder: (y) => y
    .option('out', { alias: 'o', ...textOption('out', 'export file to write (never overwritten unless --force)') })
    .option('to', { type: 'string', array: true, describe: 'chain folder: write the next file of its chain (ledger-<chain>-<sequence>.lae; a full export when none), read it back; repeatable' })
    .option('check', textOption('check', 'verify every chain of this folder (digests, seals, links), importing nothing'))
    .option('full', { type: 'boolean', describe: 'with --to: start a new chain (a full export)' })
    .option('keep-last', integerOption('keep-last', 0, 1e6, 'with --to: keep the newest N files (and the chains they need)'))
    .option('keep-daily', integerOption('keep-daily', 0, 1e6, 'with --to: keep the newest file of each of the newest N days'))
    .option('keep-weekly', integerOption('keep-weekly', 0, 1e6, 'with --to: … of each of the newest N weeks (ISO, Monday)'))
    .option('keep-monthly', integerOption('keep-monthly', 0, 1e6, 'with --to: … of each of the newest N months'))
    .option('dry-run', { type: 'boolean', describe: 'with --keep-*: list what retention would delete, delete nothing' })
    .option('since', inputFileOption('since', 'previous export of this archive: write only what is new since (incremental)'))
    .option('encrypt', inputFileOption('encrypt', 'key file (ledger-archive keygen): seal the export'))
    .option('since-key', inputFileOption('since-key', 'key file of the --since export (default: the --encrypt key)'))
    .option('archive', ARCHIVE_OPTION)
    .option('force', { type: 'boolean', describe: 'replace an existing --out file' }),
  examples: [
    ['$0 export --out ledger-2026-12.lae', 'a full export'],
    ['$0 export --out ledger-2027-01.lae --since ledger-2026-12.lae --encrypt backup.key', 'what is new since the last export, sealed'],
    ['$0 export --to /backup/a --to /mnt/offsite --keep-daily 7 --keep-weekly 4 --keep-monthly 12', 'nightly: the next file of each chain folder, with retention'],
    ['$0 export --check /backup/a', 'verify a chain folder without importing it'],
  ],
  exits: { 0: 'the export was written (every --to; --check: every chain verified)', 2: '--out exists (use --force); not exactly one of --out, --to, --check',
    3: 'a key or --since file is missing or unreadable; a --to folder cannot be written (the others are)', 8: 'the --since export is damaged or not of this archive; --check found a damaged or broken chain' },
  async run(args, io) {
    const { exportArchive } = await import('../../ops/export.js');
    const { loadKeyFile } = await import('../../export/keyfile.js');
    const key = args.encrypt === undefined ? undefined : loadKeyFile(args.encrypt);
    const sinceKey = args['since-key'] === undefined ? undefined : loadKeyFile(args['since-key']);
    const modes = [args.out, args.to, args.check].filter((m) => m !== undefined).length;
    if (modes !== 1) throw new LedgerError('LEDGER_USAGE', 'give exactly one of --out FILE, --to DIR (repeatable) or --check DIR');
    if (args.check !== undefined) {
      const { checkChainDir } = await import('../../ops/export-to.js');
      const chains = await checkChainDir(args.check, key);
      const bad = chains.filter((c) => !c.ok);
      writeSummary(io, args, { dir: args.check, chains, ok: bad.length === 0 }, [
        `chain folder ${args.check}: ${chains.length} chain(s), ${chains.reduce((n, c) => n + c.files.length, 0)} file(s)`,
        ...chains.map((c) => `  chain ${c.chain}: ${c.files.length} file(s) ${c.ok ? 'ok' : `BROKEN: ${c.error ?? ''}`}`),
      ]);
      return bad.length > 0 ? EXIT.EXPORT : EXIT.OK;
    }
    if (args.to !== undefined) {
      const { exportTo } = await import('../../ops/export-to.js');
      const keep = { last: args['keep-last'], daily: args['keep-daily'], weekly: args['keep-weekly'], monthly: args['keep-monthly'] };
      return withReadOnlyArchive(args.archive, async (archive) => {
        const rs = await exportTo({ archive, destinations: args.to!, key, full: args.full, keep, dryRun: args['dry-run'],
          reporter: makeReporter(io, args), signal: io.signal });
        const failed = rs.filter((r) => r.error !== null);
        writeSummary(io, args, { destinations: rs, failed: failed.map((r) => r.dir), dryRun: args['dry-run'] === true }, rs.flatMap((r) => [
          r.error === null ? `${r.dir}: wrote ${r.path} (sequence ${r.sequence}, read back, digest ${r.digest})` : `${r.dir}: FAILED: ${r.error.message}`,
          ...r.deleted.map((f) => `  ${args['dry-run'] === true ? 'would delete' : 'deleted'} ${f}`),
        ]));
        const first = failed[0]?.error ?? null;
        return first === null ? EXIT.OK : first.code === 'INTERNAL' ? EXIT.INTERNAL : exitCodeFor(first.code);
      });
    }
    const out = args.out!;
    return withReadOnlyArchive(args.archive, async (archive) => {
      const r = await exportArchive({ archive, out, since: args.since, key, sinceKey, overwrite: args.force,
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
