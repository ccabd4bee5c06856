/**
 * A RethinkDB database as a rebuild target: create BigchainDB's schema for a
 * layout (rethinkdb-schema.ts), add the secondary indexes to a restored dump,
 * insert documents in batches with `durability: 'hard'`, and read tables back.
 *
 * Inserts use conflict `error`: a rebuild writes into an empty database, so a
 * duplicate primary key means the input or the target is not what the caller
 * thinks, and it is reported, not overwritten.
 */
import { r, type RQuery } from 'rethinkdb-ts';
import { LedgerError } from '../errors.js';
import { isJsonFloat, MAX_NESTING } from '../model/json.js';
import { connectRethink, rethinkError, runOne, streamRows, type RethinkConnectOptions } from './rethinkdb-conn.js';
import { indexesFor, tablesFor } from './rethinkdb-schema.js';
import type { RethinkUrl } from './rethinkdb-url.js';
import type { Layout, RawDoc, TableName } from '../model/documents.js';

/** Options of {@link openRethinkTarget}. */
export interface RethinkTargetOptions extends RethinkConnectOptions {
  url: RethinkUrl;
}

/** Counters of {@link RethinkTarget.insert}. */
export interface InsertResult { inserted: number; batches: number }

/** Writing side of a RethinkDB database. */
export interface RethinkTarget {
  readonly url: RethinkUrl;
  /** Create the database, the layout's tables and indexes, then wait for the indexes. */
  createDatabase(layout: Layout): Promise<void>;
  /** Create the layout's secondary indexes that are missing (after `rethinkdb restore`); returns `table.index` names created. */
  createIndexes(layout: Layout): Promise<string[]>;
  /** Insert documents in batches (default 200) with durability hard. */
  insert(table: TableName, docs: Iterable<unknown> | AsyncIterable<unknown>, opts?: { batch?: number }): Promise<InsertResult>;
  /** True when the database is absent or all its tables are empty. */
  isEmpty(): Promise<boolean>;
  /** Every row of a table (a cursor; order is RethinkDB's). */
  readBack(table: TableName): AsyncIterable<RawDoc>;
  close(): Promise<void>;
}

const SIDE = 'LEDGER_TARGET';

/**
 * Turn a parsed document into plain JSON for the driver: JsonFloat → number,
 * bigint → number when exact. RethinkDB stores doubles, so a bigger integer
 * cannot be stored faithfully and is refused.
 * @throws LEDGER_TARGET for an integer beyond 2^53
 */
export function toPlainJson(v: unknown): unknown {
  if (isJsonFloat(v)) return Number(v);
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new LedgerError(SIDE, `integer ${v} cannot be stored exactly in RethinkDB (numbers are doubles)`, { value: v.toString() });
    }
    return Number(v);
  }
  if (Array.isArray(v)) return v.map(toPlainJson);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toPlainJson(x);
    return out;
  }
  return v;
}

/**
 * Connect to a RethinkDB server as a rebuild target.
 * @throws LEDGER_TARGET when it cannot connect or authenticate
 */
export async function openRethinkTarget(opts: RethinkTargetOptions): Promise<RethinkTarget> {
  const { url } = opts;
  const conn = await connectRethink(url, SIDE, opts);
  const run = <T>(what: string, q: RQuery<T>): Promise<T> => runOne(conn, url, SIDE, what, q, {});
  const db = r.db(url.db);
  const tableNames = async (): Promise<string[] | null> => {
    const dbs = await run('db_list', r.dbList() as RQuery<string[]>);
    return dbs.includes(url.db) ? run('table_list', db.tableList() as RQuery<string[]>) : null;
  };

  async function createIndexes(layout: Layout): Promise<string[]> {
    const created: string[] = [];
    const touched = new Set<TableName>();
    const existing = new Map<TableName, string[]>();
    for (const spec of indexesFor(layout)) {
      if (!existing.has(spec.table)) existing.set(spec.table, await run(`index_list of ${spec.table}`, db.table(spec.table).indexList() as RQuery<string[]>));
      if (existing.get(spec.table)?.includes(spec.name) === true) continue;
      await run(`index_create ${spec.table}.${spec.name}`, db.table(spec.table).indexCreate(spec.name, spec.fn, { multi: spec.multi }) as RQuery);
      created.push(`${spec.table}.${spec.name}`);
      touched.add(spec.table);
    }
    for (const t of touched) await run(`index_wait on ${t}`, db.table(t).indexWait() as RQuery);
    return created;
  }

  return {
    url,
    async createDatabase(layout) {
      const tables = await tableNames();
      const wanted = tablesFor(layout);
      const clash = (tables ?? []).filter((t) => wanted.includes(t as TableName));
      if (clash.length > 0) {
        throw new LedgerError(SIDE, `${String(url)}: database ${url.db} already has tables ${clash.join(', ')}`, { host: url.host, port: url.port, db: url.db, tables: clash });
      }
      if (tables === null) await run(`db_create ${url.db}`, r.dbCreate(url.db) as RQuery);
      for (const t of wanted) await run(`table_create ${t}`, db.tableCreate(t) as RQuery);
      await createIndexes(layout);
    },
    createIndexes,
    async insert(table, docs, o = {}) {
      const size = o.batch ?? 200;
      if (!Number.isInteger(size) || size < 1) throw new RangeError('batch must be a positive integer');
      const result: InsertResult = { inserted: 0, batches: 0 };
      let batch: unknown[] = [];
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        let query: RQuery<{ inserted: number; errors: number; first_error?: string }>;
        try {
          // The driver refuses data nested deeper than 20 levels unless told (so does Python's;
          // BigchainDB wrote blocks as r.json(text)); the server takes what the archive holds.
          query = db.table(table).insert(r.expr(batch, MAX_NESTING + 2), { durability: 'hard', conflict: 'error' }) as RQuery<{ inserted: number; errors: number; first_error?: string }>;
        } catch (err) {
          throw rethinkError(SIDE, url, `insert into ${table}`, err);
        }
        const res = await run(`insert into ${table}`, query);
        if (res.errors > 0) {
          throw new LedgerError(SIDE, `${String(url)}: insert into ${table} refused ${res.errors} document(s): ${res.first_error?.split('\n')[0] ?? ''}`, { host: url.host, db: url.db, table, errors: res.errors, inserted: res.inserted });
        }
        result.inserted += res.inserted;
        result.batches += 1;
        batch = [];
      };
      for await (const d of docs as AsyncIterable<unknown>) {
        batch.push(toPlainJson(d));
        if (batch.length >= size) await flush();
      }
      await flush();
      return result;
    },
    async isEmpty() {
      const tables = await tableNames();
      if (tables === null) return true;
      for (const t of tables) {
        if ((await run(`count of ${t}`, db.table(t).count() as RQuery<number>)) > 0) return false;
      }
      return true;
    },
    async *readBack(table) {
      for await (const doc of streamRows(conn, url, SIDE, `read back ${table}`, db.table(table) as unknown as RQuery)) {
        yield { table, doc, origin: `rethinkdb://${url.host}:${url.port}/${url.db}/${table}/${String((doc as { id?: unknown }).id)}` };
      }
    },
    close: async () => { await conn.close().catch(() => undefined); },
  };
}
