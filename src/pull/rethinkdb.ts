/**
 * Pulling from BigchainDB's RethinkDB (docs/spec-pull.md §2): selections through
 * the source's indexes, `--all` by a `block_timestamp` cursor with an overlap,
 * votes of undecided blocks re-read on every pull, and fill-gaps by block id.
 * Every block is delivered with its `assets`/`metadata` rows (stored layouts) and
 * its votes (index `block_and_voter`) in the same ingest run, so re-coupling and
 * elections never wait on another run.
 */
import type { RethinkSource } from '../sources/rethinkdb.js';
import type { Layout, RawDoc, Selection } from '../model/documents.js';
import { hasBlock, namedMissingBlocks, undecidedBlocks } from './state.js';
import type { PullRun } from './run.js';
import { chunks } from '../ingest/chunks.js';

/** The `--all` resume position of a RethinkDB source (sync record `cursor`). */
export interface RethinkCursor {
  /** Greatest `block.timestamp` whose blocks (and everything before them) are committed; null before the first run. */
  blockTimestamp: string | null;
  /** Seconds re-read before `blockTimestamp` on the next pull. */
  overlapSeconds: number;
  /** Set by `--follow` (see pull-follow.ts). */
  follow?: FollowState;
}

/** What `status` shows of a follow: mode and lag. */
export interface FollowState {
  /** True while a follow runs (false once it stopped cleanly). */
  active: boolean;
  /** ISO time the follow started. */
  since: string;
  /** ISO time of the last change received, or null. */
  lastEventAt: string | null;
}

/** Default overlap: BigchainDB block timestamps are whole seconds set by each node's own clock. */
export const DEFAULT_OVERLAP_SECONDS = 120;
/**
 * Blocks per committed run of `--all`. Each run is one ingest, which starts its own
 * verification workers (~0.3 s CPU for two): with 2000 blocks per run that was ~13% of
 * the cost of verifying a 100,000-block ledger. A kill re-reads at most one run.
 */
export const DEFAULT_CHUNK_BLOCKS = 10_000;
/** Blocks per group whose rows and votes are fetched together. */
const GROUP = 64;

/** Compare two block timestamps (decimal strings compare as numbers). */
export function compareTimestamps(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `ts` minus `seconds`, as the index compares it (strings): null (read from the start)
 * when that would change the number of digits or is not a decimal timestamp.
 */
export function rewind(ts: string, seconds: number): string | null {
  if (!/^\d+$/.test(ts)) return null;
  const back = BigInt(ts) - BigInt(Math.max(0, Math.trunc(seconds)));
  const s = back < 0n ? '' : back.toString();
  return s.length === ts.length ? s : null;
}

function fieldOf(v: unknown, k: string): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
}

/** A raw block's `block.timestamp` when it is a string. */
export function blockTimestamp(doc: unknown): string | null {
  const ts = fieldOf(fieldOf(doc, 'block'), 'timestamp');
  return typeof ts === 'string' ? ts : null;
}

function transactions(doc: unknown): unknown[] {
  const txs = fieldOf(fieldOf(doc, 'block'), 'transactions');
  return Array.isArray(txs) ? txs : [];
}

/**
 * Deliver a group of raw blocks with what they need: the `assets` rows of their
 * CREATE/GENESIS transactions stored without `asset` (v1.0+), the `metadata` rows
 * of their transactions stored without `metadata` (v1.3), and their votes.
 *
 * The rows are fetched first and put back into the blocks here (see {@link recoupleRaw}),
 * so ingest's worker pool verifies complete blocks in parallel; handed over stored,
 * a block would be re-coupled and verified on ingest's main thread, one at a time,
 * after reading its rows back from the archive (a pull then cost ~2× verifying alone).
 * The rows are delivered too, first, so the archive stages them as for any source.
 */
export async function* withRowsAndVotes(src: RethinkSource, blocks: RawDoc[], layout: Layout): AsyncGenerator<RawDoc> {
  const assetIds: string[] = [];
  const metaIds: string[] = [];
  for (const b of blocks) {
    for (const tx of transactions(b.doc)) {
      const id = fieldOf(tx, 'id');
      if (typeof id !== 'string') continue;
      if (needsAsset(tx, layout)) assetIds.push(id);
      if (needsMetadata(tx, layout)) metaIds.push(id);
    }
  }
  const assets = new Map<string, RawDoc>();
  const metadata = new Map<string, RawDoc>();
  if (assetIds.length > 0) for await (const r of src.assetsFor(assetIds)) rowInto(assets, r);
  if (metaIds.length > 0) for await (const r of src.metadataFor(metaIds)) rowInto(metadata, r);
  yield* assets.values();
  yield* metadata.values();
  for (const b of blocks) yield recoupleRaw(b, assets, metadata, layout);
  const ids = blocks.map((b) => fieldOf(b.doc, 'id')).filter((id): id is string => typeof id === 'string');
  yield* votesOf(src, ids);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
/** As model/stored.ts: CREATE/GENESIS of a v1.0+ stored layout without `asset`. */
const needsAsset = (tx: unknown, layout: Layout): boolean => (layout === '1.0' || layout === '1.3')
  && isObject(tx) && (tx.operation === 'CREATE' || tx.operation === 'GENESIS') && !('asset' in tx);
/** As model/stored.ts `storedNeeds`: a v1.3 stored transaction (versioned, not v1) without `metadata`. */
const needsMetadata = (tx: unknown, layout: Layout): boolean => layout === '1.3' && isObject(tx) && !('metadata' in tx)
  && 'version' in tx && tx.version !== 1;

function rowInto(rows: Map<string, RawDoc>, r: RawDoc): void {
  const id = fieldOf(r.doc, 'id');
  if (typeof id === 'string' && !rows.has(id)) rows.set(id, r);
}

/**
 * A stored block with its rows put back (model/stored.ts `recoupleBlock` on raw, untrusted
 * input): `asset` is the assets row without `id`; `metadata` the metadata row's `metadata`,
 * or null without a row (v1.3 stores only non-null metadata). The result is not trusted
 * either — ingest verifies it like any block, and a wrong row makes its id mismatch.
 * A block whose asset row the source lacks, or whose shape is unexpected, is delivered
 * as stored: ingest's re-coupler then looks for the row in the archive, or quarantines.
 */
export function recoupleRaw(b: RawDoc, assets: ReadonlyMap<string, RawDoc>, metadata: ReadonlyMap<string, RawDoc>, layout: Layout): RawDoc {
  const inner = fieldOf(b.doc, 'block');
  const txs = fieldOf(inner, 'transactions');
  if (!isObject(b.doc) || !isObject(inner) || !Array.isArray(txs)) return b;
  let changed = false;
  const out: unknown[] = [];
  for (const tx of txs) {
    if (!isObject(tx) || typeof tx.id !== 'string') return b;
    let t = tx;
    if (needsAsset(tx, layout)) {
      const row = assets.get(tx.id)?.doc;
      if (!isObject(row)) return b;
      const { id: _id, ...asset } = row;
      t = withKey(t, 'asset', asset);
    }
    if (needsMetadata(tx, layout)) {
      const row = metadata.get(tx.id)?.doc;
      t = withKey(t, 'metadata', isObject(row) && 'metadata' in row ? row.metadata : null);
    }
    changed ||= t !== tx;
    out.push(t);
  }
  if (!changed) return b;
  const { text: _stored, ...rest } = b; // the text, if any, is the stored form: the document is now `doc`
  return { ...rest, doc: { ...b.doc, block: { ...inner, transactions: out } } };
}

/**
 * `o` with `k` put back where sorted keys have it: RethinkDB returns keys sorted, so the
 * block stays in canonical key order and its JSON.stringify text can be proven canonical
 * in the worker (model/json.ts adoptCanonical) instead of serialized in JavaScript.
 */
function withKey(o: Record<string, unknown>, k: string, v: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let placed = false;
  for (const key of Object.keys(o)) {
    if (!placed && k < key) { out[k] = v; placed = true; }
    out[key] = o[key];
  }
  if (!placed) out[k] = v;
  return out;
}

/** Votes of several blocks: one query per group of blocks (see RethinkSource.votesForBlocks). */
export async function* votesOf(src: RethinkSource, blockIds: string[]): AsyncGenerator<RawDoc> {
  for (let i = 0; i < blockIds.length; i += GROUP) yield* src.votesForBlocks(blockIds.slice(i, i + GROUP));
}

/** Blocks of a selection (tx, owner, asset), each once, with rows and votes: one ingest run. */
export async function pullRethinkSelection(run: PullRun, src: RethinkSource, sel: Selection, layout: Layout): Promise<void> {
  const seen = new Set<unknown>();
  async function* blocks(): AsyncGenerator<RawDoc> {
    const parts: AsyncIterable<RawDoc>[] = [];
    if ((sel.tx ?? []).length > 0) parts.push(src.blocksByTx(sel.tx!));
    if ((sel.owner ?? []).length > 0) parts.push(src.blocksByOwner(sel.owner!));
    if ((sel.asset ?? []).length > 0) parts.push(src.blocksByAsset(sel.asset!));
    for (const p of parts) {
      for await (const b of p) {
        const id = fieldOf(b.doc, 'id');
        if (seen.has(id)) continue;
        seen.add(id);
        yield b;
      }
    }
  }
  await run.ingest((async function* () {
    for await (const g of chunks(blocks(), GROUP, (b) => b.bytes ?? 0, 8 << 20)) yield* withRowsAndVotes(src, g, layout); // at most 8 MiB of blocks held
  })());
}

/** Re-read the votes of every stored block whose election is undecided (one run; the cursor does not move). */
export async function refreshUndecided(run: PullRun, src: RethinkSource): Promise<number> {
  const ids = await undecidedBlocks(run.archive.db);
  if (ids.length > 0) await run.ingest(votesOf(src, ids));
  return ids.length;
}

/** Options of {@link pullRethinkAll}. */
export interface AllOptions { overlapSeconds?: number; chunkBlocks?: number }

/**
 * Everything since the cursor: blocks with `timestamp >= cursor − overlap` in timestamp
 * order, in runs of `chunkBlocks` blocks, each run committing the greatest timestamp
 * it delivered. Killed at any moment, the next pull starts again from the last
 * committed cursor; what it re-reads is stored already and counts as duplicate.
 */
export async function pullRethinkAll(run: PullRun, src: RethinkSource, layout: Layout, opts: AllOptions = {}): Promise<void> {
  const prev = (run.cursor ?? null) as RethinkCursor | null;
  const overlap = opts.overlapSeconds ?? prev?.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS;
  const chunk = Math.max(1, opts.chunkBlocks ?? DEFAULT_CHUNK_BLOCKS);
  let cur: RethinkCursor = { ...(prev ?? {}), blockTimestamp: prev?.blockTimestamp ?? null, overlapSeconds: overlap };
  run.cursor = cur;
  await refreshUndecided(run, src);
  const start = cur.blockTimestamp === null ? null : rewind(cur.blockTimestamp, overlap);
  const it = src.blocksSince(start)[Symbol.asyncIterator]();
  let exhausted = false;
  // The next group's rows and votes are fetched while this group's documents are checked:
  // each group costs a few round trips to the server, which would otherwise add up (issue 13).
  // At most two groups are held (each at most GROUP blocks and 8 MiB of them, SPEC.md §21).
  let ahead: Fetched | null = null;
  const nextGroup = async (limit: number): Promise<Fetched | null> => {
    const group: RawDoc[] = [];
    let held = 0;
    while (group.length < GROUP && group.length < limit && held < (8 << 20)) {
      const step = await it.next();
      if (step.done === true) { exhausted = true; break; }
      group.push(step.value);
      held += step.value.bytes ?? 0;
    }
    return group.length === 0 ? null : { group, docs: collect(withRowsAndVotes(src, group, layout)) };
  };
  try {
    while (!exhausted || ahead !== null) {
      await run.ingest((async function* () {
        let n = 0;
        while (n < chunk) {
          const current = ahead ?? (exhausted ? null : await nextGroup(chunk - n));
          if (current === null) { ahead = null; return; }
          n += current.group.length;
          ahead = n < chunk && !exhausted ? await nextGroup(chunk - n) : null;
          yield* await current.docs;
          for (const b of current.group) {
            const ts = blockTimestamp(b.doc);
            if (ts !== null && (cur.blockTimestamp === null || compareTimestamps(ts, cur.blockTimestamp) > 0)) cur = { ...cur, blockTimestamp: ts };
          }
          run.cursor = cur;
        }
      })());
    }
  } finally {
    await it.return?.(undefined);
  }
}

/** A group of blocks and the promise of all its documents (rows, blocks, votes) in delivery order. */
interface Fetched { group: RawDoc[]; docs: Promise<RawDoc[]> }

function collect(docs: AsyncIterable<RawDoc>): Promise<RawDoc[]> {
  const p = (async () => { const out: RawDoc[] = []; for await (const d of docs) out.push(d); return out; })();
  p.catch(() => undefined); // awaited by its consumer; one abandoned by a failed run must not be unhandled
  return p;
}

/**
 * Fill gaps: fetch the blocks stored votes name but the archive lacks (with their
 * rows and votes), then the ones those votes name, until nothing new is named.
 * Votes on a block the source does not have are fetched too: they are history,
 * and their `previous_block` links lead on past the hole.
 * @returns ids that could not be obtained (absent from the source, or quarantined)
 */
export async function fillGapsRethink(run: PullRun, src: RethinkSource, layout: Layout): Promise<string[]> {
  const tried = new Set<string>();
  for (;;) {
    const todo = (await namedMissingBlocks(run.archive.db)).filter((id) => !tried.has(id));
    if (todo.length === 0) break;
    todo.forEach((id) => tried.add(id));
    await run.ingest((async function* () {
      for (let i = 0; i < todo.length; i += GROUP) {
        const ids = todo.slice(i, i + GROUP);
        const found: RawDoc[] = [];
        for await (const b of src.blocksById(ids)) found.push(b);
        if (found.length > 0) yield* withRowsAndVotes(src, found, layout);
        // Votes on a block the source lost still name the blocks before it: keep following.
        const held = new Set(found.map((b) => fieldOf(b.doc, 'id')));
        yield* votesOf(src, ids.filter((id) => !held.has(id)));
      }
    })());
  }
  const unresolved: string[] = [];
  for (const id of tried) if (!(await hasBlock(run.archive.db, id))) unresolved.push(id);
  return unresolved.sort();
}
