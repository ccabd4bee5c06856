/**
 * `ledger-archive check [--repair | --repair-indexes]` (docs/spec-store.md): re-verify every
 * stored document from its bytes, every index entry, election, sequence entry and the
 * completeness record. Read-only (the archive folder is left as it was). `--repair-indexes`
 * first rebuilds derived entries from the documents; `--repair` also moves what no longer
 * verifies to quarantine and restarts a damaged completeness record, printing each action.
 * Exit 1 when problems are found (after a repair: problems that remain).
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, WORKERS_OPTION, withArchive } from '../options.js';
import { makeReporter, writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface CheckArgs extends GlobalArgs { archive?: string; 'repair-indexes'?: boolean; repair?: boolean; workers?: number }

export const checkCommand = defineCommand<CheckArgs>({
  command: 'check',
  describe: 'verify the archive at rest: documents, index entries, elections, sequence and completeness record (--repair mends)',
  builder: (y) => y
    .option('archive', ARCHIVE_OPTION)
    .option('repair-indexes', { type: 'boolean', describe: 'rebuild index entries and elections from the documents, then check' })
    .option('repair', { type: 'boolean', describe: 'move documents that no longer verify to quarantine, rebuild indexes, restart a damaged completeness record; print each action, then check' })
    .option('workers', { ...WORKERS_OPTION, describe: 'verification threads, 0 to 64 (check: default one per core, at most 8, SPEC.md §21.1; 0 = inline)' }),
  examples: [
    ['$0 check', 'check the archive in ./.ledger-archive'],
    ['$0 check --repair-indexes --archive /srv/ledger', 'rebuild the derived index entries, then check'],
  ],
  exits: { 0: 'every stored document, index entry and election checks out', 1: 'problems were found (listed as findings)', 4: 'not an archive, or damaged beyond reading' },
  async run(args, io) {
    const { check } = await import('../../ops/check.js');
    const reporter = makeReporter(io, args);
    const repair = args.repair === true;
    const writes = repair || args['repair-indexes'] === true;
    return withArchive(args.archive, async (archive) => {
      let repaired: { deleted: number; written: number } | null = null;
      let actions: string[] = [];
      if (repair) {
        const { repairArchive } = await import('../../ops/repair.js');
        const r = await repairArchive({ archive, signal: io.signal, workers: args.workers });
        repaired = r.indexes;
        actions = r.actions;
      } else if (args['repair-indexes'] === true) {
        const { repairIndexes } = await import('../../ops/repair-indexes.js');
        repaired = await repairIndexes({ archive });
      }
      const { countBlocks, drawsBar, withTotal } = await import('../estimate.js');
      const total = drawsBar(io, args) ? await countBlocks(archive) : undefined;
      const r = await check({ archive, reporter: withTotal(reporter, 'check: blocks', total), signal: io.signal, workers: args.workers });
      writeSummary(io, args, { ...r, findings: r.findings.length, repaired, actions }, [
        ...actions.map((a) => `repair: ${a}`),
        ...(repaired !== null && !repair ? [`repaired: ${repaired.deleted} derived entries removed, ${repaired.written} rewritten`] : []),
        `checked ${r.documents.blocks} blocks, ${r.documents.votes} votes (+${r.documents.duplicateVotes} duplicate), ${r.indexEntries} index entries, ${r.records.sequenceEntries} sequence entries, ${r.records.commits} commits`,
        r.ok ? 'no problems found' : `${r.findings.length} problem(s) found`,
      ]);
      return r.ok ? EXIT.OK : EXIT.FINDINGS;
    }, { readOnly: !writes, acceptIncomplete: repair });
  },
});
