/**
 * The ReQL term evaluator of the RethinkDB test double. It implements exactly
 * the terms the product (src/sources/rethinkdb.ts, rethinkdb-schema.ts) and
 * BigchainDB's index functions use, with RethinkDB 2.3 semantics; every other
 * term is refused with a COMPILE_ERROR that names it, so the product cannot
 * drift into queries nobody tested.
 *
 * Wire form (JSON protocol): a term is `[type, args?, optargs?]`, an object is
 * a literal whose values are terms, anything else is a datum.
 */
import enums from 'rethinkdb-ts/lib/proto/enums.js';
import {
  compareDatum, compileError, ERR, isObject, MAXVAL, MINVAL, printDatum, ReqlError, typeName,
} from './datum.js';
import type { IndexEntry, Store, Table } from './store.js';
import { callFunc, Func, type Env } from './func.js';

/** Term type numbers (ql2.proto). */
export const T = enums.TermType;

/** Name of a term type number, e.g. 39 → FILTER. */
export function termName(type: number): string {
  return (T as unknown as Record<number, string>)[type] ?? `UNKNOWN_TERM_${type}`;
}

/** A database reference (r.db). */
export class DbRef {
  readonly name: string;
  constructor(name: string) { this.name = name; }
}
/** A table reference (a selection of all rows). */
export class TableRef {
  readonly table: Table;
  constructor(t: Table) { this.table = t; }
}
/** A stream of rows; `slice` marks a table between() on an index (order_by may follow). */
export class Stream {
  readonly rows: unknown[];
  readonly slice: { table: Table; index: string } | undefined;
  constructor(rows: unknown[], slice?: { table: Table; index: string }) { this.rows = rows; this.slice = slice; }
}
/** A single-row selection (r.table().get()): behaves as its document or null. */
export class Single {
  readonly table: Table;
  readonly doc: unknown;
  constructor(t: Table, doc: unknown) { this.table = t; this.doc = doc; }
}
/** A changefeed request (r.table().changes()). */
export class Feed {
  readonly table: Table;
  readonly includeInitial: boolean;
  readonly squash: unknown;
  constructor(t: Table, includeInitial: boolean, squash: unknown) {
    this.table = t; this.includeInitial = includeInitial; this.squash = squash;
  }
}
/** asc()/desc() wrapper inside order_by. */
class Order {
  readonly desc: boolean;
  readonly inner: unknown;
  constructor(desc: boolean, inner: unknown) { this.desc = desc; this.inner = inner; }
}

/** Per-query context: the store and the global optargs. */
export interface QueryContext {
  store: Store;
  defaultDb: string;
  readMode: string;
}

/** A term implementation: evaluated args and optargs (raw args for lazy terms). */
export type Impl = (c: Ctx, args: unknown[], opt: Record<string, unknown>, raw: unknown[]) => unknown;
interface Spec { min: number; max: number; optargs: string[]; lazy?: boolean; fn: Impl }

/** Evaluation state: query context plus the variable scope. */
export interface Ctx { q: QueryContext; env: Env }

const READ_MODES = ['single', 'majority', 'outdated'];

function arityName(n: number): string { return `${n} argument${n === 1 ? '' : 's'}`; }

/** Evaluate one wire term in `env`. */
export function evaluate(q: QueryContext, term: unknown, env: Env = { vars: new Map(), implicit: undefined }): unknown {
  return ev({ q, env }, term);
}

function ev(c: Ctx, term: unknown): unknown {
  if (Array.isArray(term)) return evTerm(c, term);
  if (isObject(term)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(term)) out[k] = datum(ev(c, v));
    return out;
  }
  return term;
}

function evTerm(c: Ctx, term: unknown[]): unknown {
  const [type, rawArgs = [], rawOpt = {}] = term as [number, unknown[]?, Record<string, unknown>?];
  const name = termName(type);
  const spec = SPECS.get(type);
  if (spec === undefined) {
    throw compileError(`Term ${name} is not implemented by the RethinkDB test double (the product must not send it).`);
  }
  if (!Array.isArray(rawArgs) || rawArgs.length < spec.min || (spec.max >= 0 && rawArgs.length > spec.max)) {
    const want = spec.max === spec.min ? arityName(spec.min) : spec.max < 0 ? `${spec.min} or more arguments` : `between ${spec.min} and ${spec.max} arguments`;
    throw compileError(`Expected ${want} but found ${Array.isArray(rawArgs) ? rawArgs.length : 0}.`);
  }
  for (const key of Object.keys(rawOpt)) {
    if (!spec.optargs.includes(key)) throw compileError(`Unrecognized optional argument \`${key}\`.`);
  }
  const args = spec.lazy ? rawArgs : rawArgs.map((a) => ev(c, a));
  const opt: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rawOpt)) opt[k] = ev(c, v);
  return spec.fn(c, args, opt, rawArgs);
}

/** Coerce a value to a datum (documents, arrays, scalars). */
export function datum(v: unknown): unknown {
  if (v instanceof Single) return v.doc;
  if (v instanceof Stream || v instanceof TableRef) throw new ReqlError('Expected type DATUM but found SEQUENCE.');
  if (v instanceof DbRef) throw new ReqlError('Expected type DATUM but found DATABASE.');
  if (v instanceof Func) throw new ReqlError('Expected type DATUM but found FUNCTION.');
  if (v instanceof Feed) throw new ReqlError('Expected type DATUM but found SEQUENCE.');
  return v;
}

/** Coerce a value to the rows of a sequence. */
export function seq(v: unknown): unknown[] {
  if (v instanceof Stream) return v.rows;
  if (v instanceof TableRef) return v.table.scan();
  const d = datum(v);
  if (Array.isArray(d)) return d;
  throw new ReqlError(`Cannot convert ${typeName(d)} to SEQUENCE`);
}

export function str(v: unknown, what = 'argument'): string {
  const d = datum(v);
  if (typeof d !== 'string') throw new ReqlError(`Expected type STRING but found ${typeName(d)} (${what}).`);
  return d;
}

export function num(v: unknown): number {
  const d = datum(v);
  if (typeof d !== 'number') throw new ReqlError(`Expected type NUMBER but found ${typeName(d)}.`);
  return d;
}

export function bool(v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  const d = datum(v);
  if (typeof d !== 'boolean') throw new ReqlError(`Expected type BOOL but found ${typeName(d)}.`);
  return d;
}

export function table(v: unknown): Table {
  if (v instanceof TableRef) return v.table;
  throw new ReqlError(`Expected type TABLE but found ${v instanceof Stream ? 'SEQUENCE' : typeName(datum(v))}.`);
}

export function func(v: unknown): Func {
  if (v instanceof Func) return v;
  // A plain datum where a function is expected acts as a constant function.
  return new Func([], datum(v), { vars: new Map(), implicit: undefined }, true);
}

/** Rebuild a sequence result of the same kind (stream stays stream, array stays array). */
function like(src: unknown, rows: unknown[]): unknown {
  return src instanceof Stream || src instanceof TableRef ? new Stream(rows) : rows;
}

function call(c: Ctx, f: Func, ...args: unknown[]): unknown {
  return callFunc(f, args, (body, env) => datum(ev({ q: c.q, env }, body)));
}

// ---- obj-or-seq operations (get_field, bracket, has_fields, pluck) --------------------

function getFieldOf(obj: unknown, field: string, op: string): unknown {
  if (isObject(obj)) {
    if (!(field in obj)) throw new ReqlError(`No attribute \`${field}\` in object:\n${JSON.stringify(obj, null, 1)}`, ERR.NON_EXISTENCE);
    return obj[field];
  }
  // rfail_typed_target: a null target is a non-existence error, anything else a logic error.
  throw new ReqlError(`Cannot perform ${op} on a non-object non-sequence \`${printDatum(obj)}\`.`,
    obj === null ? ERR.NON_EXISTENCE : ERR.QUERY_LOGIC);
}

/** RethinkDB's obj_or_seq rewrite: on a sequence, apply per element with _NO_RECURSE_. */
function objOrSeq(src: unknown, op: string, onObj: (o: unknown) => unknown,
  mode: 'SKIP_MAP' | 'FILTER' | 'MAP'): unknown {
  const d = src instanceof Stream || src instanceof TableRef ? undefined : datum(src);
  if (d !== undefined && !Array.isArray(d)) return onObj(d);
  const out: unknown[] = [];
  for (const el of seq(src)) {
    if (Array.isArray(el)) throw new ReqlError(`Cannot perform ${op} on a sequence of sequences.`);
    try {
      const r = onObj(el);
      if (mode === 'FILTER') { if (r === true) out.push(el); } else out.push(r);
    } catch (err) {
      // SKIP_MAP is `[f(x)].default([])`; FILTER treats non-existence as false.
      if (mode !== 'MAP' && err instanceof ReqlError && err.errorType === ERR.NON_EXISTENCE) continue;
      throw err;
    }
  }
  return like(src, out);
}

function hasFields(o: unknown, fields: string[]): boolean {
  if (!isObject(o)) getFieldOf(o, fields[0] ?? '', 'has_fields');
  return fields.every((f) => (o as Record<string, unknown>)[f] !== undefined && (o as Record<string, unknown>)[f] !== null);
}

function pluck(o: unknown, fields: string[]): Record<string, unknown> {
  if (!isObject(o)) getFieldOf(o, fields[0] ?? '', 'pluck');
  const out: Record<string, unknown> = {};
  for (const f of fields) if ((o as Record<string, unknown>)[f] !== undefined) out[f] = (o as Record<string, unknown>)[f];
  return out;
}

export function fieldNames(args: unknown[]): string[] {
  return args.map((a) => str(a, 'field name'));
}

// ---- index helpers ---------------------------------------------------------------------

export function indexName(opt: Record<string, unknown>, fallback: string): string {
  return opt.index === undefined ? fallback : str(opt.index, 'index');
}

/** Rows whose `index` key lies in [lo, hi] (bounds open or closed), in index order. */
export function rowsInRange(t: Table, index: string, lo: unknown, hi: unknown, loOpen: boolean, hiOpen: boolean): unknown[] {
  const inRange = (k: unknown): boolean => {
    const l = compareDatum(k, lo);
    const h = compareDatum(k, hi);
    return (loOpen ? l > 0 : l >= 0) && (hiOpen ? h < 0 : h <= 0);
  };
  if (index === t.primaryKey) return t.rows().filter((d) => inRange(d[t.primaryKey]));
  const entries = t.indexEntries(index);
  // Binary search for the first entry not below `lo`, then walk while in range.
  let a = 0;
  let b = entries.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (compareDatum((entries[m] as IndexEntry).key, lo) < 0) a = m + 1; else b = m;
  }
  const out: unknown[] = [];
  for (let i = a; i < entries.length; i++) {
    const e = entries[i] as IndexEntry;
    if (compareDatum(e.key, hi) > 0) break;
    if (inRange(e.key)) out.push(t.get(e.pk));
  }
  return out;
}

export function checkReadMode(mode: unknown): void {
  if (mode !== undefined && !READ_MODES.includes(datum(mode) as string)) {
    throw new ReqlError(`Read mode \`${printDatum(mode)}\` unrecognized (options are "majority", "single", and "outdated").`);
  }
}

// ---- the term table --------------------------------------------------------------------

const SPECS = new Map<number, Spec>();
export function def(type: number, min: number, max: number, optargs: string[], fn: Impl, lazy = false): void {
  SPECS.set(type, { min, max, optargs, fn, lazy });
}

def(T.DATUM, 1, 1, [], (_c, a) => a[0]);
/** RethinkDB's default `array_limit`: a longer array in a query is an error, not a slow query. */
export const ARRAY_LIMIT = 100_000;
function limited(arr: unknown[]): unknown[] {
  if (arr.length > ARRAY_LIMIT) {
    throw new ReqlError(`Array over size limit \`${ARRAY_LIMIT}\`.  To raise the number of allowed elements, modify the \`array_limit\` option to \`.run\` (not available in the Data Explorer), or use an index.`);
  }
  return arr;
}
def(T.MAKE_ARRAY, 0, -1, [], (_c, a) => limited(a.map(datum)));
def(T.MINVAL, 0, 0, [], () => MINVAL);
def(T.MAXVAL, 0, 0, [], () => MAXVAL);
def(T.ERROR, 0, 1, [], (_c, a) => { throw new ReqlError(a.length ? str(a[0]) : 'Empty ERROR term outside a default block.', ERR.USER); });

def(T.FUNC, 2, 2, [], (c, _a, _o, raw) => {
  const params = raw[0];
  const ids = Array.isArray(params) && params[0] === T.MAKE_ARRAY ? params[1] : params;
  if (!Array.isArray(ids) || !ids.every((i) => typeof i === 'number')) throw compileError('FUNC expects an array of variable numbers.');
  return new Func(ids as number[], raw[1], c.env);
}, true);
def(T.VAR, 1, 1, [], (c, a) => {
  const id = num(a[0]);
  if (!c.env.vars.has(id)) throw compileError(`Variable name not found.`);
  return c.env.vars.get(id);
});
def(T.IMPLICIT_VAR, 0, 0, [], (c) => {
  if (c.env.implicit === undefined) throw compileError('r.row is not defined in this context.');
  return c.env.implicit;
});

def(T.ADD, 1, -1, [], (_c, a) => a.map(datum).reduce((x, y) => {
  if (typeof x === 'number' && typeof y === 'number') return x + y;
  if (typeof x === 'string' && typeof y === 'string') return x + y;
  if (Array.isArray(x) && Array.isArray(y)) return limited([...x, ...y]);
  throw new ReqlError(`Expected type ${typeName(x)} but found ${typeName(y)}.`);
}));

def(T.BRACKET, 2, 2, [], (_c, a) => {
  const key = datum(a[1]);
  if (typeof key === 'number') {
    const rows = seq(a[0]);
    const i = key < 0 ? rows.length + key : key;
    if (!Number.isInteger(i) || i < 0 || i >= rows.length) throw new ReqlError('Index out of bounds.', ERR.NON_EXISTENCE);
    return rows[i];
  }
  if (typeof key !== 'string') throw new ReqlError(`Expected NUMBER or STRING as second argument to \`bracket\` but found ${typeName(key)}.`);
  return objOrSeq(a[0], 'bracket', (o) => getFieldOf(o, key, 'bracket'), 'SKIP_MAP');
});
def(T.GET_FIELD, 2, 2, [], (_c, a) => {
  const key = str(a[1], 'field name');
  return objOrSeq(a[0], 'get_field', (o) => getFieldOf(o, key, 'get_field'), 'SKIP_MAP');
});
def(T.HAS_FIELDS, 2, -1, [], (_c, a) => {
  const fields = fieldNames(a.slice(1));
  return objOrSeq(a[0], 'has_fields', (o) => hasFields(o, fields), 'FILTER');
});
def(T.PLUCK, 2, -1, [], (_c, a) => {
  const fields = fieldNames(a.slice(1));
  return objOrSeq(a[0], 'pluck', (o) => pluck(o, fields), 'MAP');
});
// with_fields is rewritten by RethinkDB to has_fields(...).pluck(...).
def(T.WITH_FIELDS, 2, -1, [], (_c, a) => {
  const fields = fieldNames(a.slice(1));
  const kept = objOrSeq(a[0], 'has_fields', (o) => hasFields(o, fields), 'FILTER');
  return objOrSeq(kept, 'pluck', (o) => pluck(o, fields), 'MAP');
});

def(T.MAP, 2, 2, [], (c, a) => {
  const f = func(a[1]);
  return like(a[0], seq(a[0]).map((x) => call(c, f, x)));
});
// The function may return a sequence of the database (a table slice: votes of many blocks
// in one query, `r.expr(ids).concatMap(id => votes.between(...))`); as on the real server
// the result is then a stream even over an array, in the order of the array.
def(T.CONCAT_MAP, 2, 2, [], (c, a) => {
  const f = func(a[1]);
  let streamed = false;
  const rows = seq(a[0]).flatMap((x) => {
    const r = callFunc(f, [x], (body, env) => ev({ q: c.q, env }, body));
    if (r instanceof Stream || r instanceof TableRef) streamed = true;
    return seq(r);
  });
  return streamed ? new Stream(rows) : like(a[0], rows);
});
def(T.REDUCE, 2, 2, [], (c, a) => {
  const rows = seq(a[0]);
  if (rows.length === 0) throw new ReqlError('Cannot reduce over an empty stream.', ERR.NON_EXISTENCE);
  const f = func(a[1]);
  return rows.slice(1).reduce((acc, x) => call(c, f, acc, x), rows[0]);
});
def(T.LIMIT, 2, 2, [], (_c, a) => {
  const n = num(a[1]);
  if (!Number.isInteger(n) || n < 0) throw new ReqlError(`LIMIT takes a non-negative argument (got ${n})`);
  return like(a[0], seq(a[0]).slice(0, n));
});
def(T.COUNT, 1, 1, [], (_c, a) => seq(a[0]).length);
def(T.ASC, 1, 1, [], (_c, a) => new Order(false, a[0]));
def(T.DESC, 1, 1, [], (_c, a) => new Order(true, a[0]));

def(T.ORDER_BY, 1, -1, ['index'], (c, a, opt) => {
  const keys = a.slice(1).map((k) => (k instanceof Order ? k : new Order(false, k)));
  let rows: unknown[];
  const src = a[0];
  if (opt.index !== undefined) {
    const o = opt.index instanceof Order ? opt.index : new Order(false, opt.index);
    const index = str(o.inner, 'index');
    let t: Table;
    if (src instanceof TableRef) t = src.table;
    else if (src instanceof Stream && src.slice !== undefined) {
      if (src.slice.index !== index) throw new ReqlError(`Cannot order by index \`${index}\` after calling BETWEEN on index \`${src.slice.index}\`.`);
      t = src.slice.table;
    } else throw new ReqlError('Indexed order_by can only be performed on a TABLE or TABLE_SLICE.');
    const inSlice = src instanceof Stream ? new Set(src.rows) : null;
    rows = index === t.primaryKey ? t.rows() : t.indexEntries(index).map((e) => t.get(e.pk));
    if (inSlice !== null) {
      // Keep the slice's multiplicity/order per index entry: filter by membership.
      rows = rows.filter((r) => inSlice.has(r));
    }
    if (o.desc) rows.reverse();
    if (keys.length === 0) return new Stream(rows);
  } else {
    if (keys.length === 0) throw compileError('order_by needs at least one key or an index.');
    rows = [...seq(src)];
  }
  const keyOf = (row: unknown, k: Order): unknown => (k.inner instanceof Func ? call(c, k.inner, row) : getFieldOf(row, str(k.inner), 'order_by'));
  rows.sort((x, y) => {
    for (const k of keys) {
      const r = compareDatum(keyOf(x, k), keyOf(y, k));
      if (r !== 0) return k.desc ? -r : r;
    }
    return 0;
  });
  return opt.index !== undefined || src instanceof Stream || src instanceof TableRef ? new Stream(rows) : rows;
});

/** Names of the terms registered so far (eval.ts and terms-admin.ts), sorted. */
export function implementedTerms(): string[] {
  return [...SPECS.keys()].map(termName).sort();
}

/** Evaluate an index function (a FUNC term) on one document. */
export function evaluateIndexFunction(q: QueryContext, fn: unknown, doc: unknown): unknown {
  const f = fn instanceof Func ? fn : evaluate(q, fn);
  if (!(f instanceof Func)) throw new ReqlError('Index function is not a function.');
  return callFunc(f, [doc], (body, env) => datum(ev({ q, env }, body)));
}
