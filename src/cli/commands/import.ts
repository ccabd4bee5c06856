/**
 * `ledger-archive import FILE... [--key KEYFILE]` (docs/spec-export.md §4): check every
 * export file completely and their chain, then ingest them in chain order; a damaged
 * file or a broken chain stops the import before anything is written.
 * Exit 1 when a document was quarantined or conflicted.
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, WORKERS_OPTION, withArchive } from '../options.js';
import { makeReporter, writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface ImportArgs extends GlobalArgs { files: string[]; key?: string; archive?: string; full?: boolean; unlinked?: boolean; workers?: number }

export const importCommand = defineCommand<ImportArgs>({
  command: 'import <files..>',
  describe: 'verify export files and their chain, then ingest them into the archive',
  builder: (y) => y
    .positional('files', { type: 'string', array: true, describe: 'export files, in any order' })
    .option('key', { type: 'string', describe: 'key file for encrypted exports' })
    .option('archive', ARCHIVE_OPTION)
    .option('full', { type: 'boolean', describe: 'require the chain to start with a full export' })
    .option('unlinked', { type: 'boolean', describe: 'accept a chain that starts after an export this archive never imported' })
    .option('workers', WORKERS_OPTION),
  async run(args, io) {
    const { importFiles } = await import('../../ops/import.js');
    const { loadKeyFile } = await import('../../export/keyfile.js');
    const key = args.key === undefined ? undefined : loadKeyFile(args.key);
    return withArchive(args.archive, async (archive) => {
      const r = await importFiles({ archive, files: args.files, key, after: args.full === true ? null : undefined, unlinked: args.unlinked,
        reporter: makeReporter(io, args), signal: io.signal, workers: args.workers });
      let bad = 0;
      const lines = r.files.map((f) => {
        const s = f.ingest;
        bad += s.quarantined + s.conflicts;
        return `  ${f.path} (sequence ${f.sequence}): ${s.new} new, ${s.duplicate} already held, ${s.quarantined} quarantined, ${s.conflicts} conflicts`;
      });
      writeSummary(io, args, { files: r.files.map((f) => ({ ...f, ingest: { ...f.ingest, findings: undefined } })) }, ['imported:', ...lines]);
      return bad > 0 ? EXIT.FINDINGS : EXIT.OK;
    });
  },
});
