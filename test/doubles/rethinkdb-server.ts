/**
 * A RethinkDB 2.3/2.4 server double for tests: rethinkdb-ts connects to it
 * unchanged on 127.0.0.1 (V1_0 handshake with SCRAM-SHA-256, JSON protocol).
 * It implements exactly the ReQL terms the product uses (see
 * {@link IMPLEMENTED_TERMS}) and refuses every other term with an error naming it.
 *
 * @example
 *   const db = await startRethinkDouble({ users: { admin: '', reader: 's3cret' } });
 *   db.load('bigchain', 'bigchain', blocks);
 *   const conn = await r.connect({ host: db.host, port: db.port });
 *   ...
 *   await db.close();
 */
import { createServer, type Server, type Socket } from 'node:net';
import { DoubleConnection } from './rethinkdb/connection.js';
import { ReqlError } from './rethinkdb/datum.js';
import { evaluate, evaluateIndexFunction, implementedTerms, type QueryContext } from './rethinkdb/eval.js';
import './rethinkdb/terms-admin.js'; // registers the database, table, index, insert and changes terms
import { UserTable, ScramServer } from './rethinkdb/scram.js';
import { Store, type Table } from './rethinkdb/store.js';

/** Names of the ReQL terms the double implements, sorted. */
export const IMPLEMENTED_TERMS: readonly string[] = implementedTerms();

/** Options of {@link startRethinkDouble}. */
export interface RethinkDoubleOptions {
  /** Users and passwords (default `{ admin: '' }`, like a fresh RethinkDB). */
  users?: Record<string, string>;
  /** Rows per cursor batch (default 1000). */
  batchSize?: number;
  /** PBKDF2 iterations of stored passwords (default 4096, RethinkDB's default). */
  iterations?: number;
  /** Version string of the server hello (default "2.3.6"). */
  serverVersion?: string;
}

/** One recorded START query. */
export interface SeenQuery {
  /** Term names in the order they appear in the query, e.g. ['GET_ALL', 'TABLE', 'DB', ...]. */
  terms: string[];
  /** Evaluated global optargs (db, read_mode, ...). */
  optargs: Record<string, unknown>;
  /** The authenticated user. */
  user: string | null;
}

/** A running double and its control API. */
export interface RethinkDouble {
  host: string;
  port: number;
  /** Every START query received, in order. */
  readonly queriesSeen: SeenQuery[];
  /** Number of currently open client connections. */
  readonly connectionCount: number;
  /** Number of changefeeds currently open (over all tables). */
  readonly feedCount: number;
  /** Stop listening and drop every connection. */
  close(): Promise<void>;
  /** Create db/table when missing and insert documents (conflict → throws). */
  load(db: string, table: string, docs: Record<string, unknown>[]): void;
  /** Create db (when missing) and an empty table. */
  createTable(db: string, table: string): void;
  /**
   * Create a secondary index from a wire FUNC term (for example one taken from
   * `r.serialize(...)` of rethinkdb-ts) — tests usually create indexes through the driver.
   */
  createIndex(db: string, table: string, name: string, funcTerm: unknown, opts?: { multi?: boolean }): void;
  /** All documents of a table in primary-key order (copies). */
  rows(db: string, table: string): Record<string, unknown>[];
  /** Index names of a table, sorted. */
  indexes(db: string, table: string): string[];
  /** Keys of an index in index order, as the double evaluated them. */
  indexKeys(db: string, table: string, index: string): unknown[];
  /** Add or change a user. */
  setUser(name: string, password: string): void;
  /** Fault hook: destroy every open client connection now. */
  dropConnections(): void;
  /**
   * Fault hook: after `n` more documents have been sent (over all cursors and
   * feeds), cut the connection that sends the next one. `null` disarms.
   */
  dropAfterDocs(n: number | null): void;
  /** Forget recorded queries. */
  clearQueries(): void;
}

/**
 * Start a double on 127.0.0.1 and an ephemeral port.
 * @param opts users, batch size, PBKDF2 iterations, version string
 * @returns the running double; call `close()` when done
 */
export async function startRethinkDouble(opts: RethinkDoubleOptions = {}): Promise<RethinkDouble> {
  const users = new UserTable(opts.users ?? { admin: '' }, opts.iterations ?? 4096);
  const ctx: QueryContext = { store: undefined as unknown as Store, defaultDb: 'test', readMode: 'single' };
  const store = new Store((fn, doc) => evaluateIndexFunction(ctx, fn, doc));
  ctx.store = store;
  store.createDb('test'); // a fresh RethinkDB has the `test` database
  const queriesSeen: SeenQuery[] = [];
  const conns = new Set<DoubleConnection>();
  const sockets = new Set<Socket>();
  let remaining: number | null = null;

  const hooks = {
    store,
    scram: () => new ScramServer(users),
    batchSize: opts.batchSize ?? 1000,
    serverVersion: opts.serverVersion ?? '2.3.6',
    record: (q: SeenQuery) => { queriesSeen.push(q); },
    budget: (n: number): number => {
      if (remaining === null) return n;
      const allowed = Math.min(n, remaining);
      remaining -= allowed;
      if (allowed < n) remaining = null; // fires once
      return allowed;
    },
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const conn = new DoubleConnection(socket, hooks);
    conns.add(conn);
    socket.on('close', () => { conns.delete(conn); sockets.delete(socket); });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('double: no TCP address');

  const table = (db: string, name: string): Table => store.table(db, name);
  const wrap = <T>(f: () => T): T => {
    try { return f(); } catch (err) {
      if (err instanceof ReqlError) throw new Error(`rethinkdb double: ${err.message}`);
      throw err;
    }
  };

  return {
    host: '127.0.0.1',
    port: address.port,
    queriesSeen,
    get connectionCount() { return conns.size; },
    get feedCount() {
      let n = 0;
      for (const db of store.dbs.values()) for (const t of db.values()) n += t.feeds.size;
      return n;
    },
    close: async () => {
      for (const c of conns) c.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    load: (db, name, docs) => wrap(() => {
      const t = store.ensureTable(db, name);
      for (const d of docs) t.insert(d, 'error');
    }),
    createTable: (db, name) => wrap(() => { if (!store.dbs.has(db)) store.createDb(db); store.createTable(db, name); }),
    createIndex: (db, name, index, funcTerm, o = {}) => wrap(() => {
      table(db, name).createIndex({ name: index, func: evaluate(ctx, funcTerm), multi: o.multi ?? false });
    }),
    rows: (db, name) => wrap(() => structuredClone(table(db, name).rows())),
    indexes: (db, name) => wrap(() => [...table(db, name).indexes.keys()].sort()),
    indexKeys: (db, name, index) => wrap(() => table(db, name).indexEntries(index).map((e) => e.key)),
    setUser: (name, password) => users.set(name, password),
    dropConnections: () => { for (const c of [...conns]) c.destroy(); },
    dropAfterDocs: (n) => { remaining = n; },
    clearQueries: () => { queriesSeen.length = 0; },
  };
}
