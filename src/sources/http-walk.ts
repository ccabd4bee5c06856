/**
 * Selection walkers over the HTTP API: from transaction ids, owner keys or asset ids to
 * blocks (each followed by its votes), and backwards along votes' `previous_block` to
 * fill gaps. The API has no "list all blocks" endpoint (reference §7), so these walks
 * are the only way to reach blocks; what each can reach is documented on it.
 * Block ids are delivered at most once per run (or per shared `seen` set).
 */
import type { JsonValue } from '../model/json.js';
import type { HttpSource, MissingRef, OutputLink, WalkOptions, WalkReport } from './http-types.js';

export type { WalkOptions, WalkReport, MissingRef } from './http-types.js';
import type { RawDoc } from '../model/documents.js';


type Walk = AsyncGenerator<RawDoc, WalkReport, undefined>;

/**
 * Blocks holding the given transactions: every block `/api/v1/blocks?transaction_id=` names,
 * whatever its status (valid, invalid, undecided). Transactions only in the backlog have no block.
 */
export async function* walkBlocksForTxs(src: HttpSource, ids: Iterable<string>, opts: WalkOptions = {}): Walk {
  const run = new Run(src, opts);
  yield* run.blocksForTxs([...ids]);
  return run.report;
}

/**
 * Blocks reachable from owner keys. `/outputs` lists outputs whose condition names the key,
 * in transactions of blocks the node holds valid or undecided; we fetch every block holding
 * those transactions (including invalid ones). For outputs that are spent we also fetch the
 * spending transactions: the spender is found among `/transactions?asset_id=` of the output's
 * asset, which lists VALID transactions only. Not reachable: transactions only in invalid
 * blocks, spenders that are undecided (reported as missing `spender`), and transactions that
 * merely involve the key elsewhere (e.g. as a co-signer of an input it never held an output for).
 */
export async function* walkBlocksForOwners(src: HttpSource, keys: Iterable<string>, opts: WalkOptions = {}): Walk {
  const run = new Run(src, opts);
  for (const key of new Set(keys)) {
    const all = await src.outputs(key);
    const spent = await src.outputs(key, { spent: true });
    yield* run.blocksForTxs(all.map((l) => l.transaction_id));
    yield* run.spenders(spent);
  }
  return run.report;
}

/**
 * Blocks holding the transactions of assets: `/transactions?asset_id=` lists the asset's
 * CREATE and TRANSFERs that are in a VALID block; every block holding them is fetched.
 * Not reachable: transactions of the asset that never made it into a valid block.
 */
export async function* walkBlocksForAssets(src: HttpSource, ids: Iterable<string>, opts: WalkOptions = {}): Walk {
  const run = new Run(src, opts);
  for (const assetId of new Set(ids)) {
    const txs = await src.transactionsByAsset(assetId);
    if (txs.length === 0) run.miss({ kind: 'asset', id: assetId, reason: 'the node lists no valid transaction of this asset' });
    yield* run.blocksForTxs(txs.map((t) => field(t.doc, 'id')).filter((x): x is string => typeof x === 'string'));
  }
  return run.report;
}

/**
 * Fill gaps: fetch each start block and its votes, then the blocks those votes name as
 * `previous_block`, breadth first, stopping at blocks `has(id)` reports as known and at
 * blocks without votes (genesis). A 404 is reported as missing `block`; votes the node
 * still has on it are delivered and followed, so a lost block does not end the walk.
 * Each voter's chain leads back to genesis (reference §3), so this reaches every block
 * some reachable voter voted on before; blocks nobody voted on after are not reached.
 */
export async function* walkPrevious(src: HttpSource, startIds: Iterable<string>,
  has: (id: string) => boolean | Promise<boolean>, opts: WalkOptions & { maxBlocks?: number } = {}): Walk {
  const run = new Run(src, opts);
  const max = opts.maxBlocks ?? Infinity;
  let frontier = [...new Set(startIds)];
  while (frontier.length > 0) {
    const todo: string[] = [];
    for (const id of frontier) if (!run.seen.has(id) && !todo.includes(id) && !(await has(id))) todo.push(id);
    const room = Math.max(0, max - run.report.blocks);
    run.report.pending.push(...todo.slice(room));
    const next: string[] = [];
    for await (const raw of run.blocks(todo.slice(0, room))) {
      const prev = field(field(raw.doc, 'vote'), 'previous_block');
      if (raw.table === 'votes' && typeof prev === 'string') next.push(prev);
      yield raw;
    }
    frontier = next;
  }
  return run.report;
}

/** State of one walk: dedupe sets, the report, and what fetched blocks taught us. */
class Run {
  readonly report: WalkReport = { blocks: 0, votes: 0, missing: [], pending: [] };
  readonly seen: Set<string>;
  private readonly txsDone = new Set<string>();
  private readonly assetOfTx = new Map<string, string>();
  private readonly assetTxs = new Map<string, RawDoc[]>();
  private readonly width: number;
  private readonly src: HttpSource;
  private readonly opts: WalkOptions;
  constructor(src: HttpSource, opts: WalkOptions) {
    this.src = src;
    this.opts = opts;
    this.seen = opts.seen ?? new Set();
    this.width = Math.max(1, opts.concurrency ?? 4);
  }

  miss(m: MissingRef): void {
    this.report.missing.push(m);
    this.opts.onMissing?.(m);
  }

  /** Fetch unseen blocks (and their votes) side by side, deliver them in order. */
  async *blocks(ids: string[]): AsyncGenerator<RawDoc> {
    const fresh = [...new Set(ids)].filter((id) => !this.seen.has(id));
    for (const id of fresh) this.seen.add(id);
    for (let i = 0; i < fresh.length; i += this.width) {
      const got = await Promise.all(fresh.slice(i, i + this.width).map(async (id) => {
        const [block, votes] = await Promise.all([this.src.block(id), this.src.votes(id)]);
        return { id, block, votes };
      }));
      for (const { id, block, votes } of got) {
        if (block === null) {
          // Votes on a block the node lacks are still evidence (and lead further back): keep them.
          this.miss({ kind: 'block', id, reason: `the node answered 404 for this block (${votes.length} votes on it delivered)` });
        } else {
          this.learn(block);
          this.report.blocks++;
          yield block;
        }
        this.report.votes += votes.length;
        yield* votes;
      }
    }
  }

  async *blocksForTxs(txIds: string[]): AsyncGenerator<RawDoc> {
    const fresh = [...new Set(txIds)].filter((id) => !this.txsDone.has(id));
    for (const id of fresh) this.txsDone.add(id);
    for (let i = 0; i < fresh.length; i += this.width) {
      const part = fresh.slice(i, i + this.width);
      const lists = await Promise.all(part.map((id) => this.src.blockIdsForTx(id)));
      lists.forEach((l, j) => {
        if (l.length === 0) this.miss({ kind: 'tx', id: part[j]!, reason: 'the node names no block holding it' });
      });
      yield* this.blocks(lists.flat());
    }
  }

  /** Find and fetch the valid transactions spending `spent` (see walkBlocksForOwners). */
  async *spenders(spent: OutputLink[]): AsyncGenerator<RawDoc> {
    const wanted = new Map(spent.map((l) => [`${l.transaction_id}:${l.output_index}`, l]));
    const found = new Set<string>();
    const spenderIds: string[] = [];
    for (const txId of new Set(spent.map((l) => l.transaction_id))) {
      const assetId = this.assetOfTx.get(txId) ?? assetOf((await this.src.transaction(txId))?.doc);
      for (const tx of assetId === undefined ? [] : await this.txsOfAsset(assetId)) {
        for (const ref of spentRefs(tx.doc)) {
          if (!wanted.has(ref)) continue;
          found.add(ref);
          const id = field(tx.doc, 'id');
          if (typeof id === 'string') spenderIds.push(id);
        }
      }
    }
    for (const ref of wanted.keys()) {
      if (!found.has(ref)) this.miss({ kind: 'spender', id: ref, reason: 'spent, but no valid transaction of its asset spends it' });
    }
    yield* this.blocksForTxs(spenderIds);
  }

  private async txsOfAsset(assetId: string): Promise<RawDoc[]> {
    let txs = this.assetTxs.get(assetId);
    if (txs === undefined) this.assetTxs.set(assetId, txs = await this.src.transactionsByAsset(assetId));
    return txs;
  }

  /** Remember each transaction's asset id, needed to look for spenders. */
  private learn(block: RawDoc): void {
    const txs = field(field(block.doc, 'block'), 'transactions');
    if (!Array.isArray(txs)) return;
    for (const tx of txs) {
      const id = field(tx, 'id');
      const asset = assetOf(tx);
      if (typeof id === 'string' && asset !== undefined) this.assetOfTx.set(id, asset);
    }
  }
}

/** The asset id of a transaction: its own id for CREATE/GENESIS, `asset.id` for TRANSFER. */
function assetOf(tx: unknown): string | undefined {
  const op = field(tx, 'operation');
  const v = op === 'CREATE' || op === 'GENESIS' ? field(tx, 'id') : field(field(tx, 'asset'), 'id');
  return typeof v === 'string' ? v : undefined;
}

/** `txid:index` of every output a transaction spends (v1.0 and v0.9/0.10 field names). */
function spentRefs(tx: unknown): string[] {
  const inputs = field(tx, 'inputs');
  if (!Array.isArray(inputs)) return [];
  return inputs.flatMap((input) => {
    const f = field(input, 'fulfills');
    const txid = field(f, 'transaction_id') ?? field(f, 'txid');
    const index = field(f, 'output_index') ?? field(f, 'output');
    return typeof txid === 'string' && typeof index === 'number' ? [`${txid}:${index}`] : [];
  });
}

function field(v: unknown, key: string): JsonValue | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, JsonValue>)[key] : undefined;
}
