/**
 * `ledger-archive check [--repair-indexes]` (docs/spec-store.md): re-verify every stored
 * document from its bytes and every index entry and election against the documents.
 * Read-only; `--repair-indexes` first rebuilds derived entries from the documents.
 * Exit 1 when problems are found.
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, WORKERS_OPTION, withArchive } from '../options.js';
import { makeReporter, writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface CheckArgs extends GlobalArgs { archive?: string; 'repair-indexes'?: boolean; workers?: number }

export const checkCommand = defineCommand<CheckArgs>({
  command: 'check',
  describe: 'verify the archive at rest: documents, index entries, elections (--repair-indexes rebuilds indexes)',
  builder: (y) => y
    .option('archive', ARCHIVE_OPTION)
    .option('repair-indexes', { type: 'boolean', describe: 'rebuild index entries and elections from the documents, then check' })
    .option('workers', WORKERS_OPTION),
  examples: [
    ['$0 check', 'check the archive in ./.ledger-archive'],
    ['$0 check --repair-indexes --archive /srv/ledger', 'rebuild the derived index entries, then check'],
  ],
  exits: { 0: 'every stored document, index entry and election checks out', 1: 'problems were found (listed as findings)', 4: 'not an archive, or damaged beyond reading' },
  async run(args, io) {
    const { check } = await import('../../ops/check.js');
    const reporter = makeReporter(io, args);
    const repair = args['repair-indexes'] === true;
    return withArchive(args.archive, async (archive) => {
      let repaired: { deleted: number; written: number } | null = null;
      if (args['repair-indexes'] === true) {
        const { repairIndexes } = await import('../../ops/repair-indexes.js');
        repaired = await repairIndexes({ archive });
      }
      const r = await check({ archive, reporter, signal: io.signal, workers: args.workers });
      writeSummary(io, args, { ...r, findings: r.findings.length, repaired }, [
        ...(repaired !== null ? [`repaired: ${repaired.deleted} derived entries removed, ${repaired.written} rewritten`] : []),
        `checked ${r.documents.blocks} blocks, ${r.documents.votes} votes (+${r.documents.duplicateVotes} duplicate), ${r.indexEntries} index entries`,
        r.ok ? 'no problems found' : `${r.findings.length} problem(s) found`,
      ]);
      return r.ok ? EXIT.OK : EXIT.FINDINGS;
    }, { readOnly: !repair });
  },
});
