/**
 * `ledger-archive status [--strict] [--stale-after SECONDS]` (docs/spec-store.md): counts,
 * federation, sources (with follow mode and lag), the last export and check (SPEC.md §15.6.1)
 * and warnings. `--strict` makes warnings exit 1 (the backup warnings too with `--backups` or
 * `--export-max-age`), for cron, systemd timers and monitoring.
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, durationOption, withReadOnlyArchive } from '../options.js';
import { writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { FollowStatus } from '../../ops/status.js';

/** The follow part of a source line: mode, since, last change and lag. */
function followText(f: FollowStatus | null): string {
  if (f === null) return '';
  const lag = f.lagSeconds === null ? 'lag unknown' : `lag ${f.lagSeconds} s`;
  const last = f.lastEventAt === null ? 'no change yet' : `last change ${f.lastEventAt}`;
  return f.active ? `; following since ${f.since ?? '?'}, ${last}, ${lag}${f.running === false ? ', NOT RUNNING' : ''}` : `; follow stopped (was following since ${f.since ?? '?'}, ${last})`;
}

/** A block timestamp (unix seconds, as BigchainDB writes it) with its ISO date, as `gaps` shows it. */
const when = (ts: string | null): string => (ts === null ? 'unknown' : `${ts} (${new Date(Number(ts) * 1000).toISOString()})`);

interface StatusArgs extends GlobalArgs { archive?: string; strict?: boolean; 'stale-after'?: number; 'export-max-age'?: number; backups?: boolean; gaps?: boolean }

export const statusCommand = defineCommand<StatusArgs>({
  command: 'status',
  describe: 'what the archive holds, its sources and their age, and warnings (--strict: warnings exit 1)',
  builder: (y) => y
    .option('archive', ARCHIVE_OPTION)
    .option('strict', { type: 'boolean', describe: 'exit 1 when there is any warning' })
    .option('stale-after', durationOption('stale-after', 'a source not pulled for this long is stale: seconds, or 15m, 6h, 2d (default 1d)', 1))
    .option('backups', { type: 'boolean', describe: 'with --strict, the backup warnings count too (never exported or checked, export old, check failed)' })
    .option('export-max-age', durationOption('export-max-age', 'EXPORT_OLD when the last export is older than this (default 8d); implies --backups', 1))
    .option('gaps', { type: 'boolean', default: true, describe: 'run gap detection (--no-gaps to skip)' }),
  examples: [
    ['$0 status', 'what ./.ledger-archive holds'],
    ['$0 status --strict --stale-after 6h', 'for cron: exit 1 on any warning, a source older than 6 hours is stale'],
    ['$0 status --strict --stale-after 10m --export-max-age 26h', 'health check of a follower with a nightly export (and checks)'],
  ],
  exits: { 0: 'no warning, or warnings without --strict', 1: 'with --strict: at least one warning (stale source, quarantine not empty, gaps, follower not running; with --backups: never exported/checked, export old…)',
    4: 'the archive is missing or damaged', 5: 'a writer holds the archive and no consistent copy could be taken (retry)' },
  async run(args, io) {
    const { status } = await import('../../ops/status.js');
    return withReadOnlyArchive(args.archive, async (archive) => {
      const s = await status({ archive, staleAfterSeconds: args['stale-after'], exportMaxAgeSeconds: args['export-max-age'], gaps: args.gaps, signal: io.signal });
      const b = s.backup;
      writeSummary(io, args, { ...s }, [
        `archive ${s.archive.dir} (format ${s.archive.formatVersion}, created ${s.archive.createdAt}; complete through commit ${s.archive.commits}, document ${s.archive.sequence})`,
        `federation ${s.federation.federationHash.slice(0, 16)}… ${s.federation.hash}: ${s.federation.keys.map((k) => k.name).join(', ')}`,
        `blocks ${s.counts.blocks}: ${s.statuses.valid} valid, ${s.statuses.invalid} invalid, ${s.statuses.undecided} undecided${s.statuses.unelected > 0 ? `, ${s.statuses.unelected} not elected` : ''}`,
        `votes ${s.counts.votes}${s.counts.duplicateVotes > 0 ? ` (+${s.counts.duplicateVotes} duplicate)` : ''}, transactions ${s.counts.transactions}, quarantined ${s.counts.quarantined}`,
        ...(s.gaps !== null ? [`gaps ${s.gaps.findings}, complete through ${when(s.gaps.completeThroughTimestamp)}`
          + `${s.gaps.pending > 0 ? `, ${s.gaps.pending} newest block(s) pending (not voted on yet)` : ''}`] : []),
        ...s.sources.map((x) => `source ${x.name}: last pull ${x.lastPullAt} (${x.ageSeconds} s ago)${x.stale ? ' STALE' : ''}${followText(x.follow)}`),
        b.lastExport === null ? 'last export never' : `last export ${b.lastExport.path} at ${b.lastExport.at} (${b.lastExport.ageSeconds} s ago; `
          + `${b.lastExport.incremental ? 'incremental' : 'full'}, chain of ${b.lastExport.chainLength} file(s))`,
        b.lastCheck === null ? 'last check never' : `last check ${b.lastCheck.at} (${b.lastCheck.ageSeconds} s ago): ${b.lastCheck.ok ? 'ok' : `${b.lastCheck.findings} finding(s)`}`,
        ...(b.writerRunning ? ['writer running (this status read a consistent live copy)'] : []),
        ...s.warnings.map((w) => `warning ${w.code}: ${w.message}`),
        ...b.warnings.map((w) => `backup warning ${w.code}: ${w.message}`),
      ]);
      const backups = args.backups === true || args['export-max-age'] !== undefined;
      return args.strict === true && s.warnings.length + (backups ? b.warnings.length : 0) > 0 ? EXIT.FINDINGS : EXIT.OK;
    });
  },
});
