/**
 * Which blocks a rebuild writes (docs/spec-rebuild.md §2): pure, so the rule can be
 * tested on its own. BigchainDB's restore guidance (reference §6) keeps the blocks up to
 * the last block voted VALID and drops the later ones with their votes; "up to" is read
 * in vote-chain order, because blocks have no global order besides each voter's chain.
 *
 * Vote-chain order: each voter's votes form a chain (previous_block → voting_for_block),
 * which orders the blocks that voter voted on. A block B is kept when it is genesis,
 * or when some voter's chain places B at or before a block whose election is VALID —
 * that is, walking that voter's chain backwards from one of its VALID blocks reaches B.
 * So the kept set is closed under "comes before a VALID block in someone's chain"; what
 * is left out is the tail each chain has after its last VALID block, and blocks no
 * voter voted on. With a broken chain (allowed gaps) the same walk runs on each piece.
 */
import type { ChainLink } from '../chain/gaps.js';
import type { BlockStatus, Vote } from '../model/types.js';
import { parseJson } from '../model/json.js';

/** A block as the selection sees it. */
export interface PlanBlock { id: string; timestamp: string; status: BlockStatus }

/** Why a block is left out. */
export type LeaveReason = 'after-last-valid' | 'after-until' | 'after-gap';

/** A block the plan leaves out, and why. */
export interface LeftOutBlock { id: string; timestamp: string; status: BlockStatus; reason: LeaveReason }

/** A timestamp cut: blocks above `timestamp` are left out with `reason`; `timestamp` null keeps nothing. */
export interface Cut { timestamp: string | null; reason: 'after-until' | 'after-gap' }

/** Input of {@link selectBlocks}. */
export interface SelectInput {
  blocks: Iterable<PlanBlock>;
  genesis: string | null;
  /** Each voter's chain links (only votes that count for this plan). */
  chains: Iterable<{ voter: string; links: readonly ChainLink[] }>;
  /** Timestamp cuts (point in time, first gap); the smallest wins. */
  cuts?: readonly Cut[];
  /** Keep every block inside the cuts, decided or not. */
  keepUndecided?: boolean;
}

/** Result of {@link selectBlocks}. */
export interface Selected { keep: Set<string>; leftOut: LeftOutBlock[] }

/** Compare decimal-string timestamps as numbers (non-decimal ones as strings, after the numbers). */
export function compareTs(a: string, b: string): number {
  const da = /^\d+$/.test(a);
  const db = /^\d+$/.test(b);
  if (da && db) {
    const x = a.replace(/^0+(?=\d)/, '');
    const y = b.replace(/^0+(?=\d)/, '');
    return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
  }
  if (da !== db) return da ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The strictest cut (smallest timestamp; a null timestamp keeps nothing). */
export function tightestCut(cuts: readonly Cut[]): Cut | null {
  let best: Cut | null = null;
  for (const c of cuts) {
    if (best === null || c.timestamp === null || (best.timestamp !== null && compareTs(c.timestamp, best.timestamp) < 0)) best = c;
    if (best.timestamp === null) break;
  }
  return best;
}

/**
 * Decide which blocks a rebuild keeps.
 * @example selectBlocks({ blocks, genesis, chains }).leftOut.map((b) => b.id)
 */
export function selectBlocks(input: SelectInput): Selected {
  const cut = tightestCut(input.cuts ?? []);
  const inside = new Map<string, PlanBlock>();
  const leftOut: LeftOutBlock[] = [];
  for (const b of input.blocks) {
    if (cut !== null && (cut.timestamp === null || compareTs(b.timestamp, cut.timestamp) > 0)) {
      leftOut.push({ ...b, reason: cut.reason });
    } else inside.set(b.id, b);
  }
  const keep = new Set<string>();
  if (input.keepUndecided === true) {
    for (const id of inside.keys()) keep.add(id);
  } else {
    if (input.genesis !== null && inside.has(input.genesis)) keep.add(input.genesis);
    for (const b of inside.values()) if (b.status === 'valid') keep.add(b.id);
    for (const { links } of input.chains) markBefore(links, inside, keep);
    for (const b of inside.values()) if (!keep.has(b.id)) leftOut.push({ ...b, reason: 'after-last-valid' });
  }
  leftOut.sort((a, b) => compareTs(a.timestamp, b.timestamp) || (a.id < b.id ? -1 : 1));
  return { keep, leftOut };
}

/** Walk one voter's chain backwards from each of its VALID blocks, keeping what it passes. */
function markBefore(links: readonly ChainLink[], inside: ReadonlyMap<string, PlanBlock>, keep: Set<string>): void {
  const prevOf = new Map<string, string>();
  for (const l of links) if (!prevOf.has(l.next)) prevOf.set(l.next, l.prev);
  const seen = new Set<string>();
  for (const l of links) {
    if (inside.get(l.next)?.status !== 'valid') continue;
    let cur: string | undefined = l.next;
    // Stop at a block already walked for this voter (linear time), or where the chain leaves the plan.
    while (cur !== undefined && !seen.has(cur) && inside.has(cur)) {
      seen.add(cur);
      keep.add(cur);
      cur = prevOf.get(cur);
    }
  }
}

/** True when a stored vote was cast at or before `cutoff`. */
export function voteWithin(text: string, cutoff: string): boolean {
  const ts = (parseJson(text) as unknown as Vote).vote?.timestamp;
  return typeof ts === 'string' && compareTs(ts, cutoff) <= 0;
}
