/**
 * ReQL datums for the RethinkDB test double: the minval/maxval sentinels, the
 * ReQL total order (used by indexes, between and order_by), type names as the
 * real server prints them, and the error type the evaluator throws.
 *
 * Order (RethinkDB docs, "Sorting order"): minval < ARRAY < BOOL < NULL < NUMBER
 * < OBJECT < PTYPE<BINARY> < PTYPE<TIME> < STRING < maxval; arrays compare
 * lexicographically, objects by their sorted (key, value) pairs, strings by code point.
 */

/** r.minval / r.maxval as evaluated values (never sent back to a client). */
export const MINVAL = Object.freeze({ $double$: 'MINVAL' });
export const MAXVAL = Object.freeze({ $double$: 'MAXVAL' });

/** Error types of the wire protocol (ql2.proto Response.ErrorType). */
export const ERR = {
  INTERNAL: 1000000,
  RESOURCE_LIMIT: 2000000,
  QUERY_LOGIC: 3000000,
  NON_EXISTENCE: 3100000,
  OP_FAILED: 4100000,
  OP_INDETERMINATE: 4200000,
  USER: 5000000,
  PERMISSION_ERROR: 6000000,
} as const;

/** Response types (ql2.proto Response.ResponseType). */
export const RESP = {
  SUCCESS_ATOM: 1, SUCCESS_SEQUENCE: 2, SUCCESS_PARTIAL: 3, WAIT_COMPLETE: 4, SERVER_INFO: 5,
  CLIENT_ERROR: 16, COMPILE_ERROR: 17, RUNTIME_ERROR: 18,
} as const;

/** An error the double answers with (response type + error type + message). */
export class ReqlError extends Error {
  readonly responseType: number;
  readonly errorType: number | undefined;
  constructor(message: string, errorType: number | undefined = ERR.QUERY_LOGIC,
    responseType: number = RESP.RUNTIME_ERROR) {
    super(message);
    this.responseType = responseType;
    this.errorType = errorType;
  }
}

/** A compile-time refusal (bad arity, unknown optarg, unimplemented term). */
export function compileError(message: string): ReqlError {
  return new ReqlError(message, undefined, RESP.COMPILE_ERROR);
}

/** True for a JSON object that is not an array and not a sentinel. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v !== MINVAL && v !== MAXVAL;
}

/** The type name RethinkDB prints in errors and returns from type_of. */
export function typeName(v: unknown): string {
  if (v === MINVAL) return 'MINVAL';
  if (v === MAXVAL) return 'MAXVAL';
  if (v === null || v === undefined) return 'NULL';
  if (Array.isArray(v)) return 'ARRAY';
  switch (typeof v) {
    case 'boolean': return 'BOOL';
    case 'number': return 'NUMBER';
    case 'string': return 'STRING';
    default: {
      const ptype = (v as Record<string, unknown>).$reql_type$;
      return typeof ptype === 'string' ? `PTYPE<${ptype}>` : 'OBJECT';
    }
  }
}

function rank(v: unknown): number {
  const t = typeName(v);
  if (t === 'MINVAL') return 0;
  if (t === 'MAXVAL') return 10;
  if (t === 'STRING') return 9;
  if (t.startsWith('PTYPE<')) return 6;
  return ({ ARRAY: 1, BOOL: 2, NULL: 3, NUMBER: 4, OBJECT: 5 } as Record<string, number>)[t] ?? 7;
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Code point order, not UTF-16 unit order: move surrogates above U+E000–U+FFFF.
    if (x >= 0xd800) x += x >= 0xe000 ? -0x800 : 0x2000;
    if (y >= 0xd800) y += y >= 0xe000 ? -0x800 : 0x2000;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Compare two datums in ReQL order: negative, zero or positive. */
export function compareDatum(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'string') return compareStrings(a, b as string);
  if (typeof a === 'number') return a === b ? 0 : a < (b as number) ? -1 : 1;
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    for (let i = 0; i < Math.min(a.length, bb.length); i++) {
      const c = compareDatum(a[i], bb[i]);
      if (c !== 0) return c;
    }
    return a.length - bb.length;
  }
  if (isObject(a)) {
    const bo = b as Record<string, unknown>;
    const ka = Object.keys(a).sort(compareStrings);
    const kb = Object.keys(bo).sort(compareStrings);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const c = compareStrings(ka[i] as string, kb[i] as string) || compareDatum(a[ka[i] as string], bo[kb[i] as string]);
      if (c !== 0) return c;
    }
    return ka.length - kb.length;
  }
  return 0;
}

/** Deep equality in ReQL terms (used by insert's "unchanged" and by eq). */
export function equalDatum(a: unknown, b: unknown): boolean {
  return compareDatum(a, b) === 0;
}

/** A printable form for error messages (JSON, sentinels by name). */
export function printDatum(v: unknown): string {
  if (v === MINVAL) return 'r.minval';
  if (v === MAXVAL) return 'r.maxval';
  return JSON.stringify(v) ?? 'undefined';
}

/**
 * True when `v` may be a secondary index key: RethinkDB refuses null, objects
 * and the sentinels ("Secondary keys must be a number, string, bool, pseudotype,
 * or array"); arrays must hold valid keys too.
 */
export function isIndexableKey(v: unknown): boolean {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return true;
  if (Array.isArray(v)) return v.every(isIndexableKey);
  return false;
}
