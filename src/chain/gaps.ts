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

/** One voter's chain links as interned block numbers (see {@link GapDetector.intern}). */
export interface IndexedLinks { prev: Int32Array; next: Int32Array; n: number }

/**
 * Incremental detector: {@link addBlock} for every block, then {@link addVoter} (or
 * {@link addVoterIndexed}) per voter, then {@link finish}. Block ids are interned to
 * small integers once, so a voter's chain costs two Int32Arrays, not an object and
 * two strings a link: memory stays near the block index however long the chains.
 */
export class GapDetector {
  private readonly index = new Map<string, number>();
  private readonly ids: string[] = [];
  /** Timestamps of held blocks (undefined for ids only named by links). */
  private readonly timestamps: (string | undefined)[] = [];
  private held: Uint8Array = new Uint8Array(1024);
  private reached: Uint8Array = new Uint8Array(1024);
  /** Ids named by links but not held → the voters naming them. */
  private readonly missing = new Map<number, Set<string>>();
  private readonly report: Omit<GapReport, 'findings' | 'completeThroughTimestamp' | 'missingBlocks' | 'outsideSelection' | 'unreachable' | 'pending'>;
  /** Timestamp of the newest held block any link names (the newest chain head); -1 when none. */
  private headTs = -1;
  private readonly selective: boolean;

  constructor(opts: GapOptions) {
    this.report = { genesis: opts.genesis, missingVotes: [], forks: [], duplicates: [], voters: [] };
    this.selective = opts.selective === true;
  }

  /** The number of a block id (held or only named), assigned on first sight. */
  intern(id: string): number {
    let i = this.index.get(id);
    if (i !== undefined) return i;
    i = this.ids.length;
    this.index.set(id, i);
    this.ids.push(id);
    this.timestamps.push(undefined);
    if (i >= this.held.length) {
      this.held = grow(this.held);
      this.reached = grow(this.reached);
    }
    return i;
  }

  /** Register a block the archive holds. */
  addBlock(id: string, timestamp: string): void {
    const i = this.intern(id);
    if (this.held[i] === 1) return;
    this.held[i] = 1;
    this.timestamps[i] = timestamp;
  }

  /** Set genesis once it is known (before the first {@link addVoter}). */
  setGenesis(genesis: string | null): void {
    this.report.genesis = genesis;
  }

  /** Whether a block was registered. */
  hasBlock(id: string): boolean {
    const i = this.index.get(id);
    return i !== undefined && this.held[i] === 1;
  }

  /** Analyse one voter's chain (all its links) and its duplicate votes (block ids, once per extra vote). */
  addVoter(voter: string, links: readonly ChainLink[], duplicateBlocks: readonly string[] = []): void {
    const prev = new Int32Array(links.length);
    const next = new Int32Array(links.length);
    links.forEach((l, k) => { prev[k] = this.intern(l.prev); next[k] = this.intern(l.next); });
    this.addVoterIndexed(voter, { prev, next, n: links.length }, duplicateBlocks);
  }

  /** {@link addVoter} for links already interned (the streaming path of chain/archive.ts). */
  addVoterIndexed(voter: string, links: IndexedLinks, duplicateBlocks: readonly string[] = []): void {
    const { prev, next, n } = links;
    const size = this.ids.length;
    const genesis = this.report.genesis === null ? -1 : this.index.get(this.report.genesis) ?? -1;
    const votedOn = new Uint8Array(size);
    // Links grouped by previous block (counting sort): nexts of p are byPrev[start[p] .. start[p+1]).
    const start = new Int32Array(size + 1);
    for (let k = 0; k < n; k++) { votedOn[next[k]!] = 1; start[prev[k]! + 1]!++; }
    for (let p = 0; p < size; p++) start[p + 1]! += start[p]!;
    const fill = start.slice(0, size);
    const byPrev = new Int32Array(n);
    for (let k = 0; k < n; k++) byPrev[fill[prev[k]!]!++] = next[k]!;
    for (let k = 0; k < n; k++) { this.note(next[k]!, voter); this.note(prev[k]!, voter); }
    // Previous blocks in order of first appearance, as the links were given.
    const seen = new Uint8Array(size);
    for (let k = 0; k < n; k++) {
      const p = prev[k]!;
      if (seen[p] === 1) continue;
      seen[p] = 1;
      const outside = this.selective && this.held[p] === 0;
      if (p !== genesis && votedOn[p] === 0 && !outside) this.report.missingVotes.push({ block: this.ids[p]!, voter });
      if (start[p + 1]! - start[p]! > 1) {
        const nexts = Array.from(byPrev.subarray(start[p]!, start[p + 1]!), (x) => this.ids[x]!);
        this.report.forks.push({ voter, previous: this.ids[p]!, next: nexts.sort() });
      }
    }
    const dupCount = new Map<string, number>();
    for (const b of duplicateBlocks) dupCount.set(b, (dupCount.get(b) ?? 0) + 1);
    for (const [block, extra] of dupCount) this.report.duplicates.push({ voter, block, count: extra + 1 });
    this.report.voters.push(this.walk(voter, n, genesis, start, byPrev));
  }

  /** Collect everything into a report with findings. */
  finish(): GapReport {
    const missingBlocks: GapReport['missingBlocks'] = [];
    const named = [...this.missing].map(([i, voters]) => [this.ids[i]!, voters] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    for (const [block, voters] of named) missingBlocks.push({ block, namedBy: [...voters].sort() });
    const unreachable: string[] = [];
    const pending: string[] = [];
    // Genesis is where every chain starts: it needs no link to be reached.
    for (let i = 0; i < this.ids.length; i++) {
      if (this.held[i] === 0 || this.reached[i] !== 0 || this.ids[i] === this.report.genesis) continue;
      (Number(this.timestamps[i]) > this.headTs ? pending : unreachable).push(this.ids[i]!);
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

  private note(i: number, voter: string): void {
    if (this.held[i] === 1) {
      this.reached[i] = 1;
      const ts = Number(this.timestamps[i]);
      if (ts > this.headTs) this.headTs = ts;
      return;
    }
    const set = this.missing.get(i);
    if (set === undefined) this.missing.set(i, new Set([voter])); else set.add(voter);
  }

  /** Follow the chain from genesis while each step is unique and its block present. */
  private walk(voter: string, votes: number, genesis: number, start: Int32Array, byPrev: Int32Array): VoterCompleteness {
    if (genesis < 0 || this.held[genesis] === 0) {
      return { voter, votes, completeThrough: null, completeThroughTimestamp: null, depth: 0 };
    }
    let cur = genesis;
    let depth = 0;
    for (;;) {
      const from = start[cur]!;
      if (start[cur + 1]! - from !== 1 || this.held[byPrev[from]!] === 0 || depth > votes) break;
      cur = byPrev[from]!;
      depth++;
    }
    return { voter, votes, completeThrough: this.ids[cur]!, completeThroughTimestamp: this.timestamps[cur]!, depth };
  }

  /** A voter's orphan previous_blocks (named, not voted on by it), as ids: for {@link inferGenesis}. */
  orphansOf(links: IndexedLinks): string[] {
    const votedOn = new Set<number>();
    for (let k = 0; k < links.n; k++) votedOn.add(links.next[k]!);
    const out = new Set<number>();
    for (let k = 0; k < links.n; k++) if (!votedOn.has(links.prev[k]!)) out.add(links.prev[k]!);
    return [...out].map((i) => this.ids[i]!);
  }
}

function grow(a: Uint8Array): Uint8Array {
  const grown = new Uint8Array(a.length * 2);
  grown.set(a);
  return grown;
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
