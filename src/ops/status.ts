/**
 * The `status` operation (SPEC.md §12.6): what the archive holds (counts by kind
 * and election status), its federation, each source's last successful pull and its
 * age (and, for `pull --follow`, the mode and the lag from its sync record), and
 * warnings a monitor can alert on (never pulled, stale, quarantine not empty, gaps
 * present). Everything streams from LevelDB.
 */
import type { BlockStatus } from '../model/types.js';
import { voterName } from '../model/federation.js';
import type { Archive } from '../store/archive.js';
import { commitState } from '../store/commit.js';
import { countKeys, type StoredElection } from '../store/read.js';
import { range } from '../store/schema.js';
import { readSyncRecords } from '../store/sync.js';
import { readActivity, type CheckActivity, type ExportActivity } from '../store/activity.js';
import { findGaps } from './gaps.js';

/** A warning code of {@link status}. */
export type StatusWarningCode = 'NEVER_PULLED' | 'STALE' | 'QUARANTINE_NOT_EMPTY' | 'GAPS_PRESENT' | 'PENDING_BLOCKS' | 'FOLLOWER_NOT_RUNNING';
/** A warning code of the backup routine (SPEC.md §15.6.1). */
export type BackupWarningCode = 'NEVER_EXPORTED' | 'EXPORT_OLD' | 'EXPORT_INCOMPLETE' | 'NEVER_CHECKED' | 'CHECK_FAILED' | 'ACTIVITY_DAMAGED';

/** The status of an archive. */
export interface StatusReport {
  /** `commits`/`sequence`: the completeness record it was proven complete against on open (SPEC.md §15.10). */
  archive: { dir: string | null; createdAt: string; formatVersion: number; commits: number; sequence: number };
  federation: { hash: string; keys: { key: string; name: string }[]; federationHash: string };
  counts: { blocks: number; votes: number; duplicateVotes: number; transactions: number; quarantined: number; pendingBlocks: number };
  statuses: Record<BlockStatus | 'unelected', number>;
  sources: { name: string; lastPullAt: string; ageSeconds: number; stale: boolean; counts?: Record<string, number>; follow: FollowStatus | null }[];
  /**
   * Gap summary, or null when not computed (`gaps: false`). `pending`: blocks newer than every
   * vote (not voted on yet; no finding). `duplicateVotes`: listed by gaps, reported by ingest.
   */
  gaps: { findings: number; byCode: Record<string, number>; completeThroughTimestamp: string | null; pending: number; duplicateVotes: number } | null;
  warnings: { code: StatusWarningCode; message: string }[];
  /**
   * The backup routine (SPEC.md §15.6.1, `activity.json`): the last export (`chainLength`: files
   * in its chain, full export included) and the last check, with their age, and the warnings
   * `--strict` also counts. `writerRunning`: a process holds the archive now (this status read a live copy).
   */
  backup: {
    lastExport: (ExportActivity & { ageSeconds: number; chainLength: number }) | null;
    lastCheck: (CheckActivity & { ageSeconds: number }) | null;
    writerRunning: boolean;
    warnings: { code: BackupWarningCode; message: string }[];
  };
}

/**
 * The follow mode of a source, from its sync record's cursor (docs/spec-pull.md §4).
 * `lagSeconds`: now − `lastEventAt`, or now − the cursor's block timestamp before any change
 * arrived; null when neither is known.
 */
export interface FollowStatus { active: boolean; since: string | null; lastEventAt: string | null; lagSeconds: number | null; running?: boolean }

/** Options of {@link status}. */
export interface StatusOptions {
  archive: Archive;
  /** A source older than this is stale (default 86,400 s = one day). */
  staleAfterSeconds?: number;
  /** The last export is old after this (default 691,200 s = eight days: a weekly export with a day's slack). */
  exportMaxAgeSeconds?: number;
  /** Run gap detection too (default true). */
  gaps?: boolean;
  now?: Date;
  signal?: AbortSignal;
}

/**
 * Summarise an archive.
 * @returns the report; `warnings` empty means nothing needs attention
 * @example const s = await status({ archive }); if (s.warnings.length) process.exitCode = 4
 */
export async function status(opts: StatusOptions): Promise<StatusReport> {
  const { db, federation, info } = opts.archive;
  const now = opts.now ?? new Date();
  const staleAfter = opts.staleAfterSeconds ?? 86_400;
  const statuses: StatusReport['statuses'] = { valid: 0, invalid: 0, undecided: 0, unelected: 0 };
  let blocks = 0;
  const elected = await countElections(opts.archive, statuses);
  blocks = await countKeys(db, range('b'));
  statuses.unelected = Math.max(0, blocks - elected);
  const counts = {
    blocks, votes: await countKeys(db, range('v')), duplicateVotes: await countKeys(db, range('vd')),
    transactions: await countDistinctFirstPart(opts.archive), quarantined: await countKeys(db, range('q')), pendingBlocks: await countKeys(db, range('pb')),
  };
  const sources = (await readSyncRecords(db)).map((r) => {
    const ageSeconds = Math.max(0, Math.round((now.getTime() - Date.parse(r.lastPullAt)) / 1000));
    return { name: r.name, lastPullAt: r.lastPullAt, ageSeconds, stale: ageSeconds > staleAfter, counts: r.counts, follow: followStatus(r.cursor, now) };
  });
  let gaps: StatusReport['gaps'] = null;
  if (opts.gaps !== false) {
    const g = await findGaps({ archive: opts.archive, signal: opts.signal });
    const byCode: Record<string, number> = {};
    for (const f of g.findings) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
    const real = g.findings.filter((f) => f.code !== 'GAP_OUTSIDE_SELECTION').length;
    gaps = { findings: real, byCode, completeThroughTimestamp: g.completeThroughTimestamp, pending: g.pending.length,
      duplicateVotes: g.duplicates.reduce((n, d) => n + d.count - 1, 0) };
  }
  const warnings: StatusReport['warnings'] = [];
  if (sources.length === 0) warnings.push({ code: 'NEVER_PULLED', message: 'no source has ever been pulled into this archive' });
  for (const s of sources) if (s.stale) warnings.push({ code: 'STALE', message: `source ${s.name} was last pulled ${s.ageSeconds} s ago (more than ${staleAfter} s)` });
  if (counts.quarantined > 0) warnings.push({ code: 'QUARANTINE_NOT_EMPTY', message: `${counts.quarantined} document(s) in quarantine` });
  if (counts.pendingBlocks > 0) warnings.push({ code: 'PENDING_BLOCKS', message: `${counts.pendingBlocks} stored-layout block(s) wait for their rows (run ingest again)` });
  if (gaps !== null && gaps.findings > 0) warnings.push({ code: 'GAPS_PRESENT', message: `${gaps.findings} gap finding(s); run "ledger-archive gaps"` });
  const writerRunning = opts.archive.provenAgainst !== undefined;
  for (const s of sources) {
    if (s.follow === null) continue;
    s.follow.running = s.follow.active && writerRunning;
    // Recorded as following, yet nothing holds the archive: the follower died without its last record.
    if (s.follow.active && !writerRunning && opts.archive.dir !== null) warnings.push({ code: 'FOLLOWER_NOT_RUNNING', message: `source ${s.name} is recorded as followed, but no process holds the archive (the follower stopped without recording it)` });
  }
  return {
    archive: { dir: opts.archive.dir, createdAt: info.createdAt, formatVersion: info.version,
      commits: commitState(opts.archive.db)?.n ?? 0, sequence: commitState(opts.archive.db)?.seq ?? 0 },
    federation: { hash: federation.hash, keys: federation.keys.map((k) => ({ key: k, name: voterName(federation, k) })), federationHash: info.federationHash },
    counts, statuses, sources, gaps, warnings, backup: backupStatus(opts, now, writerRunning),
  };
}

/** The backup part (SPEC.md §15.6.1), from `activity.json`. */
function backupStatus(opts: StatusOptions, now: Date, writerRunning: boolean): StatusReport['backup'] {
  const age = (at: string): number => Math.max(0, Math.round((now.getTime() - Date.parse(at)) / 1000));
  const a = opts.archive.dir === null ? { lastExport: null, lastCheck: null, damaged: false } : readActivity(opts.archive.dir);
  const maxAge = opts.exportMaxAgeSeconds ?? 691_200;
  const lastExport = a.lastExport === null ? null : { ...a.lastExport, ageSeconds: age(a.lastExport.at), chainLength: a.lastExport.sequence + 1 };
  const lastCheck = a.lastCheck === null ? null : { ...a.lastCheck, ageSeconds: age(a.lastCheck.at) };
  const warnings: StatusReport['backup']['warnings'] = [];
  if (a.damaged) warnings.push({ code: 'ACTIVITY_DAMAGED', message: `${opts.archive.dir}/activity.json is damaged: exports and checks made before are not known` });
  if (lastExport === null) warnings.push({ code: 'NEVER_EXPORTED', message: 'this archive has never been exported (no backup)' });
  else {
    if (lastExport.ageSeconds > maxAge) warnings.push({ code: 'EXPORT_OLD', message: `the last export (${lastExport.path}) is ${lastExport.ageSeconds} s old (more than ${maxAge} s)` });
    if (!lastExport.complete) warnings.push({ code: 'EXPORT_INCOMPLETE', message: `the last export (${lastExport.path}) left out documents that no longer verify` });
  }
  if (lastCheck === null) warnings.push({ code: 'NEVER_CHECKED', message: 'this archive has never been checked (run "ledger-archive check")' });
  else if (!lastCheck.ok) warnings.push({ code: 'CHECK_FAILED', message: `the last check (${lastCheck.at}) found ${lastCheck.findings} problem(s)` });
  return { lastExport, lastCheck, writerRunning, warnings };
}

/** The follow state in a cursor `{blockTimestamp?, follow?: {active, since, lastEventAt}}`, or null. */
function followStatus(cursor: unknown, now: Date): FollowStatus | null {
  if (cursor === null || typeof cursor !== 'object') return null;
  const c = cursor as { blockTimestamp?: unknown; follow?: { active?: unknown; since?: unknown; lastEventAt?: unknown } };
  if (c.follow === undefined || c.follow === null || typeof c.follow !== 'object') return null;
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const lastEventAt = str(c.follow.lastEventAt);
  const blockTs = typeof c.blockTimestamp === 'string' && /^\d+$/.test(c.blockTimestamp) ? Number(c.blockTimestamp) * 1000 : null;
  const from = lastEventAt !== null && !Number.isNaN(Date.parse(lastEventAt)) ? Date.parse(lastEventAt) : blockTs;
  return {
    active: c.follow.active === true, since: str(c.follow.since), lastEventAt,
    lagSeconds: from === null ? null : Math.max(0, Math.round((now.getTime() - from) / 1000)),
  };
}

async function countElections(archive: Archive, statuses: StatusReport['statuses']): Promise<number> {
  let n = 0;
  for await (const v of archive.db.values(range('es'))) {
    statuses[(JSON.parse(v) as StoredElection).status]++;
    n++;
  }
  return n;
}

/** Distinct transaction ids (tx!<tx>!<block> keys are sorted by tx id). */
async function countDistinctFirstPart(archive: Archive): Promise<number> {
  let n = 0;
  let last = '';
  for await (const k of archive.db.keys(range('tx'))) {
    const tx = k.slice(3, k.indexOf('!', 3));
    if (tx !== last) { n++; last = tx; }
  }
  return n;
}
