/**
 * The `report` operation (docs/spec-report.md, SPEC.md §23): gather what the HTML report shows,
 * aggregated so its size is bounded whatever the archive's (html/data.ts). The facts come from
 * the operations that own them — status (counts, federation, sources, warnings) and gaps
 * (completeness, missing blocks and votes, forks) — plus three key scans (blocks by time,
 * elections, votes) for the timeline and the lanes. Read-only.
 */
import type { BlockStatus } from '../model/types.js';
import { voterName } from '../model/federation.js';
import type { Archive } from '../store/archive.js';
import { keyParts, range } from '../store/schema.js';
import type { StoredElection } from '../store/read.js';
import type { BlockRow, Capped, ReportData, StatusCounts, VoterLane } from '../html/data.js';
import { findGaps } from './gaps.js';
import { listQuarantine } from './quarantine.js';
import { status } from './status.js';

/** Options of {@link gatherReport}. */
export interface ReportOptions {
  archive: Archive;
  /** Time buckets of the timeline and the lanes (default 60). */
  buckets?: number;
  /** Longest drill-down list (default 500). */
  listLimit?: number;
  now?: Date;
  signal?: AbortSignal;
}

const zero = (): StatusCounts => ({ valid: 0, invalid: 0, undecided: 0, unelected: 0 });
const capped = <T>(all: T[], limit: number): Capped<T> => ({ items: all.slice(0, limit), total: all.length });

/**
 * Gather the report's data.
 * @example const data = await gatherReport({ archive }); writeFile('report.html', renderReport(data))
 */
export async function gatherReport(opts: ReportOptions): Promise<ReportData> {
  const { archive } = opts;
  const { db, federation } = archive;
  const now = opts.now ?? new Date();
  const nBuckets = opts.buckets ?? 60;
  const limit = opts.listLimit ?? 500;
  const s = await status({ archive, gaps: false, now, signal: opts.signal });
  const g = await findGaps({ archive, signal: opts.signal });

  // Blocks by time (ts! is in timestamp order): the timeline's extent, and each block's bucket.
  const ids: string[] = [];
  const times: number[] = [];
  for await (const k of db.keys(range('ts'))) {
    const [ts, id] = keyParts(k) as [string, string];
    ids.push(id);
    times.push(Number(ts));
  }
  const start = times.length > 0 ? times[0]! : 0;
  const width = Math.max(1, Math.ceil(((times.at(-1) ?? start) - start + 1) / nBuckets));
  const bucket = new Map<string, number>();
  const timestampOf = new Map<string, string>();
  ids.forEach((id, i) => { bucket.set(id, Math.min(nBuckets - 1, Math.floor((times[i]! - start) / width))); timestampOf.set(id, String(times[i])); });
  const buckets = Array.from({ length: nBuckets }, zero);
  for (const b of bucket.values()) buckets[b]!.unelected++;

  // Elections: status per bucket, the drill-down lists, and the findings elections made.
  const rows: Record<'invalid' | 'undecided', BlockRow[]> = { invalid: [], undecided: [] };
  const findingCounts = new Map<string, { count: number; source: string }>();
  const count = (code: string, source: string, n = 1): void => {
    const c = findingCounts.get(`${source}/${code}`) ?? { count: 0, source };
    c.count += n;
    findingCounts.set(`${source}/${code}`, c);
  };
  for await (const [k, v] of db.iterator(range('es'))) {
    const id = keyParts(k)[0]!;
    const e = JSON.parse(v) as StoredElection;
    const b = bucket.get(id);
    if (b !== undefined) { buckets[b]!.unelected--; buckets[b]![e.status as BlockStatus]++; }
    if (e.status !== 'valid' && rows[e.status].length < limit * 2) {
      rows[e.status].push({ id, timestamp: timestampOf.get(id) ?? null, nValid: e.nValid, nInvalid: e.nInvalid, nVoters: e.nVoters });
    }
    for (const f of e.findings) count(f.code, 'elections');
  }

  // Lanes: one per federation key; votes per bucket from the v! keys (no value is read).
  const lanes = new Map<string, VoterLane>(federation.keys.map((voter) => {
    const c = g.voters.find((x) => x.voter === voter);
    return [voter, { key: voter, name: voterName(federation, voter), votes: 0, depth: c?.depth ?? 0,
      completeThrough: c?.completeThrough ?? null, completeThroughTimestamp: c?.completeThroughTimestamp ?? null,
      voted: new Array<number>(nBuckets).fill(0), missing: new Array<number>(nBuckets).fill(0), forks: new Array<number>(nBuckets).fill(0) }];
  }));
  for await (const k of db.keys(range('v'))) {
    const [block, voter] = keyParts(k) as [string, string];
    const lane = lanes.get(voter);
    if (lane === undefined) continue;
    lane.votes++;
    const b = bucket.get(block);
    if (b !== undefined) lane.voted[b]!++;
  }
  const mark = (voter: string, block: string | undefined, what: 'missing' | 'forks'): void => {
    const b = block === undefined ? undefined : bucket.get(block);
    const lane = lanes.get(voter);
    if (b !== undefined && lane !== undefined) lane[what][b]!++;
  };
  for (const m of g.missingVotes) mark(m.voter, m.block, 'missing');
  for (const f of g.forks) mark(f.voter, bucket.has(f.previous) ? f.previous : f.next[0], 'forks');
  // A missing block has no timestamp: it is marked where the block after it (in each naming voter's chain) is.
  for (const m of g.missingBlocks.slice(0, 1000)) {
    for (const voter of m.namedBy) {
      for await (const k of db.keys({ ...range('ch', voter, m.block), limit: 1 })) mark(voter, keyParts(k)[2], 'missing');
    }
  }

  for (const f of g.findings) count(f.code, 'gaps');
  const quarantine = await listQuarantine(archive);
  for (const q of quarantine) for (const c of q.codes) count(c, 'quarantine');
  const warnings = [...s.warnings];
  const realGaps = g.findings.filter((f) => f.code !== 'GAP_OUTSIDE_SELECTION').length;
  if (realGaps > 0) warnings.push({ code: 'GAPS_PRESENT', message: `${realGaps} gap finding(s); run "ledger-archive gaps"` });
  const byTime = (a: BlockRow, b: BlockRow): number => Number(a.timestamp ?? 0) - Number(b.timestamp ?? 0);
  return {
    generatedAt: now.toISOString(),
    archive: { dir: s.archive.dir, createdAt: s.archive.createdAt, formatVersion: s.archive.formatVersion, commits: s.archive.commits },
    federation: { hash: s.federation.hash, keys: s.federation.keys },
    counts: s.counts,
    statuses: s.statuses,
    completeThroughTimestamp: g.completeThroughTimestamp,
    sources: s.sources.map((x) => ({ name: x.name, lastPullAt: x.lastPullAt, ageSeconds: x.ageSeconds, stale: x.stale })),
    // From activity.json (SPEC.md §15.6.1), as status reads it.
    lastExport: s.backup.lastExport === null ? null
      : `${s.backup.lastExport.at} → ${s.backup.lastExport.path} (${s.backup.lastExport.incremental ? 'incremental' : 'full'}, chain of ${s.backup.lastExport.chainLength}${s.backup.lastExport.complete ? '' : ', INCOMPLETE'})`,
    lastCheck: s.backup.lastCheck === null ? null
      : `${s.backup.lastCheck.at}: ${s.backup.lastCheck.ok ? 'no problems' : `${s.backup.lastCheck.findings} finding(s)`}`,
    audit: null,
    warnings,
    timeline: { start, width, buckets },
    lanes: [...lanes.values()],
    gaps: {
      missingBlocks: capped(g.missingBlocks, limit), missingVotes: capped(g.missingVotes, limit),
      forks: capped(g.forks, limit), unreachable: capped(g.unreachable, limit), pending: g.pending.length,
    },
    findings: [...findingCounts.entries()].map(([k, c]) => ({ code: k.slice(k.indexOf('/') + 1), count: c.count, source: c.source }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    quarantine: capped(quarantine.map((q) => ({ hash: q.hash, kind: q.kind, origin: q.origin, codes: q.codes, at: q.at })), limit),
    invalid: { items: rows.invalid.sort(byTime).slice(0, limit), total: s.statuses.invalid },
    undecided: { items: rows.undecided.sort(byTime).slice(0, limit), total: s.statuses.undecided },
  };
}
