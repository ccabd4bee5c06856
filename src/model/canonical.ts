/**
 * Canonical JSON, byte-exact with BigchainDB's `rapidjson.dumps(data, sort_keys=True,
 * ensure_ascii=False)` (SPEC.md §2.1, reference §1.1): no whitespace, keys sorted by
 * code point, raw UTF-8, RapidJSON escapes with uppercase hex, arrays in order.
 *
 * Checked against python-rapidjson 0.0.11 (pinned by BigchainDB 1.0–1.3) and the
 * RapidJSON 1.1.0 it bundles: `Writer<StringBuffer>` (UTF-8 in and out, no encoding
 * validation), ints via Python `str(int)`, floats via `Writer::Double`, keys sorted
 * with `strcmp` on their UTF-8 bytes (= code point order, but for keys equal up to
 * a U+0000, refused by canonicalBytes), strings taken from
 * `PyUnicode_AsUTF8AndSize` (which fails on lone surrogates).
 */
import { isJsonFloat } from './json.js';
import { rapidjsonDouble } from './rapidjson-dtoa.js';

const ESCAPE_NEEDED = /[\u0000-\u001f"\\\ud800-\udfff]/;
// Every escape sequence of JSON.stringify's output, consumed left to right, so that an
// escaped backslash followed by the text "u001f" (a user typed backslash-u-0-0-1-f) is
// never taken for a control-character escape: RapidJSON leaves that text alone, only
// real control characters get uppercase hex (SPEC.md §2.1).
const ESCAPE_SEQUENCE = /\\(?:u00([0-9a-f]{2})|u[0-9a-fA-F]{4}|[^u])/g;
const HAS_SURROGATE = /[\ud800-\udfff]/;
// A high surrogate without a low one after it, or a low one without a high one before it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Serialize a value in BigchainDB's canonical form, for storage and display.
 * Total on anything {@link parseJson} returns: the few values BigchainDB itself
 * could not serialize get a lossless stand-in that parseJson reads back (a lone
 * surrogate as `\udXXX`, an overflowed float as `1e999`), never a hash preimage —
 * hash and sign {@link canonicalBytes}, which refuses them.
 * @param value a JSON value (as from {@link parseJson}); `undefined` members are skipped
 * @returns the canonical text
 * @throws TypeError for values JSON cannot hold (functions, symbols, NaN)
 * @example canonicalize({ b: [1, 2], a: 'é' }) // '{"a":"é","b":[1,2]}'
 */
export function canonicalize(value: unknown): string {
  const out: string[] = [];
  write(value, out, false);
  return out.join('');
}

/**
 * Canonical form as UTF-8 bytes, the exact preimage of ids and signatures.
 * @throws TypeError for values python-rapidjson 0.0.11 could not have serialized
 *   (so no BigchainDB id or signature covers them): strings or keys with a lone
 *   UTF-16 surrogate (PyUnicode_AsUTF8AndSize fails), NaN and ±Infinity, objects with
 *   keys equal up to a U+0000 (no order follows from the value); RangeError
 *   when nesting exceeds the stack
 */
export function canonicalBytes(value: unknown): Buffer {
  const out: string[] = [];
  write(value, out, true);
  return Buffer.from(out.join(''), 'utf8');
}

/**
 * {@link canonicalBytes} as a string: the text of a hash preimage, for assembling one
 * from parts (verify/tx-message.ts). Same refusals.
 */
export function canonicalPreimageText(value: unknown): string {
  const out: string[] = [];
  write(value, out, true);
  return out.join('');
}

/**
 * {@link canonicalBytes}, or null when BigchainDB could not have serialized the
 * value. Such a document can never carry a valid id or signature, so verifiers
 * turn null into a finding instead of throwing.
 */
export function tryCanonicalBytes(value: unknown): Buffer | null {
  try {
    return canonicalBytes(value);
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) return null;
    throw err;
  }
}

function write(v: unknown, out: string[], strict: boolean): void {
  switch (typeof v) {
    case 'string': out.push(quote(v, strict)); return;
    case 'number': out.push(integerOrFloat(v, strict)); return;
    case 'bigint': out.push(v.toString()); return;
    case 'boolean': out.push(v ? 'true' : 'false'); return;
    case 'object':
      if (v === null) { out.push('null'); return; }
      if (Array.isArray(v)) { writeArray(v, out, strict); return; }
      if (isJsonFloat(v)) { out.push(float(Number(v), strict)); return; }
      writeObject(v as Record<string, unknown>, out, strict);
      return;
    default:
      throw new TypeError(`canonicalize: cannot serialize a ${typeof v}`);
  }
}

function writeArray(a: unknown[], out: string[], strict: boolean): void {
  out.push('[');
  for (let i = 0; i < a.length; i++) {
    if (i > 0) out.push(',');
    write(a[i] === undefined ? null : a[i], out, strict);
  }
  out.push(']');
}

function writeObject(o: Record<string, unknown>, out: string[], strict: boolean): void {
  const keys = sortKeys(Object.keys(o));
  if (strict && keys.some(hasNul)) refuseNulCollision(keys);
  out.push('{');
  let first = true;
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    if (!first) out.push(',');
    first = false;
    out.push(quote(k, strict), ':');
    write(v, out, strict);
  }
  out.push('}');
}

const hasNul = (k: string): boolean => k.includes('\u0000');

/**
 * python-rapidjson 0.0.11 sorts keys with `strcmp`, which ends a key at its first
 * U+0000: keys equal up to there ("a", "a\u0000b") compare equal and come out in an
 * order set by the dict's insertion order (1.x compares lengths too, then insertion
 * order). No bytes follow from the value alone, and RethinkDB refuses such an object
 * ("Duplicate object key"), so no BigchainDB id or signature covers one (SPEC.md §2.1, §20).
 * Keys with a U+0000 that collide with no other key sort the same in all three orders.
 */
function refuseNulCollision(keys: string[]): void {
  const seen = new Set<string>();
  for (const k of keys) {
    const c = k.split('\u0000', 1)[0]!;
    if (seen.has(c)) throw new TypeError('canonicalize: keys equal up to a U+0000 (their order in BigchainDB depends on insertion order)');
    seen.add(c);
  }
}

/**
 * Sort keys by Unicode code point, as `strcmp` on UTF-8 orders them. JavaScript's
 * default sort compares UTF-16 code units, which orders U+E000..U+FFFF after
 * astral characters; only when a key has a surrogate does the slower code-point
 * comparison run.
 *
 * Keys equal up to a U+0000 are ordered here by their full code point sequence, a
 * lossless order for storage and display only: {@link canonicalBytes} refuses them.
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

/**
 * Quote a string as RapidJSON's Writer::WriteString: `"` `\` escaped; U+0000..U+001F
 * as \b \t \n \f \r or \u00XX (uppercase hex); everything else raw, including
 * `/`, DEL and U+2028/U+2029.
 */
function quote(s: string, strict: boolean): string {
  if (!ESCAPE_NEEDED.test(s)) return `"${s}"`;
  if (strict && LONE_SURROGATE.test(s)) {
    // python-rapidjson cannot encode it (PyUnicode_AsUTF8AndSize fails), so no id or
    // signature of BigchainDB's can cover it; refusing beats inventing bytes.
    throw new TypeError('canonicalize: string contains a lone UTF-16 surrogate');
  }
  // JSON.stringify escapes the same set, in lowercase hex, plus lone surrogates as
  // \udXXX (lenient mode only: the stand-in that parseJson reads back).
  return JSON.stringify(s).replace(ESCAPE_SEQUENCE, (m: string, h: string | undefined) => h === undefined ? m : `\\u00${h.toUpperCase()}`);
}

function integerOrFloat(n: number, strict: boolean): string {
  if (!Number.isFinite(n)) return float(n, strict);
  // A JS number without a JsonFloat wrapper is an integer when it has no fraction.
  // -0 is the integer 0: Python reads JSON `-0` as int 0 and prints "0".
  if (Number.isSafeInteger(n)) return Object.is(n, -0) ? '0' : String(n);
  // Integral doubles beyond 2^53 print as Python ints would; fractions as floats.
  return Number.isInteger(n) ? BigInt(n).toString() : rapidjsonDouble(n);
}

function float(x: number, strict: boolean): string {
  // `1e999` parses back to Infinity (Python's json and parseJson alike).
  if (!strict && (x === Infinity || x === -Infinity)) return x > 0 ? '1e999' : '-1e999';
  return rapidjsonDouble(x);
}

/**
 * Format a double as RapidJSON's Writer::Double (Grisu2 + Prettify): `.0` on
 * integral values, exponent without `+` (`1e21`, `1e-7`, `1.5e300`), Grisu2 digits
 * (usually, not always, the shortest round-trip digits).
 */
export const formatFloat = rapidjsonDouble;
