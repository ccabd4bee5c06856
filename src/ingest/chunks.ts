/** Streaming helpers shared by the operations. */

/**
 * Group an async stream into arrays of at most `n` items, in order (the last may be shorter).
 * @example for await (const batch of chunks(docs, 64)) ...
 */
export async function* chunks<T>(items: AsyncIterable<T>, n: number): AsyncGenerator<T[]> {
  let buf: T[] = [];
  for await (const x of items) {
    buf.push(x);
    if (buf.length >= n) { yield buf; buf = []; }
  }
  if (buf.length > 0) yield buf;
}
