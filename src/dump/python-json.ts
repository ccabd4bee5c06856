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
import { JsonFloat } from '../model/json.js';

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f',
};
// Python's ESCAPE_ASCII: `([\\"]|[^\ -~])`, applied per UTF-16 code unit (JS strings are UTF-16,
// so astral characters arrive as the surrogate pair Python would write).
const ESCAPE_ASCII = /[\\"]|[^ -~]/g;

/**
 * Serialize like Python's `json.dumps(value)`.
 * Numbers: a JS `number` that is an integer prints as a Python int, any other `number` and
 * every {@link JsonFloat} as a Python float (`1.0`, `1e+16`, `1e-05`); `bigint` as an int.
 * @throws TypeError on values Python's json cannot encode (undefined, functions, symbols,
 *   class instances other than JsonFloat)
 * @example pythonJsonDumps({ a: [1, new JsonFloat(2)], b: 'é' }) // '{"a": [1, 2.0], "b": "\\u00e9"}'
 */
export function pythonJsonDumps(value: unknown): string {
  const out: string[] = [];
  _encode(value, out, 0);
  return out.join('');
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
  return '"' + s.replace(ESCAPE_ASCII, (c) =>
    SHORT_ESCAPES[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) + '"';
}

function _encode(v: unknown, out: string[], depth: number): void {
  // CPython raises RecursionError near 1000 levels; a cycle would otherwise never end.
  if (depth > 1000) throw new TypeError('value nested too deeply (cycle?)');
  switch (typeof v) {
    case 'string': out.push(pythonJsonString(v)); return;
    case 'boolean': out.push(v ? 'true' : 'false'); return;
    case 'bigint': out.push(v.toString()); return;
    case 'number':
      // An integral JS number is what JSON.parse made of a Python int; print it exactly.
      out.push(Number.isInteger(v) ? BigInt(v).toString() : pythonFloatRepr(v));
      return;
    case 'object': break;
    default: throw new TypeError(`cannot encode a ${typeof v} as JSON`);
  }
  if (v === null) { out.push('null'); return; }
  if (v instanceof JsonFloat) { out.push(pythonFloatRepr(v.value)); return; }
  if (Array.isArray(v)) {
    out.push('[');
    v.forEach((item, i) => { if (i > 0) out.push(', '); _encode(item, out, depth + 1); });
    out.push(']');
    return;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`cannot encode a ${(v as object).constructor?.name ?? 'class instance'} as JSON`);
  }
  out.push('{');
  let first = true;
  for (const [k, item] of Object.entries(v)) {
    if (!first) out.push(', ');
    first = false;
    out.push(pythonJsonString(k), ': ');
    _encode(item, out, depth + 1);
  }
  out.push('}');
}
