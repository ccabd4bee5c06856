/**
 * `ledger-archive merge ARCHIVE...` (docs/spec-rebuild.md §7): bring the verified
 * documents of other archives (other clients' copies) into this one, each verified again
 * against this archive's federation; report what each source contributed and the gaps
 * that remain. Exit 0 when the merged archive has no gaps, 1 when gaps or refused
 * documents remain, 4 for a foreign or damaged source, 5 for a locked one.
 */
import { defineCommand } from '../command.js';
import { WORKERS_OPTION, textOption, withArchive } from '../options.js';
import { makeReporter, writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface MergeArgs extends GlobalArgs {
  sources: string[];
  archive?: string;
  workers?: number;
}

export const mergeCommand = defineCommand<MergeArgs>({
  command: 'merge <sources..>',
  describe: 'merge other archives (same federation) into this one, verifying every document again',
  builder: (y) => y
    .positional('sources', { type: 'string', array: true, describe: 'archive folders to merge from (read only)' })
    .option('archive', textOption('archive', 'archive folder to merge into (default $LEDGER_ARCHIVE_DIR or ./.ledger-archive)'))
    .option('workers', WORKERS_OPTION),
  examples: [
    ['$0 merge /mnt/copy-a /mnt/copy-b', 'bring two other copies into ./.ledger-archive'],
    ['$0 merge ../peer --archive /srv/ledger --json', 'one copy, NDJSON output'],
  ],
  exits: { 0: 'merged, and no gaps remain', 1: 'gaps remain, or documents were refused (quarantined or conflicting)', 4: 'a source is not an archive, is damaged or has another federation', 5: 'a source or the archive is locked' },
  async run(args, io) {
    const { merge } = await import('../../ops/merge.js');
    const reporter = makeReporter(io, args, { records: false });
    return withArchive(args.archive, async (archive) => {
      const r = await merge({ archive, sources: args.sources, reporter, signal: io.signal, workers: args.workers });
      const g = r.gaps;
      const t = (k: { new: number; duplicate: number; quarantined: number; conflicts: number }): string =>
        `${k.new} new, ${k.duplicate} already held${k.quarantined > 0 ? `, ${k.quarantined} refused` : ''}${k.conflicts > 0 ? `, ${k.conflicts} conflicts` : ''}`;
      writeSummary(io, args, { ...r }, [
        `merged ${r.contributions.length} archive(s) into ${archive.dir ?? '(memory)'}`,
        ...r.contributions.flatMap((c) => [`  ${c.source}`, `    blocks   ${t(c.blocks)}`, `    votes    ${t(c.votes)}`]),
        g.findings === 0 ? '  gaps       none: every vote chain is complete'
          : `  gaps       ${g.missingBlocks.length} missing blocks, ${g.missingVotes.length} missing votes, ${g.forks.length} forks, ${g.unreachable.length} unreachable blocks`,
        ...g.missingBlocks.slice(0, 10).map((m) => `    missing block ${m.block} (named by ${m.namedBy.length} voter(s))`),
        ...(g.completeThroughTimestamp !== null ? [`  complete through block timestamp ${g.completeThroughTimestamp} in every chain`] : []),
      ]);
      const refused = r.contributions.some((c) => c.blocks.quarantined + c.votes.quarantined + c.blocks.conflicts > 0);
      return g.missingBlocks.length + g.missingVotes.length + g.forks.length > 0 || refused ? EXIT.FINDINGS : EXIT.OK;
    });
  },
});
