/**
 * Gap detection through vote chains (SPEC.md §12.5, reference §3). Pure: the caller
 * feeds the archive's blocks once, then each voter's chain links (previous_block →
 * voting_for_block) one voter at a time, so memory holds the block index plus one
 * voter's chain, never all votes.
 *
 * What a chain proves: a link P → N means the voter voted on N right after P. So a
 * named block that is absent is a missing block; a P (other than genesis) the voter
 * has no vote on is a missing vote; two links from one P are a fork; a present block
 * no link names is unreachable. The newest end of a chain is uncertain by nature:
 * votes a voter has not cast (or whose successors are lost too) cannot be seen. So a
 * block newer (by timestamp) than every block any chain reaches is pending — on a live
 * ledger nobody has voted on it yet — and only a block the chains pass by is unreachable.
 * Duplicate votes are listed, not reported: ingest reports each one (VOTE_DUPLICATE)
 * when it arrives, and one fact is one finding.
 */
import { finding, type Finding } from '../findings.js';

/** One vote as a chain link. */
export interface ChainLink { prev: string; next: string }

/** Per-voter result. */
export interface VoterCompleteness {
  voter: string;
  votes: number;
  /** Last block up to which the chain is unbroken from genesis (genesis itself when nothing follows); null without genesis. */
  completeThrough: string | null;
  completeThroughTimestamp: string | null;
  /** Blocks walked from genesis without a break. */
  depth: number;
}

/** The whole result. */
export interface GapReport {
  genesis: string | null;
  missingBlocks: { block: string; namedBy: string[] }[];
  missingVotes: { block: string; voter: string }[];
  forks: { voter: string; previous: string; next: string[] }[];
  /** Listed only: ingest reported each as VOTE_DUPLICATE when it arrived. */
  duplicates: { voter: string; block: string; count: number }[];
  /** Held blocks (not genesis) no link names, though chains reach newer blocks (GAP_UNREACHABLE_BLOCK). */
  unreachable: string[];
  /** Held blocks no link names that are newer than every block a chain reaches: not yet voted on (no finding). */
  pending: string[];
  outsideSelection: { block: string; namedBy: string[] }[];
  voters: VoterCompleteness[];
  /** Block timestamp up to which every voter's chain is unbroken (the smallest per-voter one); null when unknown. */
  completeThroughTimestamp: string | null;
  findings: Finding[];
}

/** Options of {@link GapDetector}. */
export interface GapOptions {
  /** The genesis block id (from the archive, or {@link inferGenesis}); null when unknown. */
  genesis: string | null;
  /** A selective (client) archive: absent blocks are outside the selection, not gaps. */
  selective?: boolean;
}

/** Incremental detector: {@link addBlock} for every block, then {@link addVoter} per voter, then {@link finish}. */
export class GapDetector {
  private readonly index = new Map<string, number>();
  private readonly timestamps: string[] = [];
  private reached = new Uint8Array(1024);
  private readonly missing = new Map<string, Set<string>>();
  private readonly report: Omit<GapReport, 'findings' | 'completeThroughTimestamp' | 'missingBlocks' | 'outsideSelection' | 'unreachable' | 'pending'>;
  /** Timestamp of the newest held block any link names (the newest chain head); -1 when none. */
  private headTs = -1;
  private readonly selective: boolean;

  constructor(opts: GapOptions) {
    this.report = { genesis: opts.genesis, missingVotes: [], forks: [], duplicates: [], voters: [] };
    this.selective = opts.selective === true;
  }

  /** Register a block the archive holds. */
  addBlock(id: string, timestamp: string): void {
    if (this.index.has(id)) return;
    this.index.set(id, this.timestamps.length);
    this.timestamps.push(timestamp);
    if (this.timestamps.length > this.reached.length) {
      const grown = new Uint8Array(this.reached.length * 2);
      grown.set(this.reached);
      this.reached = grown;
    }
  }

  /** Set genesis once it is known (before the first {@link addVoter}). */
  setGenesis(genesis: string | null): void {
    this.report.genesis = genesis;
  }

  /** Whether a block was registered. */
  hasBlock(id: string): boolean {
    return this.index.has(id);
  }

  /** Analyse one voter's chain (all its links) and its duplicate votes (block ids, once per extra vote). */
  addVoter(voter: string, links: readonly ChainLink[], duplicateBlocks: readonly string[] = []): void {
    const genesis = this.report.genesis;
    const votedOn = new Set<string>();
    const byPrev = new Map<string, string[]>();
    for (const l of links) {
      votedOn.add(l.next);
      const list = byPrev.get(l.prev);
      if (list === undefined) byPrev.set(l.prev, [l.next]); else list.push(l.next);
    }
    for (const l of links) { this.note(l.next, voter); this.note(l.prev, voter); }
    for (const [prev, nexts] of byPrev) {
      const outside = this.selective && !this.index.has(prev);
      if (prev !== genesis && !votedOn.has(prev) && !outside) this.report.missingVotes.push({ block: prev, voter });
      if (nexts.length > 1) this.report.forks.push({ voter, previous: prev, next: [...nexts].sort() });
    }
    const dupCount = new Map<string, number>();
    for (const b of duplicateBlocks) dupCount.set(b, (dupCount.get(b) ?? 0) + 1);
    for (const [block, extra] of dupCount) this.report.duplicates.push({ voter, block, count: extra + 1 });
    this.report.voters.push(this.walk(voter, links.length, byPrev));
  }

  /** Collect everything into a report with findings. */
  finish(): GapReport {
    const missingBlocks: GapReport['missingBlocks'] = [];
    for (const [block, voters] of [...this.missing].sort((a, b) => (a[0] < b[0] ? -1 : 1))) missingBlocks.push({ block, namedBy: [...voters].sort() });
    const unreachable: string[] = [];
    const pending: string[] = [];
    // Genesis is where every chain starts: it needs no link to be reached.
    for (const [id, i] of this.index) {
      if (this.reached[i] !== 0 || id === this.report.genesis) continue;
      (Number(this.timestamps[i]) > this.headTs ? pending : unreachable).push(id);
    }
    unreachable.sort();
    pending.sort();
    const outside = this.selective ? missingBlocks : [];
    const gaps = this.selective ? [] : missingBlocks;
    const perVoter = this.report.voters.map((v) => v.completeThroughTimestamp);
    const completeThroughTimestamp = perVoter.length === 0 || perVoter.some((t) => t === null) ? null
      : perVoter.reduce((a, b) => (BigInt(b!) < BigInt(a!) ? b : a));
    const r = { ...this.report, missingBlocks: gaps, outsideSelection: outside, unreachable, pending, completeThroughTimestamp };
    return { ...r, findings: toFindings(r) };
  }

  private note(id: string, voter: string): void {
    const i = this.index.get(id);
    if (i !== undefined) {
      this.reached[i] = 1;
      const ts = Number(this.timestamps[i]);
      if (ts > this.headTs) this.headTs = ts;
      return;
    }
    const set = this.missing.get(id);
    if (set === undefined) this.missing.set(id, new Set([voter])); else set.add(voter);
  }

  /** Follow the chain from genesis while each step is unique and its block present. */
  private walk(voter: string, votes: number, byPrev: Map<string, string[]>): VoterCompleteness {
    const genesis = this.report.genesis;
    if (genesis === null || !this.index.has(genesis)) {
      return { voter, votes, completeThrough: null, completeThroughTimestamp: null, depth: 0 };
    }
    let cur = genesis;
    let depth = 0;
    for (;;) {
      const nexts = byPrev.get(cur);
      if (nexts === undefined || nexts.length !== 1 || !this.index.has(nexts[0]!) || depth > votes) break;
      cur = nexts[0]!;
      depth++;
    }
    return { voter, votes, completeThrough: cur, completeThroughTimestamp: this.timestamps[this.index.get(cur)!]!, depth };
  }
}

function toFindings(r: Omit<GapReport, 'findings'>): Finding[] {
  const out: Finding[] = [];
  for (const m of r.missingBlocks) out.push(finding('GAP_MISSING_BLOCK', 'block', m.block, `block ${m.block} is named by the vote chain of ${m.namedBy.length} voter(s) but not in the archive`, { namedBy: m.namedBy }));
  for (const m of r.missingVotes) out.push(finding('GAP_MISSING_VOTE', 'vote', `${m.block}/${m.voter}`, `the chain of ${m.voter} passes through block ${m.block} but the archive has no vote by it on that block`, { block: m.block, voter: m.voter }));
  for (const f of r.forks) out.push(finding('GAP_FORK', 'chain', f.voter, `${f.voter} has ${f.next.length} votes naming previous_block ${f.previous}`, { voter: f.voter, previous: f.previous, next: f.next }));
  for (const u of r.unreachable) out.push(finding('GAP_UNREACHABLE_BLOCK', 'block', u, `no vote chain reaches block ${u}`));
  for (const o of r.outsideSelection) out.push(finding('GAP_OUTSIDE_SELECTION', 'block', o.block, `block ${o.block} is named by a vote chain and lies outside this selective archive`, { namedBy: o.namedBy }));
  return out;
}

/**
 * The genesis block when the archive does not hold it: every voter's first vote names
 * it, and nobody votes on it, so it is the previous_block that the most voters name
 * without a vote of their own on it. Blocks the archive holds or that any voter voted
 * on are excluded (a present genesis is known from its GENESIS transaction). Ties go to
 * the smallest id, for determinism; a tie means the chains alone cannot tell genesis
 * from a block lost together with all its votes.
 * @param orphans per voter, the previous_blocks it names but has no vote on
 * @param excluded true for blocks the archive holds or that some vote is on
 */
export function inferGenesis(orphans: readonly (readonly string[])[], excluded: (id: string) => boolean = () => false): string | null {
  const count = new Map<string, number>();
  for (const list of orphans) for (const id of new Set(list)) if (!excluded(id)) count.set(id, (count.get(id) ?? 0) + 1);
  let best: string | null = null;
  let n = 0;
  for (const [id, c] of count) if (c > n || (c === n && best !== null && id < best)) { best = id; n = c; }
  return best;
}

/** A voter's orphan previous_blocks: named by its links, not voted on by it. */
export function orphanPrevs(links: readonly ChainLink[]): string[] {
  const votedOn = new Set(links.map((l) => l.next));
  return [...new Set(links.map((l) => l.prev).filter((p) => !votedOn.has(p)))];
}
