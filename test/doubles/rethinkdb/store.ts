/**
 * In-memory data model of the RethinkDB test double: databases → tables
 * (primary key `id`) → documents, secondary indexes whose functions are ReQL
 * FUNC terms evaluated by the double's evaluator, and changefeed listeners.
 *
 * Index entries follow RethinkDB: a document whose index function errors or
 * yields an invalid key (null, object) is left out of that index; a multi index
 * gets one entry per array element, duplicates included (rethinkdb/docs#580).
 */
import { randomUUID } from 'node:crypto';
import { compareDatum, equalDatum, isIndexableKey, isObject, ReqlError, ERR } from './datum.js';

/** Evaluates an index function (the FUNC term) on one document. */
export type IndexFn = (fn: unknown, doc: unknown) => unknown;

/** One secondary index as created by index_create. */
export interface IndexDef {
  name: string;
  /** The FUNC term as the client sent it (index_list/index_status show it as opaque). */
  func: unknown;
  multi: boolean;
}

/** One index entry: the key and the document's primary key. */
export interface IndexEntry { key: unknown; pk: unknown }

/** A change as a changefeed delivers it. */
export interface Change { new_val: unknown; old_val: unknown }

/** One table: documents by primary key (JSON of the key), indexes, feeds. */
export class Table {
  readonly db: string;
  readonly name: string;
  readonly primaryKey = 'id';
  readonly docs = new Map<string, Record<string, unknown>>();
  readonly indexes = new Map<string, IndexDef>();
  readonly feeds = new Set<(c: Change) => void>();
  private readonly entries = new Map<string, IndexEntry[]>();
  private readonly evalIndex: IndexFn;

  constructor(db: string, name: string, evalIndex: IndexFn) {
    this.db = db;
    this.name = name;
    this.evalIndex = evalIndex;
  }

  /** `db.table` as RethinkDB prints it in messages. */
  get qualified(): string { return `${this.db}.${this.name}`; }

  /** All documents in primary-key order. */
  rows(): Record<string, unknown>[] {
    return [...this.docs.values()].sort((a, b) => compareDatum(a[this.primaryKey], b[this.primaryKey]));
  }

  /**
   * All documents in a table scan's order. The real server's scan order is not the
   * primary-key order (it reads the table's hash shards in turn), so nothing may rely on
   * it; the double scans in an order of its own (by a hash of the key) to keep it so.
   */
  scan(): Record<string, unknown>[] {
    return shardOrder([...this.docs.values()], this.primaryKey);
  }

  /** A document by primary key, or null. */
  get(pk: unknown): Record<string, unknown> | null {
    return this.docs.get(JSON.stringify(pk)) ?? null;
  }

  /** Index entries sorted by (key, pk), rebuilt lazily after writes. */
  indexEntries(name: string): IndexEntry[] {
    const def = this.indexes.get(name);
    if (def === undefined) {
      throw new ReqlError(`Index \`${name}\` was not found on table \`${this.qualified}\`.`, ERR.OP_FAILED);
    }
    let list = this.entries.get(name);
    if (list === undefined) {
      list = [];
      for (const doc of this.docs.values()) list.push(...this.keysOf(def, doc));
      list.sort((a, b) => compareDatum(a.key, b.key) || compareDatum(a.pk, b.pk));
      this.entries.set(name, list);
    }
    return list;
  }

  private keysOf(def: IndexDef, doc: Record<string, unknown>): IndexEntry[] {
    let value: unknown;
    try {
      value = this.evalIndex(def.func, doc);
    } catch (err) {
      if (err instanceof ReqlError) return []; // not indexed, as in RethinkDB
      throw err;
    }
    const keys = def.multi && Array.isArray(value) ? value : [value];
    if (!keys.every(isIndexableKey)) return [];
    return keys.map((key) => ({ key, pk: doc[this.primaryKey] }));
  }

  /** Add an index (throws OP_FAILED when it exists). */
  createIndex(def: IndexDef): void {
    if (this.indexes.has(def.name)) {
      throw new ReqlError(`Index \`${def.name}\` already exists on table \`${this.qualified}\`.`, ERR.OP_FAILED);
    }
    this.indexes.set(def.name, def);
  }

  /**
   * Insert one document with RethinkDB's conflict rules.
   * @returns which counter of the insert result the document adds to.
   */
  insert(doc: Record<string, unknown>, conflict: 'error' | 'replace' | 'update'):
    { outcome: 'inserted' | 'replaced' | 'unchanged'; generatedKey?: string } {
    let generatedKey: string | undefined;
    if (doc[this.primaryKey] === undefined) {
      generatedKey = randomUUID();
      doc = { ...doc, [this.primaryKey]: generatedKey };
    }
    const pk = doc[this.primaryKey];
    if (!isIndexableKey(pk)) {
      throw new ReqlError(`Primary keys must be either a number, string, bool, pseudotype or array (got type ${typeof pk}).`);
    }
    if (typeof pk === 'string' && Buffer.byteLength(pk, 'utf8') > 127) {
      throw new ReqlError(`Primary key too long (max 127 characters): ${JSON.stringify(pk)}`);
    }
    const key = JSON.stringify(pk);
    const old = this.docs.get(key) ?? null;
    if (old !== null) {
      if (conflict === 'error') {
        throw new ReqlError(`Duplicate primary key \`${this.primaryKey}\`:\n${JSON.stringify(old, null, 1)}\n${JSON.stringify(doc, null, 1)}`, ERR.OP_FAILED);
      }
      const next = conflict === 'update' ? { ...old, ...doc } : doc;
      if (equalDatum(old, next)) return { outcome: 'unchanged' };
      this.write(key, next, old);
      return { outcome: 'replaced' };
    }
    this.write(key, doc, null);
    return generatedKey === undefined ? { outcome: 'inserted' } : { outcome: 'inserted', generatedKey };
  }

  private write(key: string, doc: Record<string, unknown>, old: Record<string, unknown> | null): void {
    this.docs.set(key, structuredClone(doc));
    this.entries.clear();
    for (const feed of [...this.feeds]) feed({ new_val: structuredClone(doc), old_val: old });
  }
}

/** All databases of one double. */
export class Store {
  readonly dbs = new Map<string, Map<string, Table>>();
  private readonly evalIndex: IndexFn;

  constructor(evalIndex: IndexFn) { this.evalIndex = evalIndex; }

  /** The database, or an OP_FAILED error like the real server's. */
  db(name: string): Map<string, Table> {
    const db = this.dbs.get(name);
    if (db === undefined) throw new ReqlError(`Database \`${name}\` does not exist.`, ERR.OP_FAILED);
    return db;
  }

  /** The table, or an OP_FAILED error naming `db.table`. */
  table(db: string, name: string): Table {
    const t = this.db(db).get(name);
    if (t === undefined) throw new ReqlError(`Table \`${db}.${name}\` does not exist.`, ERR.OP_FAILED);
    return t;
  }

  createDb(name: string): void {
    if (this.dbs.has(name)) throw new ReqlError(`Database \`${name}\` already exists.`, ERR.OP_FAILED);
    this.dbs.set(name, new Map());
  }

  createTable(db: string, name: string): Table {
    const tables = this.db(db);
    if (tables.has(name)) throw new ReqlError(`Table \`${db}.${name}\` already exists.`, ERR.OP_FAILED);
    const t = new Table(db, name, this.evalIndex);
    tables.set(name, t);
    return t;
  }

  /** Create the database and table when missing (control API convenience). */
  ensureTable(db: string, name: string): Table {
    if (!this.dbs.has(db)) this.createDb(db);
    return this.db(db).get(name) ?? this.createTable(db, name);
  }
}

/** True for a document (object) that can be stored. */
export function isDocument(v: unknown): v is Record<string, unknown> {
  return isObject(v);
}

/**
 * Rows in the double's stand-in for the real server's unordered reads (table scans,
 * `between`/`get_all` without `order_by`): by a hash of the primary key, stable.
 */
export function shardOrder<T>(rows: T[], primaryKey = 'id'): T[] {
  const h = (d: T): number => fnv1a(JSON.stringify((d as Record<string, unknown>)[primaryKey]));
  return rows.map((d, i) => ({ d, i, k: h(d) })).sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.d);
}

/** 32-bit FNV-1a of a string (the double's scan order). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return h >>> 0;
}
