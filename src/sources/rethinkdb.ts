/**
 * BigchainDB's RethinkDB as a source (SPEC.md §11, reference §6): blocks and
 * votes read through BigchainDB's own secondary indexes, as cursors (bounded
 * memory), with `read_mode: 'majority'` so nothing a minority holds is reported.
 * Every document is yielded untrusted as a {@link RawDoc}; ingest verifies it.
 *
 * Multi-index queries (transaction_id, asset_id, outputs) can return one block
 * several times (RethinkDB returns one row per matching index entry), so each
 * call yields a block once, keeping the ids it has yielded.
 */
import { r, type Connection, type RDatum, type RQuery } from 'rethinkdb-ts';
import type { Layout, RawDoc, TableName } from '../model/documents.js';
import { connectRethink, READ_OPTIONS, rethinkError, rowLimitProblem, runNames, runOne, streamRows, type RethinkConnectOptions } from './rethinkdb-conn.js';
import type { RethinkUrl } from './rethinkdb-url.js';

export { parseRethinkUrl, redactUrl, PASSWORD_ENV, type RethinkUrl } from './rethinkdb-url.js';
export { openRethinkTarget, type RethinkTarget } from './rethinkdb-target.js';

/** Options of {@link openRethinkSource}. */
export interface RethinkSourceOptions extends RethinkConnectOptions {
  /** The parsed address (see parseRethinkUrl). */
  url: RethinkUrl;
  /** Ids per get_all query (default 256). */
  chunk?: number;
}

/** Reading side of a BigchainDB RethinkDB database. */
export interface RethinkSource {
  readonly url: RethinkUrl;
  /** Storage layout from the tables present (and the newest block's tx version). */
  detectLayout(): Promise<Layout>;
  /** Blocks holding any of the transactions (index transaction_id). */
  blocksByTx(ids: Iterable<string>): AsyncIterable<RawDoc>;
  /** Blocks with an output to any of the keys (index outputs; scan when it is missing). */
  blocksByOwner(keys: Iterable<string>): AsyncIterable<RawDoc>;
  /** Blocks of the assets: TRANSFERs (index asset_id) and the CREATE (transaction_id = asset id). */
  blocksByAsset(ids: Iterable<string>): AsyncIterable<RawDoc>;
  /** Blocks with `block.timestamp >= since` in timestamp order (index block_timestamp). */
  blocksSince(since: string | null): AsyncIterable<RawDoc>;
  /** One block by id, or null. */
  blockById(id: string): Promise<RawDoc | null>;
  /** The blocks of these ids that the source holds (one get_all query per chunk of ids). */
  blocksById(ids: Iterable<string>): AsyncIterable<RawDoc>;
  /** All votes on a block (index block_and_voter). */
  votesForBlock(blockId: string): AsyncIterable<RawDoc>;
  /** All votes on the blocks, block after block: one query per `chunk` blocks (index block_and_voter). */
  votesForBlocks(blockIds: Iterable<string>): AsyncIterable<RawDoc>;
  /** Rows of `assets` for the transaction ids (v1.0+). */
  assetsFor(txIds: Iterable<string>): AsyncIterable<RawDoc>;
  /** Rows of `metadata` for the transaction ids (v1.3). */
  metadataFor(txIds: Iterable<string>): AsyncIterable<RawDoc>;
  /** New and changed rows of the tables, as they happen (changefeeds); runs until closed. */
  changes(tables: TableName[]): AsyncIterable<RawDoc>;
  /** Close the connection (running cursors and feeds end with LEDGER_SOURCE). */
  close(): Promise<void>;
}

/**
 * Connect to a BigchainDB RethinkDB database.
 * @param opts `url` from parseRethinkUrl, connect timeout, ids per query
 * @returns the source; call `close()` when done
 * @throws LEDGER_SOURCE when the server cannot be reached or refuses the user
 * @example
 *   const src = await openRethinkSource({ url: parseRethinkUrl('rethinkdb://localhost/bigchain') });
 *   for await (const b of src.blocksByTx([txid])) console.log(b.origin);
 */
export async function openRethinkSource(opts: RethinkSourceOptions): Promise<RethinkSource> {
  const { url } = opts;
  const chunkSize = opts.chunk ?? 256;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError('chunk must be a positive integer');
  const conn = await connectRethink(url, 'LEDGER_SOURCE', opts);
  const table = (t: TableName) => r.db(url.db).table(t);
  const raw = (t: TableName, doc: unknown): RawDoc => {
    const id = (doc as { id?: unknown } | null)?.id;
    const origin = `rethinkdb://${url.host}:${url.port}/${url.db}/${t}/${typeof id === 'string' && id.length <= 128 ? id : String(typeof id === 'object' ? '?' : id).slice(0, 128)}`;
    const size = { bytes: 0 };
    const over = rowLimitProblem(t, doc, size); // before anything walks the row (SPEC.md §21)
    return over === null ? { table: t, doc, origin, bytes: size.bytes } : { table: t, doc: null, origin, invalid: over.message, limit: over.limit };
  };
  async function* rows(t: TableName, what: string, q: RQuery, dedupe: Set<unknown> | null = null): AsyncGenerator<RawDoc> {
    for await (const doc of streamRows(conn, url, 'LEDGER_SOURCE', what, q)) {
      const id = (doc as { id?: unknown } | null)?.id;
      if (dedupe !== null) { if (dedupe.has(id)) continue; dedupe.add(id); }
      yield raw(t, doc);
    }
  }
  async function* byIndex(t: TableName, index: string | null, keys: Iterable<string>, what: string,
    seen: Set<unknown> = new Set()): AsyncGenerator<RawDoc> {
    for (const ids of chunks(keys, chunkSize)) {
      const opt = index === null ? [] : [{ index }];
      yield* rows(t, what, table(t).getAll(...ids, ...opt), seen);
    }
  }
  const votesTable = table('votes');
  /**
   * BigchainDB has no index on `voting_for_block` alone, only the compound
   * `[block, voter]`: one `between` per block, all of a chunk in one query through
   * `concatMap` over the ids (a stream on the real server, block after block; within a
   * block in no particular order). Checked against RethinkDB 2.4 (SPEC.md §20).
   */
  async function* votesForBlocks(blockIds: Iterable<string>): AsyncGenerator<RawDoc> {
    for (const ids of chunks(blockIds, chunkSize)) {
      yield* rows('votes', 'votes for blocks', r.expr(ids).concatMap((id: RDatum) => votesTable
        .between([id, r.minval], [id, r.maxval], { index: 'block_and_voter' })) as unknown as RQuery);
    }
  }
  const indexList = async (t: TableName): Promise<string[]> =>
    runNames(conn, url, 'LEDGER_SOURCE', `index_list of ${t}`, table(t).indexList() as RQuery<string[]>);

  return {
    url,
    detectLayout: () => detectLayout(conn, url),
    blocksByTx: (ids) => byIndex('bigchain', 'transaction_id', ids, 'blocks by transaction'),
    async *blocksByOwner(keys) {
      const wanted = [...keys];
      if ((await indexList('bigchain')).includes('outputs')) {
        yield* byIndex('bigchain', 'outputs', wanted, 'blocks by owner');
        return;
      }
      // Fallback (database made without BigchainDB's `outputs` index): scan every
      // block and match output keys here, so no extra ReQL is needed server-side.
      const set = new Set(wanted);
      for await (const doc of rows('bigchain', 'blocks by owner (scan)', table('bigchain'))) {
        if (outputKeys(doc.doc).some((k) => set.has(k))) yield doc;
      }
    },
    async *blocksByAsset(ids) {
      const list = [...ids];
      const seen = new Set<unknown>();
      yield* byIndex('bigchain', 'transaction_id', list, 'CREATE blocks of assets', seen);
      yield* byIndex('bigchain', 'asset_id', list, 'blocks by asset', seen);
    },
    blocksSince: (since) => rows('bigchain', 'blocks since', table('bigchain')
      .between(since ?? r.minval, r.maxval, { index: 'block_timestamp', leftBound: 'closed' })
      .orderBy({ index: 'block_timestamp' })),
    async blockById(id) {
      const doc = await runOne(conn, url, 'LEDGER_SOURCE', 'block by id', table('bigchain').get(id) as RQuery<unknown>);
      return doc === null || doc === undefined ? null : raw('bigchain', doc);
    },
    blocksById: (ids) => byIndex('bigchain', null, ids, 'blocks by id'),
    votesForBlock: (id) => votesForBlocks([id]),
    votesForBlocks,
    assetsFor: (txIds) => byIndex('assets', null, txIds, 'assets'),
    metadataFor: (txIds) => byIndex('metadata', null, txIds, 'metadata'),
    changes(tables) {
      const ac = new AbortController();
      return mergeFeeds(tables.map((t) => feed(conn, url, t, raw, ac.signal)), ac);
    },
    close: async () => { await conn.close().catch(() => undefined); },
  };
}

/** Split an iterable of ids into arrays of at most `n` (skipping duplicates). */
function* chunks(ids: Iterable<string>, n: number): Generator<string[]> {
  let cur: string[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    cur.push(id);
    if (cur.length === n) { yield cur; cur = []; }
  }
  if (cur.length > 0) yield cur;
}

/** All `outputs[].public_keys[]` of a block's transactions (what the outputs index holds). */
export function outputKeys(block: unknown): string[] {
  const txs = (block as { block?: { transactions?: unknown } } | null)?.block?.transactions;
  if (!Array.isArray(txs)) return [];
  return txs.flatMap((tx) => {
    const outs = (tx as { outputs?: unknown } | null)?.outputs;
    return Array.isArray(outs) ? outs.flatMap((o) => {
      const keys = (o as { public_keys?: unknown } | null)?.public_keys;
      return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
    }) : [];
  });
}

/**
 * Layout from the tables (reference §6): `metadata` → 1.3, `assets` → 1.0;
 * otherwise the newest block's transaction version tells 0.9 from 0.10.
 */
async function detectLayout(conn: Connection, url: RethinkUrl): Promise<Layout> {
  const tables = await runNames(conn, url, 'LEDGER_SOURCE', 'table_list', r.db(url.db).tableList() as RQuery<string[]>);
  if (!tables.includes('bigchain')) {
    throw rethinkError('LEDGER_SOURCE', url, 'layout detection', new Error(`no bigchain table in database ${url.db} (not a BigchainDB database)`));
  }
  if (tables.includes('metadata')) return '1.3';
  if (tables.includes('assets')) return '1.0';
  const blocks = r.db(url.db).table('bigchain');
  const indexes = await runNames(conn, url, 'LEDGER_SOURCE', 'index_list of bigchain', blocks.indexList() as RQuery<string[]>);
  // Without BigchainDB's timestamp index any block will do (all blocks of a 0.9/0.10 ledger share the version).
  const sample = indexes.includes('block_timestamp') ? blocks.orderBy({ index: r.desc('block_timestamp') }).limit(1) : blocks.limit(1);
  const newest = await runOne(conn, url, 'LEDGER_SOURCE', 'newest block', sample as RQuery<unknown[]>, READ_OPTIONS);
  const first = (newest[0] as { block?: { transactions?: Array<{ version?: unknown }> } } | undefined)?.block?.transactions?.[0];
  return first?.version === '0.9' ? '0.9' : '0.10';
}

function feed(conn: Connection, url: RethinkUrl, t: TableName, raw: (t: TableName, d: unknown) => RawDoc,
  signal: AbortSignal): AsyncGenerator<RawDoc> {
  // No read_mode here: changefeeds report writes as the primary applies them.
  const q = r.db(url.db).table(t).changes() as unknown as RQuery;
  return (async function* () {
    for await (const change of streamRows(conn, url, 'LEDGER_SOURCE', `changefeed on ${t}`, q, { timeFormat: 'raw', binaryFormat: 'raw' }, signal)) {
      const next = (change as { new_val?: unknown }).new_val;
      if (next !== null && next !== undefined) yield raw(t, next); // deletions carry no document
    }
  })();
}

/**
 * Interleave several async iterators; an error in any ends all (and is rethrown).
 * On exit `ac` is aborted first: that closes the cursors, so iterators parked on
 * a feed finish and can be returned.
 */
async function* mergeFeeds<T>(its: AsyncGenerator<T>[], ac: AbortController): AsyncGenerator<T> {
  const pending = new Map<number, Promise<{ i: number; step: IteratorResult<T> }>>();
  const pull = (i: number): void => {
    pending.set(i, (its[i] as AsyncGenerator<T>).next().then((step) => ({ i, step })));
  };
  its.forEach((_it, i) => pull(i));
  try {
    while (pending.size > 0) {
      const { i, step } = await Promise.race(pending.values());
      if (step.done === true) { pending.delete(i); continue; }
      pull(i);
      yield step.value;
    }
  } finally {
    ac.abort();
    await Promise.all([...pending.values()].map((p) => p.catch(() => undefined)));
    await Promise.all(its.map((it) => it.return(undefined).catch(() => undefined)));
  }
}

/** The value type of an index function argument (re-exported for schema users). */
export type { RDatum };
