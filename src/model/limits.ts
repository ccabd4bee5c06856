/**
 * Limits on untrusted documents (SPEC.md §21), taken from the domain and checked
 * before anything is allocated for what they bound: a document's size, nesting and
 * element counts are checked on its text before it is parsed (or, for values a
 * driver parsed, by an iterative walk before anything recursive sees them); the
 * counts BigchainDB itself bounds (transactions per block, voters per block) are
 * checked by the shape checks (model/parse.ts) before they loop over them.
 *
 * The limits are process-wide: the CLI sets them once from its options and the
 * verification pool hands them to its workers (verify/pool.ts).
 */

/** The limits; defaults in {@link DEFAULT_LIMITS}, options in SPEC.md §21. */
export interface Limits {
  /** Largest document, in bytes of its UTF-8 text (an NDJSON line, a dump member's document, an HTTP body). */
  maxDocumentBytes: number;
  /** Deepest nesting of arrays and objects in one document. */
  maxDepth: number;
  /** Most values in one document: array elements and object members, at any depth, all counted. */
  maxElements: number;
  /** Longest string (key or value), in UTF-16 code units of its escaped text. */
  maxStringLength: number;
  /** Most transactions in one block. */
  maxBlockTransactions: number;
  /** Most inputs, and most outputs, of one transaction. */
  maxTxInputsOutputs: number;
}

/**
 * Defaults no real ledger exceeds. 32 MiB per document: BigchainDB's blocks hold at
 * most 1,000 transactions (`BlockPipeline.create`, `len(self.txs) == 1000`), a few KB
 * each; a quarter of the `rethinkdb import` bound (128 MiB) keeps a whole document, its
 * copy in a worker, its parse and its canonical bytes under the 512 MB memory goal
 * (measured: SPEC.md §21). Depth 100 is the importer's `MAX_NESTING_DEPTH`. A block
 * of 1,000 transactions holds some 30,000 values; 1,000,000 bounds what a parse costs
 * (a value is 8–50 bytes of heap, its text as little as 2 bytes).
 */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxDocumentBytes: 8 * 1024 * 1024,
  maxDepth: 100,
  maxElements: 1_000_000,
  maxStringLength: 4 * 1024 * 1024,
  maxBlockTransactions: 1000,
  maxTxInputsOutputs: 10_000,
});

/**
 * The deepest `maxDepth` may be set to: the exact parser and the canonical
 * serializer recurse once per level, and 1000 levels (Python's recursion limit,
 * which capped what BigchainDB could read) stay far from any stack limit.
 */
export const MAX_DEPTH_CEILING = 1000;

let current: Limits = { ...DEFAULT_LIMITS };

/** The limits in force. */
export function limits(): Readonly<Limits> {
  return current;
}

/**
 * Set some limits (the others keep their values).
 * @throws RangeError when a value is not a positive integer, or maxDepth exceeds {@link MAX_DEPTH_CEILING}
 */
export function setLimits(patch: Partial<Limits>): void {
  const next = { ...current };
  for (const [k, v] of Object.entries(patch) as [keyof Limits, number | undefined][]) {
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`${k} must be a positive integer, got ${v}`);
    next[k] = v;
  }
  if (next.maxDepth > MAX_DEPTH_CEILING) throw new RangeError(`maxDepth must be at most ${MAX_DEPTH_CEILING}, got ${next.maxDepth}`);
  current = next;
}

/** Back to the defaults (tests). */
export function resetLimits(): void {
  current = { ...DEFAULT_LIMITS };
}

/** A limit a document broke: which one, its value, and what was found. */
export interface LimitProblem {
  limit: keyof Limits;
  max: number;
  message: string;
}

const problem = (limit: keyof Limits, max: number, what: string): LimitProblem =>
  ({ limit, max, message: `${what} (limit ${limit} = ${max})` });

/**
 * Check JSON text against the size, depth, element and string limits in one linear
 * pass that allocates nothing. Invalid JSON is not its business: whatever it cannot
 * make sense of is left for the parser to report.
 * @returns the first limit broken, or null
 * @example jsonTextProblem('[[[1]]]', { ...limits(), maxDepth: 2 }) // { limit: 'maxDepth', ... }
 */
export function jsonTextProblem(text: string, l: Readonly<Limits> = current): LimitProblem | null {
  // A code unit is at least one UTF-8 byte: text longer than the limit is over it.
  if (text.length > l.maxDocumentBytes) return problem('maxDocumentBytes', l.maxDocumentBytes, `document of ${text.length} characters`);
  let depth = 0;
  let values = 0; // separators and containers: at least the values there are, less one
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = stringEnd(text, i + 1);
      if (end < 0) return null;
      if (end - i - 1 > l.maxStringLength) return problem('maxStringLength', l.maxStringLength, `a string of ${end - i - 1} characters`);
      i = end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > l.maxDepth) return problem('maxDepth', l.maxDepth, `nesting deeper than ${l.maxDepth} levels`);
      if (++values > l.maxElements) return tooMany(l);
    } else if (c === 0x5d || c === 0x7d) {
      if (depth > 0) depth--;
    } else if (c === 0x2c && depth > 0) {
      if (++values > l.maxElements) return tooMany(l);
    }
  }
  return null;
}

const tooMany = (l: Readonly<Limits>): LimitProblem =>
  problem('maxElements', l.maxElements, `more than ${l.maxElements} values (array elements and object members)`);

/** Index of the quote closing the string whose text starts at `from`, or -1. */
function stringEnd(text: string, from: number): number {
  for (let q = text.indexOf('"', from); q >= 0; q = text.indexOf('"', q + 1)) {
    let bs = 0;
    while (text.charCodeAt(q - 1 - bs) === 0x5c) bs++;
    if (bs % 2 === 0) return q;
  }
  return -1;
}

/**
 * The same limits on a value parsed by someone else (a database driver), by an
 * iterative walk, so that nothing recursive ever meets a value deeper than maxDepth.
 * The size of its JSON text is estimated from below (strings and keys as their length
 * plus quotes, other values 1–5 bytes) and checked against maxDocumentBytes.
 * @param size when given, receives that estimate (bytes), to bound what is held in memory
 * @returns the first limit broken, or null
 */
export function jsonValueProblem(value: unknown, l: Readonly<Limits> = current, size?: { bytes: number }): LimitProblem | null {
  const stack: [unknown, number][] = [[value, 1]];
  let values = 0;
  let bytes = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.length > l.maxStringLength) return problem('maxStringLength', l.maxStringLength, `a string of ${v.length} characters`);
      bytes += v.length + 3;
    } else if (typeof v !== 'object' || v === null) {
      bytes += 2;
    } else {
      if (depth > l.maxDepth) return problem('maxDepth', l.maxDepth, `nesting deeper than ${l.maxDepth} levels`);
      const items = Array.isArray(v) ? v as unknown[] : Object.keys(v);
      values += items.length;
      bytes += 2;
      if (values > l.maxElements) return tooMany(l);
      if (Array.isArray(v)) for (const x of items) stack.push([x, depth + 1]);
      else for (const k of items as string[]) { stack.push([k, depth + 1]); stack.push([(v as Record<string, unknown>)[k], depth + 1]); }
    }
    if (bytes > l.maxDocumentBytes) return problem('maxDocumentBytes', l.maxDocumentBytes, `a document of more than ${l.maxDocumentBytes} bytes of JSON`);
  }
  if (size !== undefined) size.bytes = bytes;
  return null;
}

/** Thrown by parseJson when a text breaks a limit; callers turn it into a DOC_LIMIT finding. */
export class LimitError extends Error {
  readonly problem: LimitProblem;
  constructor(p: LimitProblem) {
    super(p.message);
    this.name = 'LimitError';
    this.problem = p;
  }
}

/** True for a {@link LimitError}, also across realms (by name). */
export function isLimitError(err: unknown): err is LimitError {
  return err instanceof Error && err.name === 'LimitError' && 'problem' in err;
}

