/**
 * The rebuild plan (docs/spec-rebuild.md §2): from one archive, what a rebuild writes —
 * per table counts, the layout, the blocks left out and why, the gaps. Reading only;
 * the decision itself is the pure rule in ./rebuild-select.ts.
 *
 * Point in time (`until`): only blocks with `block.timestamp ≤ T` and votes on them with
 * `vote.timestamp ≤ T`; elections are recomputed from those votes. `until` a block id means
 * T = the newest of that block's timestamp and its stored votes' timestamps: the ledger as it
 * stood once that block had every vote the archive knows.
 *
 * Gaps (chain/archive.ts): a voter's chain is broken where its unbroken walk from genesis stops
 * before its last vote. The first gap is the smallest block timestamp at which a chain
 * breaks; unless `allowGaps`, blocks after it are left out (reason `after-gap`).
 */
import { LedgerError } from '../errors.js';
import type { ChainLink, GapReport } from '../chain/gaps.js';
import { parseJson } from '../model/json.js';
import { stripBlock } from '../model/stored.js';
import type { Block, BlockStatus, Vote } from '../model/types.js';
import { noopReporter, type Reporter } from '../report/reporter.js';
import { tablesFor } from '../sources/rethinkdb-schema.js';
import type { Layout, TableName } from '../model/documents.js';
import type { Archive } from '../store/archive.js';
import { electStored } from '../store/election.js';
import type { BlockMeta, StoredElection } from '../store/read.js';
import { META, key, keyParts, range } from '../store/schema.js';
import { scanArchiveGaps } from '../chain/archive.js';
import { compareTs, selectBlocks, voteWithin, type Cut, type LeftOutBlock, type PlanBlock } from './select.js';

import type { PlanGaps, RebuildPlan, UntilSpec } from './plan-types.js';
import { tableRows } from './rows.js';

export { compareTs, selectBlocks, voteWithin } from './select.js';
export type { PlanGaps, RebuildPlan, UntilSpec } from './plan-types.js';
export type { LeftOutBlock, LeaveReason, PlanBlock } from './select.js';

/** Options of {@link planRebuild}. */
export interface PlanOptions {
  archive: Archive;
  /** Target layout; default: the layout most blocks were pulled from, else 1.3. */
  layout?: Layout;
  until?: UntilSpec;
  keepUndecided?: boolean;
  allowGaps?: boolean;
  /** Also count assets/metadata rows (parses every kept block; dry runs). */
  countRows?: boolean;
  reporter?: Reporter;
  signal?: AbortSignal;
}

const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * Understand `--until`: a 64-hex block id, unix seconds, or an ISO 8601 date/time.
 * @throws LedgerError LEDGER_USAGE otherwise
 */
export function parseUntil(text: string): UntilSpec {
  const s = text.trim();
  if (HEX64.test(s)) return { blockId: s.toLowerCase() };
  if (/^\d{1,12}$/.test(s)) return { timestamp: s.replace(/^0+(?=\d)/, '') };
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms) && ms >= 0) return { timestamp: String(Math.floor(ms / 1000)) };
  }
  throw new LedgerError('LEDGER_USAGE', `--until wants a block id (64 hex), unix seconds or an ISO date, not "${text}"`, { until: text });
}

/** What planning keeps per block: its id (the one string every map shares), timestamp, voters (for `until`). */
interface PlanMeta { id: string; timestamp: string; voters?: string[] }

/**
 * Plan a rebuild of `archive`.
 * @throws LedgerError LEDGER_USAGE when `until` names a block the archive does not hold
 * @example const plan = await planRebuild({ archive }); plan.tables.bigchain
 */
export async function planRebuild(opts: PlanOptions): Promise<RebuildPlan> {
  const { db } = opts.archive;
  const reporter = opts.reporter ?? noopReporter;
  // Memory (SPEC.md §21): one entry per block, each id one string that statuses, chain links and
  // the kept set share (a key's slices would each keep their whole key alive); voters only when
  // `until` needs them, chain links only when the selection walks them.
  const metas = new Map<string, PlanMeta>();
  const layouts: Record<string, number> = {};
  let n = 0;
  for await (const [k, v] of db.iterator(range('bm'))) {
    const id = keyParts(k)[0]!;
    const m = JSON.parse(v) as BlockMeta;
    const timestamp = m.timestamp ?? (await readBlockBody(opts.archive, id)).block.timestamp;
    metas.set(id, opts.until === undefined ? { id, timestamp } : { id, timestamp, voters: m.voters ?? [] });
    layouts[String(m.layout)] = (layouts[String(m.layout)] ?? 0) + 1;
    if (++n % 10_000 === 0) { opts.signal?.throwIfAborted(); reporter.progress({ phase: 'plan: blocks', done: n, unit: 'blocks' }); }
  }
  const { layout, from } = chooseLayout(opts.layout, layouts);
  const genesisText = await db.get(key('meta', META.genesis));
  const gapReport = await scanArchiveGaps({ archive: opts.archive, signal: opts.signal });
  const genesis = genesisText !== undefined ? JSON.parse(genesisText) as string : gapReport.genesis;
  const until = opts.until === undefined ? null : { spec: opts.until, timestamp: await untilTimestamp(opts.archive, opts.until, metas) };

  // Elections and chain links: stored ones, or recomputed from the votes up to `until`.
  const statuses = new Map<string, BlockStatus>();
  const chains = new Map<string, ChainLink[]>();
  const idOf = (s: string): string => metas.get(s)?.id ?? s;
  if (until === null) {
    for await (const [k, v] of db.iterator(range('es'))) statuses.set(idOf(keyParts(k)[0]!), (JSON.parse(v) as StoredElection).status);
    // Links are walked only to choose among decided and undecided blocks (select.ts).
    if (opts.keepUndecided !== true) {
      for await (const k of db.keys(range('ch'))) {
        const [voter, prev, next] = keyParts(k) as [string, string, string];
        pushLink(chains, voter, { prev: idOf(prev), next: idOf(next) });
      }
    }
  } else {
    await recomputeUntil(opts.archive, until.timestamp, metas, statuses, chains);
  }
  const blocks: PlanBlock[] = [...metas].map(([id, m]) => ({ id, timestamp: m.timestamp, status: statuses.get(id) ?? 'undecided' }));
  const gaps = gapSummary(gapReport, genesis === null || !metas.has(genesis));
  const cuts: Cut[] = [];
  if (until !== null) cuts.push({ timestamp: until.timestamp, reason: 'after-until' });
  if (gaps.first !== null && opts.allowGaps !== true) {
    cuts.push({ timestamp: gaps.genesisMissing ? null : gaps.first.timestamp, reason: 'after-gap' });
    gaps.stopped = true;
  }
  const { keep, leftOut } = selectBlocks({
    blocks, genesis, chains: [...chains].map(([voter, links]) => ({ voter, links })), cuts, keepUndecided: opts.keepUndecided,
  });
  const votes = await countVotes(opts.archive, keep, until?.timestamp ?? null);
  const tally: Record<BlockStatus, number> = { valid: 0, invalid: 0, undecided: 0 };
  for (const id of keep) tally[statuses.get(id) ?? 'undecided']++;
  const plan: RebuildPlan = {
    layout, layoutFrom: from, archiveLayouts: layouts, until, keepUndecided: opts.keepUndecided === true, allowGaps: opts.allowGaps === true,
    genesis, keep, voteCutoff: until?.timestamp ?? null,
    tables: tableCounts(layout, keep.size, votes.kept),
    statuses: tally, leftOut, votesLeftOut: votes.leftOut, duplicateVotes: votes.duplicates, gaps,
  };
  if (opts.countRows === true) await countRows(opts.archive, plan);
  reporter.done();
  return plan;
}

function tableCounts(layout: Layout, blocks: number, votes: number): Partial<Record<TableName, number | null>> {
  const out: Partial<Record<TableName, number | null>> = {};
  for (const t of tablesFor(layout)) out[t] = t === 'bigchain' ? blocks : t === 'votes' ? votes : t === 'backlog' ? 0 : null;
  return out;
}

/** Which layout to write: the option, else the one most blocks came from (ties: the newer), else 1.3. */
function chooseLayout(wanted: Layout | undefined, layouts: Record<string, number>): { layout: Layout; from: RebuildPlan['layoutFrom'] } {
  if (wanted !== undefined) return { layout: wanted, from: 'option' };
  const order: Layout[] = ['1.3', '1.0', '0.10', '0.9'];
  let best: Layout | null = null;
  for (const l of order) if ((layouts[l] ?? 0) > (best === null ? 0 : layouts[best] ?? 0)) best = l;
  return best === null ? { layout: '1.3', from: 'default' } : { layout: best, from: 'archive' };
}

async function readBlockBody(archive: Archive, id: string): Promise<Block> {
  const v = await archive.db.get(key('b', id));
  if (v === undefined) throw new LedgerError('LEDGER_ARCHIVE_CORRUPT', `block ${id} has a meta record but no document`, { block: id });
  return parseJson(v) as unknown as Block;
}

function pushLink(chains: Map<string, ChainLink[]>, voter: string, link: ChainLink): void {
  const list = chains.get(voter);
  if (list === undefined) chains.set(voter, [link]); else list.push(link);
}

/** T of `until`: the timestamp itself, or for a block the newest of its timestamp and its votes'. */
async function untilTimestamp(archive: Archive, spec: UntilSpec, metas: ReadonlyMap<string, { timestamp: string }>): Promise<string> {
  if ('timestamp' in spec) return spec.timestamp;
  const m = metas.get(spec.blockId);
  if (m === undefined) throw new LedgerError('LEDGER_USAGE', `--until: block ${spec.blockId} is not in the archive`, { block: spec.blockId });
  let t = m.timestamp;
  for (const ns of ['v', 'vd'] as const) {
    for await (const v of archive.db.values(range(ns, spec.blockId))) {
      const ts = (parseJson(v) as unknown as Vote).vote.timestamp;
      if (typeof ts === 'string' && compareTs(ts, t) > 0) t = ts;
    }
  }
  return t;
}

/** Elections and chains from the votes cast up to `t` on blocks made up to `t`. */
async function recomputeUntil(archive: Archive, t: string, metas: ReadonlyMap<string, PlanMeta>,
  statuses: Map<string, BlockStatus>, chains: Map<string, ChainLink[]>): Promise<void> {
  for (const [id, m] of metas) {
    if (compareTs(m.timestamp, t) > 0) continue;
    const primary = await votesUpTo(archive, 'v', id, t);
    const dups = await votesUpTo(archive, 'vd', id, t);
    for (const v of primary) pushLink(chains, v.node_pubkey, { prev: v.vote.previous_block, next: id });
    statuses.set(id, electStored(id, m.voters ?? [], [...primary, ...dups], archive.federation).status);
  }
}

async function votesUpTo(archive: Archive, ns: 'v' | 'vd', blockId: string, t: string): Promise<Vote[]> {
  const out: Vote[] = [];
  for await (const v of archive.db.values(range(ns, blockId))) {
    const vote = parseJson(v) as unknown as Vote;
    if (typeof vote.vote.timestamp === 'string' && compareTs(vote.vote.timestamp, t) <= 0) out.push(vote);
  }
  return out;
}

/** Count the votes a plan keeps and leaves out (keys only, unless a cutoff needs the timestamps). */
async function countVotes(archive: Archive, keep: ReadonlySet<string>, cutoff: string | null): Promise<{ kept: number; leftOut: number; duplicates: number }> {
  const r = { kept: 0, leftOut: 0, duplicates: 0 };
  for (const ns of ['v', 'vd'] as const) {
    for await (const [k, v] of archive.db.iterator({ ...range(ns), values: cutoff !== null })) {
      const blockId = keyParts(k)[0]!;
      const ok = keep.has(blockId) && (cutoff === null || voteWithin(v, cutoff));
      if (ok) { r.kept++; if (ns === 'vd') r.duplicates++; } else r.leftOut++;
    }
  }
  return r;
}

function gapSummary(r: GapReport, genesisMissing: boolean): PlanGaps {
  const byCode: Record<string, number> = {};
  for (const f of r.findings) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
  let first: PlanGaps['first'] = null;
  for (const v of r.voters) {
    if (v.depth >= v.votes) continue; // walked to its last vote: unbroken
    const ts = v.completeThroughTimestamp;
    if (first === null || ts === null || (first.timestamp !== null && compareTs(ts, first.timestamp) < 0)) {
      first = { voter: v.voter, completeThrough: v.completeThrough, timestamp: ts };
    }
  }
  if (first === null && genesisMissing && r.voters.some((v) => v.votes > 0)) first = { voter: '', completeThrough: null, timestamp: null };
  return { byCode, first, stopped: false, genesisMissing };
}

/** Count assets/metadata rows of the kept blocks in the plan's layout. */
async function countRows(archive: Archive, plan: RebuildPlan): Promise<void> {
  // Counted from the very rows a rebuild writes: a transaction in two kept blocks has one
  // row (issue 11 §3).
  for (const t of ['assets', 'metadata'] as const) {
    if (!(t in plan.tables)) continue;
    let n = 0;
    for await (const _row of tableRows(archive, plan, t)) n++;
    plan.tables[t] = n;
  }
}

/** A plan as plain JSON (kept ids left out: they can be many). */
export function planToJson(plan: RebuildPlan): Record<string, unknown> {
  const { keep: _keep, ...rest } = plan;
  return { ...rest, blocks: plan.keep.size };
}
