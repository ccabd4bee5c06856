/** Streaming helpers shared by the operations. */

/**
 * Group an async stream into arrays of at most `n` items, in order (the last may be shorter);
 * with `weigh`, a group also ends once its items weigh `maxWeight` (bytes held, SPEC.md §21).
 * @example for await (const batch of chunks(docs, 64)) ...
 */
export async function* chunks<T>(items: AsyncIterable<T>, n: number, weigh?: (x: T) => number, maxWeight = Infinity): AsyncGenerator<T[]> {
  let buf: T[] = [];
  let weight = 0;
  for await (const x of items) {
    buf.push(x);
    if (weigh !== undefined) weight += weigh(x);
    if (buf.length >= n || weight >= maxWeight) { yield buf; buf = []; weight = 0; }
  }
  if (buf.length > 0) yield buf;
}
