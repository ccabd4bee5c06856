/**
 * The float type of exact JSON (SPEC.md §2.2), in a file of its own: the parser
 * (./json.ts) and the canonical-text proof (./canonical-text.ts) both need it, and
 * neither may import the other both ways.
 */

/**
 * A JSON number that Python reads as a float (`1.0`, `1e2`). It is a boxed Number
 * so that it survives structured cloning to worker threads (a clone arrives as a
 * plain `Number` object): test with {@link isJsonFloat}, read with `Number(v)`,
 * never with `instanceof JsonFloat` or `.value` on data that may have crossed threads.
 */
export class JsonFloat extends Number {}

/** True for a parsed float, including one cloned from another thread. */
export function isJsonFloat(v: unknown): v is JsonFloat {
  return v instanceof Number;
}
