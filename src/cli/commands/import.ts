/**
 * `ledger-archive import FILE... [--key KEYFILE]` (docs/spec-export.md §4): check every
 * export file completely and their chain, then ingest them in chain order; a damaged
 * file or a broken chain stops the import before anything is written.
 * Exit 1 when a document was quarantined or conflicted. Into a folder that is not an
 * archive yet, the archive is created first, pinned to the federation named in the
 * export's header (and removed again if the import is refused before anything is written).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, WORKERS_OPTION, inputFileOption, withArchive } from '../options.js';
import { makeReporter, writeSummary, type CliIo, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { isLedgerError } from '../../errors.js';

interface ImportArgs extends GlobalArgs { files: string[]; key?: string; archive?: string; full?: boolean; unlinked?: boolean; workers?: number }

export const importCommand = defineCommand<ImportArgs>({
  command: 'import <files..>',
  describe: 'verify export files and their chain, then ingest them into the archive',
  builder: (y) => y
    .positional('files', { type: 'string', array: true, describe: 'export files, in any order' })
    .option('key', inputFileOption('key', 'key file for encrypted exports'))
    .option('archive', ARCHIVE_OPTION)
    .option('full', { type: 'boolean', describe: 'require the chain to start with a full export' })
    .option('unlinked', { type: 'boolean', describe: 'accept a chain that starts after an export this archive never imported' })
    .option('workers', WORKERS_OPTION),
  examples: [
    ['$0 import ledger-2026-12.lae --archive ./copy', 'into a new folder: the archive is created, pinned to the export\'s federation'],
    ['$0 import a.lae b.lae c.lae --key backup.key', 'a chain of sealed exports, in any order'],
  ],
  exits: { 0: 'imported, nothing to report', 1: 'a document was quarantined or conflicted', 4: 'the archive has another federation', 8: 'an export is damaged, out of chain, or the key is wrong' },
  async run(args, io) {
    const { loadKeyFile } = await import('../../export/keyfile.js');
    const key = args.key === undefined ? undefined : loadKeyFile(args.key);
    const created = await createFromHeader(args, key, io);
    try {
      return await importInto(args, key, io, created);
    } catch (err) {
      if (created !== null && isLedgerError(err) && REFUSED_BEFORE_WRITING.has(err.code)) created.undo();
      throw err;
    }
  },
});

/** Errors that import raises before it writes anything (docs/spec-export.md §4). */
const REFUSED_BEFORE_WRITING = new Set(['LEDGER_EXPORT_CORRUPT', 'LEDGER_EXPORT_KEY', 'LEDGER_ARCHIVE_FEDERATION', 'LEDGER_INPUT', 'LEDGER_USAGE']);

interface Created { dir: string; federationHash: string; from: string; undo: () => void }

/**
 * When `--archive` holds no archive yet: create it, pinned to the federation in the header
 * of the first export file (issue 11 §8), and say so.
 */
async function createFromHeader(args: ImportArgs, key: Uint8Array | undefined, io: CliIo): Promise<Created | null> {
  const { initArchive, resolveArchiveDir } = await import('../../store/archive.js');
  const { readExport } = await import('../../export/read.js');
  const { federationFromJson } = await import('../../model/federation.js');
  const dir = resolveArchiveDir(args.archive, process.env);
  if (existsSync(join(dir, 'archive.json'))) return null;
  const existed = existsSync(dir);
  const before = existed ? new Set(readdirSync(dir)) : new Set<string>();
  const from = args.files[0]!;
  const x = await readExport(from, { key });
  const federation = federationFromJson(x.header.federation, `${from}: header.federation`);
  await x.close();
  const r = await initArchive({ dir, federation });
  const undo = (): void => {
    if (!existed) { rmSync(dir, { recursive: true, force: true }); return; }
    for (const n of readdirSync(dir)) if (!before.has(n)) rmSync(join(dir, n), { recursive: true, force: true });
  };
  makeReporter(io, args).info(`created archive ${dir}, pinned to the federation in the header of ${from} `
    + `(${r.info.federationHash.slice(0, 16)}…, ${r.info.federation.keys.length} keys)`);
  return { dir, federationHash: r.info.federationHash, from, undo };
}

async function importInto(args: ImportArgs, key: Uint8Array | undefined, io: CliIo, created: Created | null): Promise<number> {
    const { importFiles } = await import('../../ops/import.js');
    return withArchive(args.archive, async (archive) => {
      const r = await importFiles({ archive, files: args.files, key, after: args.full === true ? null : undefined, unlinked: args.unlinked,
        reporter: makeReporter(io, args), signal: io.signal, workers: args.workers });
      let bad = 0;
      const lines = r.files.map((f) => {
        const s = f.ingest;
        bad += s.quarantined + s.conflicts;
        return `  ${f.path} (sequence ${f.sequence}): ${s.new} new, ${s.duplicate} already held, ${s.quarantined} quarantined, ${s.conflicts} conflicts`;
      });
      writeSummary(io, args, {
        files: r.files.map((f) => ({ ...f, ingest: { ...f.ingest, findings: undefined } })),
        created: created === null ? null : { dir: created.dir, federationHash: created.federationHash, from: created.from },
      }, [
        ...(created === null ? [] : [`created ${created.dir}, pinned to federation ${created.federationHash.slice(0, 16)}… from the header of ${created.from}`]),
        'imported:', ...lines,
      ]);
      return bad > 0 ? EXIT.FINDINGS : EXIT.OK;
    });
}
