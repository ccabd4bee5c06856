/**
 * Proving a document's text already canonical (SPEC.md §2.1), so that ids and
 * signatures can be checked on the text itself instead of serializing the parsed
 * tree again in JavaScript. Ledgers written by BigchainDB's own canonical writer
 * (and our NDJSON exports) are such texts; anything else takes the exact path.
 *
 * The proof uses native code only where it can: JSON.parse, then JSON.stringify of
 * the result must give the text back. JSON.stringify and the canonical writer differ
 * only in key order (checked here: strictly ascending by code point), escapes (`\u`
 * anywhere → refused: JSON.stringify writes lowercase hex and lone surrogates), -0 and
 * integral floats (they do not survive the round trip), unsafe integers (their
 * lexemes are read from the text, below) and float digits (checked against
 * RapidJSON's Grisu2). Everything else gives false: the caller parses exactly.
 */
import { JsonFloat } from './json-float.js';
import { MAX_DEPTH_CEILING as MAX_NESTING } from './limits.js';
import { rapidjsonDouble } from './rapidjson-dtoa.js';

/**
 * Documents whose text was proven canonical, by root object. Only roots are
 * recorded: a copy (a recoupled stored block, a spread) is not canonical-known.
 */
export const canonicalTexts = new WeakMap<object, string>();

/**
 * The canonical text of a tree parseJson proved canonical — the text it was parsed from,
 * or, for an exact parse of a text spaced or escaped otherwise, its JSON.stringify form: then
 * `JSON.stringify` of any sub-value without a bigint is that sub-value's canonical
 * text, and hashing/signing can skip the JS serializer. Undefined for anything else.
 * The tree must not have been changed since parsing.
 */
export function canonicalTextOf(root: unknown): string | undefined {
  return typeof root === 'object' && root !== null ? canonicalTexts.get(root) : undefined;
}

// Characters whose UTF-16 order differs from code point order (surrogates vs U+E000..U+FFFF).
const HIGH_CHAR = /[\ud800-\uffff]/;
const INTEGER_LEXEME = /^-?[1-9]\d*$/;

type Holder = Record<string, unknown> | unknown[];
interface Walk { highChars: boolean; numbers: number; floats: Array<[Holder, string | number]>; bigs: Array<[Holder, string | number, number]> }

/**
 * True when `text` is exactly the canonical form of `v`, the JSON.parse result of
 * `text`; then `v` is fixed up in place into what the exact parser gives: fractional
 * numbers boxed into JsonFloat, unsafe integers as bigint.
 */
export function isCanonicalText(text: string, v: object, opts: { bigIntegers?: boolean } = {}): boolean {
  if (text.includes('\\u')) return false;
  const w: Walk = { highChars: HIGH_CHAR.test(text), numbers: 0, floats: [], bigs: [] };
  if (!walk(v, w, 1)) return false;
  if (w.bigs.length > 0 && opts.bigIntegers === false) return false;
  const big: bigint[] = [];
  let expected = text;
  if (w.bigs.length > 0) {
    // Integers beyond 2^53 lost digits in JSON.parse: read their lexemes from the
    // text (numbers outside strings, in the order the walk met them), and compare
    // the round trip against the text with each lexeme as JSON.parse printed it.
    const at = numberLexemes(text);
    if (at.length !== 2 * w.numbers) return false;
    let out = '', from = 0;
    for (const [holder, key, ordinal] of w.bigs) {
      const start = at[2 * ordinal]!, end = at[2 * ordinal + 1]!;
      const lexeme = text.slice(start, end);
      const d = (holder as Record<string, number>)[key]!;
      if (!INTEGER_LEXEME.test(lexeme) || Number(lexeme) !== d) return false;
      big.push(BigInt(lexeme));
      out += text.slice(from, start) + String(d);
      from = end;
    }
    expected = out + text.slice(from);
  }
  if (JSON.stringify(v) !== expected) return false;
  for (const [holder, key] of w.floats) (holder as Record<string, unknown>)[key] = new JsonFloat((holder as Record<string, number>)[key]);
  w.bigs.forEach(([holder, key], i) => { (holder as Record<string, unknown>)[key] = big[i]; });
  return true;
}

function walk(v: object, w: Walk, depth: number): boolean {
  if (depth > MAX_NESTING) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!value(v, i, v[i], w, depth)) return false;
    return true;
  }
  const o = v as Record<string, unknown>;
  let prev: string | undefined;
  for (const k in o) {
    if (prev !== undefined && !(w.highChars ? codePointLess(prev, k) : prev < k)) return false;
    prev = k;
    if (!value(o, k, o[k], w, depth)) return false;
  }
  return true;
}

function value(holder: Holder, key: string | number, x: unknown, w: Walk, depth: number): boolean {
  if (typeof x === 'object') return x === null || walk(x as object, w, depth + 1);
  if (typeof x !== 'number') return true;
  const ordinal = w.numbers++;
  if (Number.isSafeInteger(x)) return true;
  if (!Number.isFinite(x)) return false;
  if (Number.isInteger(x)) { w.bigs.push([holder, key, ordinal]); return true; }
  // A fraction: the round trip pins its lexeme to JavaScript's digits; they must be RapidJSON's.
  if (rapidjsonDouble(x) !== String(x)) return false;
  w.floats.push([holder, key]);
  return true;
}

function codePointLess(a: string, b: string): boolean {
  if (!HIGH_CHAR.test(a) && !HIGH_CHAR.test(b)) return a < b;
  const ai = a[Symbol.iterator](), bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next(), y = bi.next();
    if (x.done) return !y.done;
    if (y.done) return false;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d < 0;
  }
}

const isNumberChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x2b || c === 0x65 || c === 0x45;

/**
 * Start/end offsets of the number tokens outside strings of valid compact JSON, in
 * text order (pairs, flattened). Strings are skipped with indexOf.
 */
function numberLexemes(text: string): number[] {
  const out: number[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = text.indexOf('"', i + 1);
      for (;;) {
        if (j < 0) return out; // not JSON (cannot happen after JSON.parse): the count will not match
        let k = j - 1;
        while (text.charCodeAt(k) === 0x5c) k--;
        if ((j - 1 - k) % 2 === 0) break; // an even run of backslashes: the quote closes
        j = text.indexOf('"', j + 1);
      }
      i = j + 1;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < n && isNumberChar(text.charCodeAt(j))) j++;
      out.push(i, j);
      i = j;
    } else i++;
  }
  return out;
}
