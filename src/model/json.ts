/**
 * Exact JSON parsing for hashed documents (SPEC.md §2.2).
 *
 * BigchainDB hashes what Python's json/rapidjson make of a document, so a parser
 * must keep two things that JSON.parse loses: integers beyond 2^53 (v0.9/0.10
 * amounts are integers up to 9·10^18) and the difference between `100` (int) and
 * `100.0` (float, printed back by RapidJSON as `100.0`). JSON.parse is used whenever
 * that is provably exact: the text has neither, or it is already in canonical form
 * (model/canonical-text.ts proves it, fixes floats and big integers up from their
 * lexemes, and remembers the text for the verifiers); otherwise a small exact parser runs.
 */
import { canonicalTexts, isCanonicalText } from './canonical-text.js';
import { jsonTextProblem, LimitError, MAX_DEPTH_CEILING } from './limits.js';

export { canonicalTextOf } from './canonical-text.js';

import { JsonFloat } from './json-float.js';

export { JsonFloat, isJsonFloat } from './json-float.js';

/** A JSON value as parsed by {@link parseJson}. */
export type JsonValue = null | boolean | number | bigint | string | JsonFloat | JsonValue[]
  | { [key: string]: JsonValue };

// A number (where a value starts: at the beginning, or after `:`, `,` or `[`) with
// a fraction/exponent, or with 16+ digits (15 digits are always safe integers).
// Matches inside strings are harmless: they only select the exact (slower) parser.
const RISKY_NUMBER = /(?:^|[:,[])\s*-?\d+(?:[.eE]|\d{15})/;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;

/**
 * Deepest nesting the exact parser accepts, whatever the limits say. The limits
 * (model/limits.ts, default depth 100) are checked on the text before any parse, so
 * neither this parser nor any recursive walk over its result meets deeper values.
 */
export const MAX_NESTING = MAX_DEPTH_CEILING;

/**
 * Parse JSON text exactly: floats become {@link JsonFloat}, integers outside the
 * safe range become `bigint`, everything else is what JSON.parse gives.
 * @throws LimitError when the text breaks a limit of model/limits.ts (checked first, on the
 *   text: callers turn it into a DOC_LIMIT finding); SyntaxError on invalid JSON (DOC_INVALID_JSON)
 * @example parseJson('{"a":1.0}') // { a: JsonFloat(1) }
 */
export function parseJson(text: string): JsonValue {
  const over = jsonTextProblem(text);
  if (over !== null) throw new LimitError(over);
  let v: JsonValue;
  try {
    v = JSON.parse(text) as JsonValue;
  } catch (err) {
    if (RISKY_NUMBER.test(text)) return new ExactParser(text).parseDocument(); // its error names the position
    throw err;
  }
  // A text proven canonical has every number fixed up exactly (model/canonical-text.ts).
  if (typeof v === 'object' && v !== null && isCanonicalText(text, v)) {
    canonicalTexts.set(v, text);
    return v;
  }
  if (RISKY_NUMBER.test(text)) return new ExactParser(text).parseDocument();
  // Exact already (no fraction, exponent or long integer). When JSON.stringify writes its
  // canonical form (keys in order, no escape), remember that text, so that texts spaced
  // as Python's json.dumps writes them (`rethinkdb dump`, `export`) skip the JavaScript
  // serializer in the checks too (issue 13).
  if (typeof v === 'object' && v !== null) {
    const compact = JSON.stringify(v);
    if (isCanonicalText(compact, v)) canonicalTexts.set(v, compact);
  }
  return v;
}

/**
 * A value someone else parsed (a database driver: plain JSON values, nothing boxed) as
 * parseJson gives it from its text, when that text — JSON.stringify's — is provably
 * canonical (model/canonical-text.ts); undefined otherwise, and then the caller keeps the
 * value as given. Either way the canonical bytes are the same: a fraction is a float in
 * both, an integral number an integer. Why: a proven text lets hashing and signing skip the
 * JavaScript serializer (issue 13: a pull from RethinkDB spent 3× verify's CPU there).
 * Integral doubles beyond 2^53 are refused here, as are the values JSON.stringify changes
 * or cannot write (bigint, -0, non-finite numbers, toJSON): their canonical form is that
 * of canonical.ts, whose digits differ from JSON.stringify's.
 */
export function adoptCanonical(value: unknown): JsonValue | undefined {
  if (typeof value !== 'object' || value === null || !isPlainJson(value)) return undefined;
  const text = JSON.stringify(value);
  const v = JSON.parse(text) as JsonValue;
  if (typeof v !== 'object' || v === null || !isCanonicalText(text, v, { bigIntegers: false })) return undefined;
  canonicalTexts.set(v, text);
  return v;
}

/**
 * True when JSON.stringify writes `value` as it is: only plain objects, arrays, strings,
 * finite numbers, booleans and null (no bigint, undefined, NaN, Date, Buffer, JsonFloat).
 * Iterative: callers bound the depth first (limits.ts jsonValueProblem).
 */
function isPlainJson(value: object): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const x = stack.pop();
    switch (typeof x) {
      case 'string': case 'boolean': continue;
      case 'number': if (!Number.isFinite(x)) return false; continue;
      case 'object': {
        if (x === null) continue;
        if (Array.isArray(x)) { for (let i = 0; i < x.length; i++) stack.push(x[i]); continue; }
        if (Object.getPrototypeOf(x) !== Object.prototype) return false;
        for (const k in x) stack.push((x as Record<string, unknown>)[k]);
        continue;
      }
      default: return false;
    }
  }
  return true;
}

/**
 * The exact parser alone, without the JSON.parse fast paths of {@link parseJson}
 * (the reference the fast paths are tested against). Same result, same errors.
 */
export function parseJsonExact(text: string): JsonValue {
  const over = jsonTextProblem(text);
  if (over !== null) throw new LimitError(over);
  return new ExactParser(text).parseDocument();
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

class ExactParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parseDocument(): JsonValue {
    const v = this.value(1);
    this.ws();
    if (this.i !== this.s.length) this.fail('unexpected data after JSON value');
    return v;
  }

  private fail(msg: string): never {
    throw new SyntaxError(`${msg} at position ${this.i}`);
  }

  private ws(): void {
    while (this.i < this.s.length && WS.has(this.s.charCodeAt(this.i))) this.i++;
  }

  private value(depth: number): JsonValue {
    this.ws();
    const c = this.s[this.i];
    if ((c === '{' || c === '[') && depth > MAX_NESTING) this.fail(`nesting deeper than ${MAX_NESTING}`);
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(word, this.i)) { this.i += word.length; return v; }
    }
    return this.fail('unexpected token');
  }

  private object(depth: number): JsonValue {
    const out: { [key: string]: JsonValue } = {};
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') { this.i++; return out; }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('expected a key');
      const key = this.string();
      this.ws();
      if (this.s[this.i++] !== ':') this.fail('expected ":"');
      // defineProperty keeps a literal "__proto__" key as data, as JSON.parse does.
      Object.defineProperty(out, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') this.fail('expected "," or "}"');
    }
  }

  private array(depth: number): JsonValue {
    const out: JsonValue[] = [];
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') { this.i++; return out; }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') this.fail('expected "," or "]"');
    }
  }

  private string(): string {
    // Find the closing quote, then let JSON.parse decode escapes exactly.
    const start = this.i;
    this.i++;
    for (;;) {
      const c = this.s.charCodeAt(this.i);
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c === 0x5c) { this.i += 2; continue; }
      this.i++;
      if (c === 0x22) break;
    }
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }

  private number(): JsonValue {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (m === null) return this.fail('invalid number');
    this.i += m[0].length;
    if (m[1] !== undefined || m[2] !== undefined) return new JsonFloat(Number(m[0]));
    const n = Number(m[0]);
    return Number.isSafeInteger(n) ? n : BigInt(m[0]);
  }
}
