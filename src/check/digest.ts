/**
 * Order-independent digests of index namespaces (SPEC.md §12.8): check adds every
 * entry the documents imply and every entry the database holds, per namespace, and
 * compares sums of 64-bit key hashes. Equal sums and counts mean equal sets (up to a
 * 2^-64 accident); only a differing namespace is diffed exactly, so check needs no
 * memory for the (possibly millions of) index keys of a healthy archive.
 */
import { createHash } from 'node:crypto';

/** The namespaces whose entries are derived from documents and checked by digest. */
export const INDEX_NAMESPACES = ['ts', 'tx', 'ow', 'as', 'ch'] as const;
/** One of {@link INDEX_NAMESPACES}. */
export type IndexNs = (typeof INDEX_NAMESPACES)[number];

interface Sum { a: number; b: number; n: number }

/** Partial sums of one namespace: [ns, a, b, count]. */
export type DigestSum = [string, number, number, number];

/** Sums of a set of keys (what {@link IndexDigests.addSum} takes). */
export function digestKeys(keys: readonly string[]): DigestSum[] {
  const d = new IndexDigests();
  for (const k of keys) d.add(k);
  return d.toSums();
}

/** Per-namespace digests. */
export class IndexDigests {
  private sums = new Map<string, Sum>();

  /** Add a key (its namespace is the part before the first `!`). */
  add(k: string): void {
    const h = createHash('md5').update(k).digest();
    this.addSum(k.slice(0, k.indexOf('!')), h.readUInt32LE(0), h.readUInt32LE(4), 1);
  }

  /** Add partial sums computed elsewhere (a worker's {@link digestKeys}). */
  addSum(ns: string, a: number, b: number, n: number): void {
    let s = this.sums.get(ns);
    if (s === undefined) { s = { a: 0, b: 0, n: 0 }; this.sums.set(ns, s); }
    s.a = (s.a + a) >>> 0;
    s.b = (s.b + b) >>> 0;
    s.n += n;
  }

  /** The sums, to send across threads. */
  toSums(): DigestSum[] {
    return [...this.sums].map(([ns, s]) => [ns, s.a, s.b, s.n]);
  }

  /** True when both hold the same digest for `ns`. */
  equal(other: IndexDigests, ns: string): boolean {
    const x = this.sums.get(ns) ?? { a: 0, b: 0, n: 0 };
    const y = other.sums.get(ns) ?? { a: 0, b: 0, n: 0 };
    return x.a === y.a && x.b === y.b && x.n === y.n;
  }
}
