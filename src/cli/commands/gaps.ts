/**
 * `ledger-archive gaps` (docs/spec-store.md): walk every voter's previous_block chain and
 * report missing blocks and votes, forks, unreachable blocks and the complete-through
 * points. Exit 1 when gaps exist. Informational, not counted: blocks outside a selective
 * archive, duplicate votes (ingest reported them) and pending blocks (newer than every vote).
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, withReadOnlyArchive } from '../options.js';
import { makeReporter, writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface GapsArgs extends GlobalArgs { archive?: string }

const when = (ts: string | null): string => (ts === null ? 'unknown' : `${ts} (${new Date(Number(ts) * 1000).toISOString()})`);

export const gapsCommand = defineCommand<GapsArgs>({
  command: 'gaps',
  describe: 'report missing blocks and votes, forks and the complete-through point of every voter chain',
  builder: (y) => y.option('archive', ARCHIVE_OPTION),
  examples: [
    ['$0 gaps', 'walk every voter\'s chain in ./.ledger-archive'],
    ['$0 gaps --json | jq \'select(.type=="finding")\'', 'the gaps as NDJSON findings'],
  ],
  exits: { 0: 'every vote chain is complete (pending and outside-selection blocks are not gaps)', 1: 'gaps: missing blocks or votes, forks, unreachable blocks' },
  async run(args, io) {
    const { findGaps } = await import('../../ops/gaps.js');
    const { voterName } = await import('../../model/federation.js');
    const reporter = makeReporter(io, args);
    return withReadOnlyArchive(args.archive, async (archive) => {
      const { countBlocks, drawsBar, withTotal } = await import('../estimate.js');
      const total = drawsBar(io, args) ? await countBlocks(archive) : undefined;
      const r = await findGaps({ archive, reporter: withTotal(reporter, 'gaps: blocks', total), signal: io.signal });
      const real = r.findings.filter((f) => f.code !== 'GAP_OUTSIDE_SELECTION').length;
      writeSummary(io, args, { ...r, findings: r.findings.length }, [
        'gaps:',
        `  missing blocks     ${r.missingBlocks.length}`,
        `  missing votes      ${r.missingVotes.length}`,
        `  forks              ${r.forks.length}`,
        `  duplicate votes    ${r.duplicates.length}${r.duplicates.length > 0 ? ' (reported as VOTE_DUPLICATE by ingest; not a gap)' : ''}`,
        `  unreachable blocks ${r.unreachable.length}`,
        ...(r.pending.length > 0 ? [`  pending blocks     ${r.pending.length} (newer than every vote: not voted on yet; not a gap)`] : []),
        ...(r.outsideSelection.length > 0 ? [`  outside selection  ${r.outsideSelection.length} (informational)`] : []),
        'complete through:',
        ...r.voters.map((v) => `  ${voterName(archive.federation, v.voter).padEnd(18)} ${v.depth} blocks, through ${v.completeThrough ?? 'nothing'} at ${when(v.completeThroughTimestamp)}`),
        `  archive            ${when(r.completeThroughTimestamp)}`,
      ]);
      return real > 0 ? EXIT.FINDINGS : EXIT.OK;
    });
  },
});
