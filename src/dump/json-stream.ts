/**
 * Streaming splitter: bytes → top-level JSON documents, in bounded memory.
 *
 * Accepts what `rethinkdb import`/`restore` accept (reference rethinkdb-dump.md): one JSON array
 * of documents with any line structure (commas between elements are optional and one trailing
 * comma is allowed, as in the Python importer), or whitespace-separated documents starting with
 * `{` (so NDJSON too). Framing works on bytes (every structural character is ASCII and never
 * part of a UTF-8 sequence), so each document is decoded on its own and bad UTF-8, bad JSON, a
 * document over the size limit or nested too deeply becomes a per-document error item while the
 * stream goes on. Only broken framing (wrong first character, mismatched brackets, data after
 * the array, truncation) is fatal.
 */
import { LedgerError } from '../errors.js';
import { parseJson } from '../model/json.js';
import { isLimitError, limits } from '../model/limits.js';
import type { JsonValue } from '../model/json.js';

/** Options of {@link splitJsonDocuments}. */
export interface JsonStreamOptions {
  /** Name used in error messages (file, member). */
  name?: string;
  /** Largest document in bytes (default: `maxDocumentBytes` of model/limits.ts). */
  maxDocumentBytes?: number;
  /** Deepest nesting of arrays/objects in one document (default: `maxDepth` of model/limits.ts). */
  maxDepth?: number;
  /** Empty or whitespace-only input yields nothing instead of failing (the importer fails). */
  allowEmpty?: boolean;
  /**
   * Give each object or array document as its text, unparsed (`text`, no `value`): the
   * verification workers parse it (SPEC.md §7.6), so the reading thread only frames and
   * decodes. Bad JSON and JSON limits are then the parser's findings, with the same codes.
   */
  text?: boolean;
}

/** One framed document: parsed, or the reason it could not be (a DOC_INVALID_JSON finding). */
export type JsonStreamItem =
  | { ok: true; value: JsonValue; text?: undefined; line: number; index: number; bytes: number }
  | { ok: true; value?: undefined; text: string; line: number; index: number; bytes: number }
  | { ok: false; error: string; line: number; index: number; limit?: string };

/** 128 MiB, `JSON_MAX_BUFFER_SIZE` of RethinkDB's `_import.py`. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 128 * 1024 * 1024;
/** `MAX_NESTING_DEPTH` of RethinkDB's `_import.py`. */
export const DEFAULT_MAX_DEPTH = 100;

const WS = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
// Bytes that end a bare scalar (number, true/false/null) or cannot start a document.
const STRUCTURAL = new Set([0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x22]);
const DECODER = new TextDecoder('utf-8', { fatal: true });

type Mode = 'start' | 'array' | 'objects' | 'done';

/**
 * The synchronous core: feed chunks with {@link push}, then call {@link end}.
 * @throws LedgerError LEDGER_INPUT (from push/end) when the framing is broken
 */
export class JsonDocumentSplitter {
  /** 'array' or 'objects' once the first character was seen. */
  mode: Mode = 'start';
  private readonly name: string;
  private readonly maxBytes: number;
  private readonly maxDepth: number;
  private readonly allowEmpty: boolean;
  private readonly textOnly: boolean;
  private line = 1;
  private index = 0;
  private seenBytes = 0;
  private sawComma = false;
  private haveFirst = false;
  // the document in progress
  private inDoc = false;
  private scalar = false;
  private inString = false;
  private escape = false;
  private closers: number[] = []; // expected closing bytes, kept for the first maxDepth levels
  private depth = 0;
  private tooDeep = false;
  private parts: Uint8Array[] = [];
  private size = 0;
  private docLine = 0;

  constructor(opts: JsonStreamOptions = {}) {
    this.name = opts.name ?? 'input';
    this.maxBytes = opts.maxDocumentBytes ?? limits().maxDocumentBytes;
    this.maxDepth = opts.maxDepth ?? limits().maxDepth;
    this.allowEmpty = opts.allowEmpty ?? false;
    this.textOnly = opts.text ?? false;
    if (!(this.maxBytes > 0) || !(this.maxDepth > 0)) throw new RangeError('limits must be positive');
  }

  /** Feed the next chunk; returns the documents completed by it. */
  push(chunk: Uint8Array): JsonStreamItem[] {
    const out: JsonStreamItem[] = [];
    let i = 0;
    if (this.seenBytes === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3; // BOM
    this.seenBytes += chunk.length;
    let start = this.inDoc ? 0 : -1;
    while (i < chunk.length) {
      if (!this.inDoc) {
        const b = chunk[i]!;
        if (WS(b)) { if (b === 0x0a) this.line++; i++; continue; }
        if (!this._between(b)) { i++; continue; }
        this._open(b);
        start = i;
        i++;
        if (this.scalar || this.inString) continue;
        this._openContainer(b);
        continue;
      }
      const end = this._scan(chunk, i);
      if (end < 0) { i = chunk.length; break; }
      out.push(this._finish(chunk.subarray(start, end)));
      start = -1;
      i = end;
    }
    if (this.inDoc) this._keep(chunk.subarray(start));
    return out;
  }

  /** Signal the end of input; returns a last bare scalar document, if any. */
  end(): JsonStreamItem[] {
    const out: JsonStreamItem[] = [];
    if (this.inDoc) {
      if (!this.scalar) this._fail(`input ends inside the document that starts at line ${this.docLine} (truncated?)`);
      out.push(this._finish(new Uint8Array(0)));
    }
    if (this.mode === 'start' && !this.allowEmpty) this._fail('no JSON content (empty input)');
    if (this.mode === 'array') this._fail('input ends before the closing "]" of the JSON array (truncated?)');
    return out;
  }

  /** Handle a non-space byte between documents; true when it starts a document. */
  private _between(b: number): boolean {
    switch (this.mode) {
      case 'start':
        if (b === 0x5b) { this.mode = 'array'; return false; }
        if (b === 0x7b) { this.mode = 'objects'; return true; }
        return this._fail('not JSON documents: input does not begin with an object or an array');
      case 'array':
        if (b === 0x5d) { this.mode = 'done'; return false; }
        if (b === 0x2c) {
          if (!this.haveFirst || this.sawComma) this._fail('unexpected ","');
          this.sawComma = true;
          return false;
        }
        break;
      case 'done':
        return this._fail('unexpected data after the JSON array');
      case 'objects':
        break;
    }
    if (b !== 0x22 && STRUCTURAL.has(b) && b !== 0x7b && b !== 0x5b) {
      this._fail(`unexpected "${String.fromCharCode(b)}" between documents`);
    }
    this.sawComma = false;
    return true;
  }

  private _open(b: number): void {
    this.inDoc = true;
    this.docLine = this.line;
    this.scalar = b !== 0x7b && b !== 0x5b && b !== 0x22;
    this.inString = b === 0x22;
    this.escape = false;
    this.depth = 0;
    this.closers.length = 0;
    this.tooDeep = false;
    this.parts = [];
    this.size = 0;
  }

  private _openContainer(b: number): void {
    this.depth++;
    if (this.depth > this.maxDepth) this.tooDeep = true;
    else this.closers.push(b === 0x7b ? 0x7d : 0x5d);
  }

  /** Scan inside a document from `i`; returns the index just past its end, or -1. */
  private _scan(c: Uint8Array, i: number): number {
    const n = c.length;
    for (; i < n; i++) {
      if (this.inString) {
        if (this.escape) { this.escape = false; continue; }
        // Jump to the next quote or backslash (memchr-fast); count raw newlines skipped over,
        // which only invalid documents have, so later line numbers stay right.
        const q = this._next(c, 0x22, i);
        const bs = this._next(c, 0x5c, i);
        const stop = bs >= 0 && (q < 0 || bs < q) ? bs : q;
        const upto = stop < 0 ? n : stop;
        for (let nl = this._next(c, 0x0a, i); nl >= 0 && nl < upto; nl = this._next(c, 0x0a, nl + 1)) this.line++;
        if (stop < 0) return -1;
        i = stop;
        if (stop === bs) { this.escape = true; continue; }
        this.inString = false;
        if (this.depth === 0) return i + 1;
        continue;
      }
      const b = c[i]!;
      if (b === 0x0a) { this.line++; if (this.scalar) { this.line--; return i; } continue; }
      if (this.scalar) {
        if (WS(b) || STRUCTURAL.has(b)) return i;
        continue;
      }
      if (b === 0x22) this.inString = true;
      else if (b === 0x7b || b === 0x5b) this._openContainer(b);
      else if (b === 0x7d || b === 0x5d) {
        if (this.depth <= this.maxDepth && this.closers.pop() !== b) {
          this._fail(`mismatched "${String.fromCharCode(b)}" in the document that starts at line ${this.docLine}`);
        }
        if (--this.depth === 0) return i + 1;
      }
    }
    return -1;
  }

  // Cached indexOf per byte value for the current chunk, so long runs are searched once.
  private cacheChunk: Uint8Array | null = null;
  private readonly cache = new Map<number, number>();

  private _next(c: Uint8Array, byte: number, from: number): number {
    if (this.cacheChunk !== c) { this.cacheChunk = c; this.cache.clear(); }
    const hit = this.cache.get(byte);
    if (hit !== undefined && (hit === -1 || hit >= from)) return hit;
    const at = c.indexOf(byte, from);
    this.cache.set(byte, at);
    return at;
  }

  /** Keep the unfinished part of a document, unless it is already over the limit. */
  private _keep(part: Uint8Array): void {
    this.size += part.length;
    if (this.size > this.maxBytes) this.parts = [];
    else if (part.length > 0) this.parts.push(part);
  }

  private _finish(last: Uint8Array): JsonStreamItem {
    this._keep(last);
    this.inDoc = false;
    this.haveFirst = true;
    const base = { line: this.docLine, index: this.index++ };
    if (this.size > this.maxBytes) {
      return { ok: false, error: `document larger than ${this.maxBytes} bytes (${this.size}; limit maxDocumentBytes = ${this.maxBytes})`, limit: 'maxDocumentBytes', ...base };
    }
    if (this.tooDeep) return { ok: false, error: `document nested deeper than ${this.maxDepth} levels (limit maxDepth = ${this.maxDepth})`, limit: 'maxDepth', ...base };
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    let text: string;
    try { text = DECODER.decode(bytes); } catch {
      return { ok: false, error: 'document is not valid UTF-8', ...base };
    }
    if (this.textOnly && !this.scalar) return { ok: true, text, bytes: bytes.length, ...base };
    try {
      // parseJson keeps float-ness only after `[`, `:` or `,`; a bare scalar document is wrapped.
      const value = this.scalar ? (parseJson(`[${text}]`) as JsonValue[])[0]! : parseJson(text);
      return { ok: true, value, bytes: bytes.length, ...base };
    } catch (err) {
      if (isLimitError(err)) return { ok: false, error: err.message, limit: err.problem.limit, ...base };
      return { ok: false, error: `invalid JSON: ${(err as Error).message}`, ...base };
    }
  }

  private _fail(msg: string): never {
    throw new LedgerError('LEDGER_INPUT', `${this.name}:${this.line}: ${msg}`, { name: this.name, line: this.line });
  }
}

/**
 * Split a byte (or text) stream into top-level JSON documents.
 * @param input chunks of UTF-8 bytes or strings, split anywhere
 * @returns an async iterator of {@link JsonStreamItem} in input order
 * @throws LedgerError LEDGER_INPUT when the framing is broken (message names `opts.name` and the line)
 * @example for await (const d of splitJsonDocuments(createReadStream(f), { name: f })) if (d.ok) use(d.value)
 */
export async function* splitJsonDocuments(input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  opts: JsonStreamOptions = {}): AsyncGenerator<JsonStreamItem> {
  const splitter = new JsonDocumentSplitter(opts);
  for await (const chunk of input) {
    yield* splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  }
  yield* splitter.end();
}
