/**
 * Canonical JSON, byte-exact with BigchainDB's `rapidjson.dumps(data, sort_keys=True,
 * ensure_ascii=False)` (SPEC.md §2.1, reference §1.1): no whitespace, keys sorted by
 * code point, raw UTF-8, RapidJSON escapes with uppercase hex, arrays in order.
 */
import { isJsonFloat } from './json.js';

const ESCAPE_NEEDED = /[\u0000-\u001f"\\\ud800-\udfff]/;
const LOWER_HEX_ESCAPE = /\\u00([0-9a-f]{2})/g;
const HAS_SURROGATE = /[\ud800-\udfff]/;

/**
 * Serialize a value in BigchainDB's canonical form.
 * @param value a JSON value (as from {@link parseJson}); `undefined` members are skipped
 * @returns the canonical text; hash/sign its UTF-8 bytes
 * @throws TypeError for values JSON cannot hold (functions, symbols, NaN, Infinity)
 * @example canonicalize({ b: [1, 2], a: 'é' }) // '{"a":"é","b":[1,2]}'
 */
export function canonicalize(value: unknown): string {
  const out: string[] = [];
  write(value, out);
  return out.join('');
}

/** Canonical form as UTF-8 bytes, the exact preimage of ids and signatures. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}

function write(v: unknown, out: string[]): void {
  switch (typeof v) {
    case 'string': out.push(quote(v)); return;
    case 'number': out.push(integerOrFloat(v)); return;
    case 'bigint': out.push(v.toString()); return;
    case 'boolean': out.push(v ? 'true' : 'false'); return;
    case 'object':
      if (v === null) { out.push('null'); return; }
      if (Array.isArray(v)) { writeArray(v, out); return; }
      if (isJsonFloat(v)) { out.push(formatFloat(Number(v))); return; }
      writeObject(v as Record<string, unknown>, out);
      return;
    default:
      throw new TypeError(`canonicalize: cannot serialize a ${typeof v}`);
  }
}

function writeArray(a: unknown[], out: string[]): void {
  out.push('[');
  for (let i = 0; i < a.length; i++) {
    if (i > 0) out.push(',');
    write(a[i] === undefined ? null : a[i], out);
  }
  out.push(']');
}

function writeObject(o: Record<string, unknown>, out: string[]): void {
  const keys = sortKeys(Object.keys(o));
  out.push('{');
  let first = true;
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    if (!first) out.push(',');
    first = false;
    out.push(quote(k), ':');
    write(v, out);
  }
  out.push('}');
}

/**
 * Sort keys by Unicode code point. JavaScript's default sort compares UTF-16 code
 * units, which orders U+E000..U+FFFF after astral characters; only when a key has
 * a surrogate does the slower code-point comparison run.
 */
export function sortKeys(keys: string[]): string[] {
  if (!keys.some((k) => HAS_SURROGATE.test(k))) return keys.sort();
  return keys.sort(compareCodePoints);
}

function compareCodePoints(a: string, b: string): number {
  const ai = a[Symbol.iterator](), bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next(), y = bi.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Quote a string: only `"`, `\` and U+0000..U+001F are escaped (uppercase hex). */
function quote(s: string): string {
  if (!ESCAPE_NEEDED.test(s)) return `"${s}"`;
  // JSON.stringify escapes exactly the same set (plus lone surrogates), in lowercase hex.
  return JSON.stringify(s).replace(LOWER_HEX_ESCAPE, (_m, h: string) => `\\u00${h.toUpperCase()}`);
}

function integerOrFloat(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`canonicalize: ${n} is not valid JSON`);
  // A JS number without a JsonFloat wrapper is an integer when it has no fraction.
  if (Number.isSafeInteger(n) && !Object.is(n, -0)) return String(n);
  // Integral doubles beyond 2^53 print as Python ints would; fractions as floats.
  return Number.isInteger(n) && !Object.is(n, -0) ? BigInt(n).toString() : formatFloat(n);
}

/**
 * Format a double as RapidJSON's Writer::Double (Grisu2 + Prettify): shortest digits,
 * `.0` on integral values, exponent without `+` (`1e21`, `1e-7`, `1.5e300`).
 */
export function formatFloat(x: number): string {
  if (!Number.isFinite(x)) throw new TypeError(`canonicalize: ${x} is not valid JSON`);
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expPart] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const len = digits.length;
  const kk = Number(expPart) + 1; // position of the decimal point relative to digits
  let body: string;
  if (len <= kk && kk <= 21) body = digits + '0'.repeat(kk - len) + '.0';
  else if (0 < kk && kk <= 21) body = `${digits.slice(0, kk)}.${digits.slice(kk)}`;
  else if (-6 < kk && kk <= 0) body = `0.${'0'.repeat(-kk)}${digits}`;
  else if (len === 1) body = `${digits}e${kk - 1}`;
  else body = `${digits[0]}.${digits.slice(1)}e${kk - 1}`;
  return sign + body;
}
