/**
 * Administrative and write terms of the RethinkDB test double (databases,
 * tables, indexes, get/get_all/between selections, insert, changes), registered
 * into the evaluator of eval.ts. Import this module before serving queries.
 */
import { compileError, ERR, ReqlError, typeName } from './datum.js';
import {
  bool, checkReadMode, datum, DbRef, def, evaluate, Feed, fieldNames, func, indexName, rowsInRange,
  Single, str, Stream, T, table, TableRef, type Ctx,
} from './eval.js';
import { isDocument, shardOrder } from './store.js';

def(T.DB, 1, 1, [], (c, a) => {
  const n = str(a[0], 'database name');
  if (n === 'rethinkdb' && !c.q.store.dbs.has(n)) throw compileError('The system database `rethinkdb` is not implemented by the double.');
  c.q.store.db(n);
  return new DbRef(n);
});
// The real server lists its system database `rethinkdb` too (the double serves no table of it).
def(T.DB_LIST, 0, 0, [], (c) => [...new Set(['rethinkdb', ...c.q.store.dbs.keys()])].sort());
def(T.DB_CREATE, 1, 1, [], (c, a) => {
  const n = str(a[0], 'database name');
  c.q.store.createDb(n);
  return { dbs_created: 1, config_changes: [{ old_val: null, new_val: { id: n, name: n } }] };
});
def(T.TABLE_LIST, 0, 1, [], (c, a) => [...c.q.store.db(dbOf(c, a[0])).keys()].sort());
def(T.TABLE_CREATE, 1, 2, ['primary_key', 'durability', 'shards', 'replicas'], (c, a, opt) => {
  const [dbArg, nameArg] = a.length === 2 ? a : [undefined, a[0]];
  if (opt.primary_key !== undefined && opt.primary_key !== 'id') throw compileError('The double only supports primary key `id`.');
  const name = str(nameArg, 'table name');
  const t = c.q.store.createTable(dbOf(c, dbArg), name);
  return { tables_created: 1, config_changes: [{ old_val: null, new_val: { db: t.db, name, primary_key: 'id', id: name } }] };
});
def(T.TABLE, 1, 2, ['read_mode', 'identifier_format'], (c, a, opt) => {
  checkReadMode(opt.read_mode);
  const [dbArg, nameArg] = a.length === 2 ? a : [undefined, a[0]];
  return new TableRef(c.q.store.table(dbOf(c, dbArg), str(nameArg, 'table name')));
});

function dbOf(c: Ctx, v: unknown): string {
  if (v === undefined) return c.q.defaultDb;
  if (v instanceof DbRef) return v.name;
  throw new ReqlError(`Expected type DATABASE but found ${typeName(datum(v))}.`);
}

def(T.GET, 2, 2, [], (_c, a) => {
  const t = table(a[0]);
  return new Single(t, t.get(datum(a[1])));
});
def(T.GET_ALL, 1, -1, ['index'], (_c, a, opt) => {
  const t = table(a[0]);
  const index = indexName(opt, t.primaryKey);
  const out: unknown[] = [];
  for (const key of a.slice(1).map(datum)) {
    if (key === null) throw new ReqlError('Keys cannot be NULL.');
    if (index === t.primaryKey) { const doc = t.get(key); if (doc !== null) out.push(doc); } else out.push(...shardOrder(rowsInRange(t, index, key, key, false, false)));
  }
  return new Stream(out);
});
def(T.BETWEEN, 3, 3, ['index', 'left_bound', 'right_bound'], (_c, a, opt) => {
  const t = table(a[0]);
  const index = indexName(opt, t.primaryKey);
  const lo = datum(a[1]);
  const hi = datum(a[2]);
  if (lo === null || hi === null) throw new ReqlError('Cannot use `null` in BETWEEN, use `r.minval` or `r.maxval` to denote unboundedness.');
  const leftOpen = bound(opt.left_bound, 'closed') === 'open';
  const rightOpen = bound(opt.right_bound, 'open') === 'open';
  // Unordered on the real server (read shard by shard): votes of one block do not come in voter order.
  return new Stream(shardOrder(rowsInRange(t, index, lo, hi, leftOpen, rightOpen)), { table: t, index });
});

function bound(v: unknown, fallback: string): string {
  if (v === undefined) return fallback;
  const s = str(v, 'bound');
  if (s !== 'open' && s !== 'closed') throw new ReqlError(`Expected \`open\` or \`closed\` for optarg bound (got \`${s}\`).`);
  return s;
}

def(T.INDEX_CREATE, 2, 3, ['multi', 'geo'], (c, a, opt) => {
  const t = table(a[0]);
  const name = str(a[1], 'index name');
  if (bool(opt.geo, false)) throw compileError('Geo indexes are not implemented by the double.');
  // Without a function the index is on the field of the same name (r.row(name)).
  const fn = a.length === 3 ? func(a[2]) : evaluate(c.q, [T.FUNC, [[T.MAKE_ARRAY, [1]], [T.BRACKET, [[T.VAR, [1]], name]]]]);
  t.createIndex({ name, func: fn, multi: bool(opt.multi, false) });
  return { created: 1 };
});
def(T.INDEX_LIST, 1, 1, [], (_c, a) => [...table(a[0]).indexes.keys()].sort());
def(T.INDEX_WAIT, 1, -1, [], (_c, a) => {
  const t = table(a[0]);
  const names = a.length > 1 ? fieldNames(a.slice(1)) : [...t.indexes.keys()].sort();
  return names.map((n) => {
    const d = t.indexes.get(n);
    if (d === undefined) throw new ReqlError(`Index \`${n}\` was not found on table \`${t.qualified}\`.`, ERR.OP_FAILED);
    return { index: n, ready: true, multi: d.multi, geo: false, outdated: false };
  });
});

def(T.INSERT, 2, 2, ['durability', 'conflict', 'return_changes'], (_c, a, opt) => {
  const t = table(a[0]);
  const durability = opt.durability === undefined ? 'hard' : str(opt.durability, 'durability');
  if (durability !== 'hard' && durability !== 'soft') throw new ReqlError(`Durability option \`${durability}\` unrecognized (options are "hard" and "soft").`);
  const conflict = opt.conflict === undefined ? 'error' : str(opt.conflict, 'conflict');
  if (conflict !== 'error' && conflict !== 'replace' && conflict !== 'update') throw new ReqlError(`Conflict option \`${conflict}\` unrecognized (options are "error", "replace" and "update").`);
  if (opt.return_changes !== undefined && opt.return_changes !== false) throw compileError('return_changes is not implemented by the double.');
  const v = a[1] instanceof Stream ? a[1].rows : datum(a[1]);
  const docs = (Array.isArray(v) ? v : [v]).map(asStored);
  const res: Record<string, unknown> = { deleted: 0, errors: 0, inserted: 0, replaced: 0, skipped: 0, unchanged: 0 };
  const keys: string[] = [];
  // The real server checks every value's type before it writes any: a non-object's
  // error comes first in `first_error`, before a duplicate key of an earlier document.
  const notObject = docs.find((d) => !isDocument(d));
  if (notObject !== undefined) res.first_error = `Expected type OBJECT but found ${typeName(notObject)}.`;
  for (const doc of docs) {
    try {
      if (!isDocument(doc)) throw new ReqlError(`Expected type OBJECT but found ${typeName(doc)}.`);
      const r = t.insert(doc, conflict);
      res[r.outcome] = (res[r.outcome] as number) + 1;
      if (r.generatedKey !== undefined) keys.push(r.generatedKey);
    } catch (err) {
      if (!(err instanceof ReqlError)) throw err;
      res.errors = (res.errors as number) + 1;
      if (res.first_error === undefined) res.first_error = err.message;
    }
  }
  if (keys.length > 0) res.generated_keys = keys;
  return res;
});

/**
 * A value as the real server stores it: object keys are cut at their first NUL (C strings
 * inside RethinkDB), and an object with `$reql_type$` is a pseudo-type — the double has none,
 * so it refuses them all (the real server converts TIME/BINARY/GEOMETRY, refuses the rest).
 */
function asStored(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(asStored);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if ('$reql_type$' in o) {
    const t = o.$reql_type$;
    if (t === 'TIME' || t === 'BINARY' || t === 'GEOMETRY') throw compileError(`Pseudo-type ${t} is not implemented by the double.`);
    throw new ReqlError(`Unknown $reql_type$ \`PTYPE<${String(t)}>\`.`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k.split('\u0000')[0] ?? ''] = asStored(x);
  return out;
}

def(T.CHANGES, 1, 1, ['include_initial', 'squash', 'include_states', 'include_types', 'include_offsets', 'changefeed_queue_size'], (_c, a, opt) => {
  if (!(a[0] instanceof TableRef)) throw compileError('The double implements changes() on a whole table only.');
  if (bool(opt.include_states, false) || bool(opt.include_types, false) || bool(opt.include_offsets, false)) {
    throw compileError('include_states/include_types/include_offsets are not implemented by the double.');
  }
  return new Feed(a[0].table, bool(opt.include_initial, false), opt.squash === undefined ? false : datum(opt.squash));
});

