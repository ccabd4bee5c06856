/**
 * Deterministic ledger builder for tests, fixtures and the benchmark (no Math.random: the
 * same options give the same documents, byte for byte).
 *
 * It plays a BigchainDB 1.x federation: users CREATE assets and TRANSFER outputs they own
 * (divisible amounts, change outputs, several inputs); nodes write blocks (genesis first) and
 * every node votes on every block in ITS OWN delivery order, each vote naming the block that
 * node voted on before (reference §3). Some blocks hold a double spend and are voted invalid
 * (their other transactions go back to the backlog and land in the next block, as in
 * BigchainDB); the newest blocks are left undecided with too few votes.
 *
 * Reordering is bounded so that every block still gets the status the builder intends: when
 * a node takes block i+1 before block i, its votes on i, i+1 and i+2 name other previous
 * blocks than the rest of the federation; BigchainDB only counts valid votes that agree on
 * previous_block (reference §4), so at most ⌈n/2⌉−1 nodes may deviate on any block.
 *
 * `generateLedger` is a generator with bounded memory (100,000+ blocks for the benchmark);
 * `buildLedger` collects a small ledger in memory.
 */
import type { HashName } from '../../src/crypto/hash.js';
import type { FederationFile } from '../../src/model/federation.js';
import type { Block, BlockStatus, Vote } from '../../src/model/types.js';
import { keyFromLabel, makeBlock, makeGenesisTx, makeVote, type KeyPair } from './ledger-docs.js';
import { Rng } from './rng.js';
import { TxFactory } from './ledger-txs.js';

export * from './ledger-docs.js';
export { Rng } from './rng.js';

/** Options of {@link generateLedger}; every one has a default. */
export interface LedgerOptions {
  /** Seed of all keys and choices (default 'ledger-archive'). */
  seed?: string;
  /** Number of blocks after genesis (default 200). */
  blocks?: number;
  /** Inclusive range of new transactions per block (default [1, 50]). */
  txsPerBlock?: readonly [number, number];
  /** Number of federation nodes (default 4). */
  federationSize?: number;
  /** Display names of the nodes (default node-1, node-2, ...). */
  nodeNames?: readonly string[];
  /** Number of users owning assets (default 12). */
  users?: number;
  /** Chance that a block holds a double spend and is voted invalid (default 0.02). */
  invalidFraction?: number;
  /** Exact indices (1-based, genesis is 0) of the blocks to make invalid; overrides invalidFraction. */
  invalidAt?: readonly number[];
  /**
   * Vote counts of the newest blocks, left undecided (each ≤ ⌊n/2⌋, non-increasing: a node
   * that has not voted on one has not voted on the newer ones). Default [⌊n/2⌋, 0].
   */
  undecided?: readonly number[];
  /** Chance that a node takes a block after the next one (default 0.08). */
  reorderRate?: number;
  /** Id hash (default sha3-256). */
  hash?: HashName;
  /** Unix seconds of the genesis block (default 1509955200, 2017-11-06T08:00:00Z). */
  startTime?: number;
  /**
   * Realistic, non-ASCII payloads (default true); false gives tiny payloads for benchmarks;
   * 'odd' gives payloads full of the strings canonical writers get wrong (ledger-data.ts ODD_STRINGS).
   */
  richData?: boolean | 'odd';
}

/** A federation member: its key pair and display name. */
export interface FederationNode extends KeyPair { name: string }

/** One document as the ledger produced it. `index` is the block's height (genesis 0). */
export type LedgerEvent =
  | { kind: 'block'; index: number; block: Block; intended: BlockStatus; genesis: boolean }
  | { kind: 'vote'; index: number; vote: Vote };

/** Counts returned when a {@link generateLedger} run ends. */
export interface LedgerSummary {
  blocks: number;
  votes: number;
  transactions: number;
  creates: number;
  transfers: number;
  valid: number;
  invalid: number;
  undecided: number;
}

/** The nodes of a federation made from `seed` (keys derive from seed and position). */
export function makeFederation(seed: string, size: number, names?: readonly string[]): FederationNode[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('federation size must be a positive integer');
  return Array.from({ length: size }, (_, i) => ({ ...keyFromLabel(`${seed}/node/${i}`), name: names?.[i] ?? `node-${i + 1}` }));
}

/** The users of a ledger made from `seed`. */
export function makeUsers(seed: string, count: number): KeyPair[] {
  return Array.from({ length: count }, (_, i) => keyFromLabel(`${seed}/user/${i}`));
}

/** The federation file (src/model/federation.ts) for `nodes`. */
export function federationFile(nodes: readonly FederationNode[], hash: HashName = 'sha3-256'): FederationFile {
  return { keys: nodes.map((n) => n.publicKey), names: Object.fromEntries(nodes.map((n) => [n.publicKey, n.name])), hash };
}

interface BlockRec { index: number; id: string; ts: number; valid: boolean; reason: string | null }
interface NodeState { last: string; lastTs: number; held: BlockRec | null }

/**
 * Generate a ledger: the genesis block, then each block followed by the votes its arrival
 * triggers (a realistic interleaving). Returns the counts when done.
 */
export function* generateLedger(options: LedgerOptions = {}): Generator<LedgerEvent, LedgerSummary> {
  const seed = options.seed ?? 'ledger-archive';
  const total = options.blocks ?? 200;
  const [lo, hi] = options.txsPerBlock ?? [1, 50];
  const hash = options.hash ?? 'sha3-256';
  const nodes = makeFederation(seed, options.federationSize ?? 4, options.nodeNames);
  const n = nodes.length;
  const undecided = options.undecided ?? [Math.floor(n / 2), 0];
  checkOptions(total, lo, hi, n, undecided);
  const rng = new Rng(`${seed}/ledger`);
  const txs = new TxFactory(rng, makeUsers(seed, options.users ?? 12), hash, options.richData ?? true);
  const reorderRate = options.reorderRate ?? 0.08;
  const invalidSet = options.invalidAt === undefined ? null : new Set(options.invalidAt);
  const lastDecided = total - undecided.length;
  const maxDev = Math.ceil(n / 2) - 1;
  // Python sets iterate in a fixed order per process: each node lists the voters its own way.
  const voterOrder = nodes.map(() => rng.shuffled(nodes.map((x) => x.publicKey)));
  const pendingRank = rng.shuffled(nodes.map((_, i) => i));
  const summary: LedgerSummary = { blocks: 0, votes: 0, transactions: 0, creates: 0, transfers: 0, valid: 0, invalid: 0, undecided: 0 };

  let time = options.startTime ?? 1509955200;
  const g = rng.int(0, n - 1);
  const genesis = makeBlock(nodes[g]!, time, [makeGenesisTx(nodes[g]!, hash)], voterOrder[g]!, hash);
  summary.blocks++;
  summary.undecided++;
  yield { kind: 'block', index: 0, block: genesis, intended: 'undecided', genesis: true };

  const state: NodeState[] = nodes.map(() => ({ last: genesis.id, lastTs: time, held: null }));
  const dev = new Map<number, Set<number>>(); // block index → nodes whose vote names a non-standard previous_block
  let lastInvalid = false;
  const vote = (k: number, b: BlockRec): LedgerEvent => {
    const s = state[k]!;
    const ts = Math.max(s.lastTs, b.ts) + rng.int(0, 2);
    const v = makeVote(nodes[k]!, { votingFor: b.id, previous: s.last, valid: b.valid, invalidReason: b.reason, timestamp: ts });
    s.last = b.id;
    s.lastTs = ts;
    summary.votes++;
    return { kind: 'vote', index: b.index, vote: v };
  };

  for (let i = 1; i <= total; i++) {
    const pending = i > lastDecided;
    const wantInvalid = !pending && !lastInvalid && (invalidSet !== null ? invalidSet.has(i) : rng.chance(options.invalidFraction ?? 0.02));
    const made = txs.block(i, rng.int(lo, hi), wantInvalid);
    lastInvalid = made.doubleSpend !== null;
    time += rng.int(2, 30);
    const creator = rng.int(0, n - 1);
    const block = makeBlock(nodes[creator]!, time, made.transactions, voterOrder[creator]!, hash);
    const intended: BlockStatus = pending ? 'undecided' : lastInvalid ? 'invalid' : 'valid';
    summary.blocks++;
    summary[intended]++;
    summary.transactions += made.transactions.length;
    yield { kind: 'block', index: i, block, intended, genesis: false };

    const rec: BlockRec = { index: i, id: block.id, ts: time, valid: !lastInvalid, reason: made.doubleSpend };
    for (const k of rng.shuffled(nodes.map((_, x) => x))) {
      const s = state[k]!;
      if (s.held !== null) {
        const held = s.held;
        s.held = null;
        yield vote(k, rec);
        yield vote(k, held);
      } else if (pending) {
        if (pendingRank.indexOf(k) < undecided[i - lastDecided - 1]!) yield vote(k, rec);
      } else if (i + 2 <= lastDecided && rng.chance(reorderRate) && mayDeviate(dev, k, i, maxDev)) {
        s.held = rec;
        for (let j = i; j <= i + 2; j++) dev.set(j, (dev.get(j) ?? new Set()).add(k));
      } else {
        yield vote(k, rec);
      }
    }
    dev.delete(i);
  }
  summary.creates = txs.creates;
  summary.transfers = txs.transfers;
  return summary;
}

/** True when node k may deviate on blocks i..i+2 without any block losing its majority. */
function mayDeviate(dev: Map<number, Set<number>>, k: number, i: number, maxDev: number): boolean {
  for (let j = i; j <= i + 2; j++) {
    const s = dev.get(j);
    const count = s === undefined ? 1 : s.size + (s.has(k) ? 0 : 1);
    if (count > maxDev) return false;
  }
  return true;
}

function checkOptions(total: number, lo: number, hi: number, n: number, undecided: readonly number[]): void {
  if (!Number.isInteger(total) || total < 0) throw new RangeError('blocks must be a non-negative integer');
  if (!Number.isInteger(lo) || lo < 1 || hi < lo) throw new RangeError('txsPerBlock must be [lo, hi] with 1 ≤ lo ≤ hi');
  if (undecided.length > total) throw new RangeError('more undecided blocks than blocks');
  undecided.forEach((v, j) => {
    if (!Number.isInteger(v) || v < 0 || 2 * v > n) throw new RangeError(`undecided[${j}] must be an integer in 0..⌊n/2⌋`);
    if (j > 0 && v > undecided[j - 1]!) throw new RangeError('undecided vote counts must not increase');
  });
}

/** A ledger collected in memory (small ledgers: tests and fixtures). */
export interface Ledger {
  nodes: FederationNode[];
  federation: FederationFile;
  /** Every block and vote in the order the federation produced them. */
  events: LedgerEvent[];
  blocks: Block[];
  votes: Vote[];
  /** Intended election status of every block id. */
  statuses: Map<string, BlockStatus>;
  summary: LedgerSummary;
}

/** Build a whole ledger in memory. */
export function buildLedger(options: LedgerOptions = {}): Ledger {
  const seed = options.seed ?? 'ledger-archive';
  const nodes = makeFederation(seed, options.federationSize ?? 4, options.nodeNames);
  const events: LedgerEvent[] = [];
  const gen = generateLedger(options);
  let r = gen.next();
  while (r.done !== true) {
    events.push(r.value);
    r = gen.next();
  }
  const blocks: Block[] = [];
  const votes: Vote[] = [];
  const statuses = new Map<string, BlockStatus>();
  for (const e of events) {
    if (e.kind === 'block') { blocks.push(e.block); statuses.set(e.block.id, e.intended); } else votes.push(e.vote);
  }
  return { nodes, federation: federationFile(nodes, options.hash), events, blocks, votes, statuses, summary: r.value };
}
