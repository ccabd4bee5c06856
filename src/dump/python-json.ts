/**
 * Byte-exact `json.dumps(value)` of CPython with its defaults (reference rethinkdb-dump.md
 * §`<table>.json`): `rethinkdb dump` writes every row and every `.info` this way, so an archive
 * we write looks like one the real tool wrote.
 *
 * Defaults mirrored: separators `", "` / `": "`, `ensure_ascii=True` (every code unit outside
 * 0x20–0x7e escaped, lowercase `\uXXXX`, so astral characters become surrogate pairs),
 * `allow_nan=True` (`NaN`, `Infinity`), keys in insertion order (`sort_keys=False`),
 * floats as `float.__repr__`.
 */
import { isJsonFloat } from '../model/json.js';

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f',
};
// Python's ESCAPE_ASCII: `([\\"]|[^\ -~])`, applied per UTF-16 code unit (JS strings are UTF-16,
// so astral characters arrive as the surrogate pair Python would write).
const NEEDS_ESCAPE = /[\\"]|[^ -~]/;

/**
 * Serialize like Python's `json.dumps(value)`.
 * Numbers: a JS `number` that is an integer prints as a Python int, any other `number` and
 * every {@link JsonFloat} as a Python float (`1.0`, `1e+16`, `1e-05`); `bigint` as an int.
 * @throws TypeError on values Python's json cannot encode (undefined, functions, symbols,
 *   class instances other than JsonFloat)
 * @example pythonJsonDumps({ a: [1, new Number(2)], b: 'é' }) // '{"a": [1, 2.0], "b": "\\u00e9"}'
 */
export function pythonJsonDumps(value: unknown): string {
  return _encode(value, 0);
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form when the exponent is < -4 or ≥ 16. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest round-trip digits, as Python's repr does.
  const [mant, exp] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const decpt = Number(exp) + 1; // value = 0.<digits> × 10^decpt (CPython's format_float_short)
  if (decpt <= -4 || decpt > 16) {
    const e = decpt - 1;
    const frac = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${frac}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/** Python's `py_encode_basestring_ascii`. */
export function pythonJsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"'; // the common case: nothing to escape
  let out = '"';
  let run = 0; // start of the current run of characters that need no escape
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(run, i) + (SHORT_ESCAPES[s[i]!] ?? _uEscape(c));
    run = i + 1;
  }
  return out + s.slice(run) + '"';
}

// String concatenation (V8 ropes) measured faster here than collecting parts and joining.
const U_ESCAPES: string[] = [];
function _uEscape(c: number): string {
  return U_ESCAPES[c] ??= '\\u' + c.toString(16).padStart(4, '0');
}

function _encode(v: unknown, depth: number): string {
  // CPython raises RecursionError near 1000 levels; a cycle would otherwise never end.
  if (depth > 1000) throw new TypeError('value nested too deeply (cycle?)');
  switch (typeof v) {
    case 'string': return pythonJsonString(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return v.toString();
    // An integral JS number is what JSON.parse made of a Python int; print it exactly.
    case 'number': return Number.isSafeInteger(v) ? String(v) : Number.isInteger(v) ? BigInt(v).toString() : pythonFloatRepr(v);
    case 'object': break;
    default: throw new TypeError(`cannot encode a ${typeof v} as JSON`);
  }
  if (v === null) return 'null';
  if (isJsonFloat(v)) return pythonFloatRepr(Number(v));
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i > 0 ? ', ' : '') + _encode(v[i], depth + 1);
    return out + ']';
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`cannot encode a ${(v as object).constructor?.name ?? 'class instance'} as JSON`);
  }
  let out = '{';
  let first = true;
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    out += (first ? '' : ', ') + pythonJsonString(k) + ': ' + _encode((v as Record<string, unknown>)[k], depth + 1);
    first = false;
  }
  return out + '}';
}
