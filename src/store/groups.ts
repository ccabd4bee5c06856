/**
 * Everything stored under each block id, in id order, from five key-ordered scans merged by
 * id (`b!`, `bm!`, `es!`, `v!`, `vd!`; ids order keys the same way in every namespace): no
 * point reads, so LevelDB reads each table once, front to back (SPEC.md §21: a whole-archive
 * pass in key order keeps only the tables being read mapped). Used by `check` and `audit`.
 */
import type { LedgerDb } from './db.js';
import { entryBatches } from './scan.js';
import { range } from './schema.js';

/** Everything stored under one block id: the block, its meta and election records, its votes (v, then vd). */
export interface Group { id: string; block?: [string, string]; meta?: string; election?: string; votes: [string, string][] }

/** One key-ordered scan, read in batches, positioned on its current entry. */
class Scan {
  private readonly it: AsyncGenerator<[string, string][]>;
  private readonly at: number;
  private readonly voteKeys: boolean;
  private batch: [string, string][] = [];
  private i = 0;
  private ended = false;

  constructor(db: LedgerDb, ns: 'b' | 'bm' | 'es' | 'v' | 'vd') {
    this.it = entryBatches(db, range(ns));
    this.at = ns.length + 1;
    this.voteKeys = ns === 'v' || ns === 'vd';
  }

  /** Make sure an entry is loaded (false at the end). */
  async ready(): Promise<boolean> {
    while (this.i >= this.batch.length && !this.ended) {
      const r = await this.it.next();
      if (r.done === true) this.ended = true; else { this.batch = r.value; this.i = 0; }
    }
    return this.i < this.batch.length;
  }

  /** The block id of the current entry (call after {@link ready} said true). */
  id(): string {
    const k = this.batch[this.i]![0];
    return this.voteKeys ? k.slice(this.at, k.indexOf('!', this.at)) : k.slice(this.at);
  }

  /** The current entry; moves on. */
  take(): [string, string] {
    return this.batch[this.i++]!;
  }
}

/** Merge the document scans into groups by block id, in id order (ids order keys the same way in every namespace). */
export async function* groups(db: LedgerDb): AsyncGenerator<Group> {
  const [b, bm, es, v, vd] = (['b', 'bm', 'es', 'v', 'vd'] as const).map((ns) => new Scan(db, ns)) as [Scan, Scan, Scan, Scan, Scan];
  const all = [b, bm, es, v, vd];
  for (;;) {
    let min: string | null = null;
    for (const s of all) if (await s.ready()) { const id = s.id(); if (min === null || id < min) min = id; }
    if (min === null) return;
    const g: Group = { id: min, votes: [] };
    if (await b.ready() && b.id() === min) g.block = b.take();
    if (await bm.ready() && bm.id() === min) g.meta = bm.take()[1];
    if (await es.ready() && es.id() === min) g.election = es.take()[1];
    for (const s of [v, vd]) while (await s.ready() && s.id() === min) g.votes.push(s.take());
    yield g;
  }
}
