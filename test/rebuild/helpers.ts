/**
 * Shared setup of the rebuild and merge tests: archives made from generated ledgers as a
 * pull from a given layout would make them, and archive comparison without what
 * legitimately differs between two equal archives (origins, sync records, run times).
 */
import { ingest } from '../../src/ops/ingest.js';
import type { Layout, RawDoc } from '../../src/model/documents.js';
import type { Archive, LedgerDb } from '../../src/store/archive.js';
import type { Block, Vote } from '../../src/model/types.js';
import type { Ledger } from '../helpers/ledger-builder.js';
import { dumpDb, memoryArchive } from '../helpers/store-archive.js';
import { federationOf, rowsFor } from '../pull/helpers.js';

/** Raw documents of `blocks`/`votes` as a database in `layout` holds them (vote rows with ids unless `voteIds` is false). */
export function layoutDocs(layout: Layout, blocks: readonly Block[], votes: readonly Vote[], voteIds = true): RawDoc[] {
  const rows = rowsFor(layout, blocks, votes);
  const out: RawDoc[] = [];
  const push = (table: RawDoc['table'], docs: unknown[]): void => {
    docs.forEach((d, i) => out.push({ table, doc: JSON.parse(JSON.stringify(d)) as unknown, origin: `fixture:${String(table)}#${i}` }));
  };
  push('assets', rows.assets);
  push('metadata', rows.metadata);
  push('bigchain', rows.bigchain);
  push('votes', voteIds ? rows.votes : votes as unknown[]);
  return out;
}

/** A fresh memory archive holding `blocks`/`votes` as pulled from a `layout` database. */
export async function archiveOf(l: Ledger, layout: Layout, blocks: readonly Block[] = l.blocks, votes: readonly Vote[] = l.votes, voteIds = true): Promise<Archive> {
  const a = await memoryArchive(federationOf(l));
  const s = await ingest({ archive: a, docs: layoutDocs(layout, blocks, votes, voteIds), layout, workers: 0 });
  if (s.quarantined + s.conflicts > 0) throw new Error(`fixture archive: ${JSON.stringify(s.findings.slice(0, 3))}`);
  return a;
}

/**
 * Archive contents that must be equal after a round trip: everything but sync records,
 * remembered selections, quarantine times and the `origin` of block meta records
 * (and their `layout` when `ignoreLayout`: a pull from a file records it only for
 * blocks that needed rows put back).
 */
export async function comparable(db: LedgerDb, ignoreLayout = false): Promise<Map<string, string>> {
  const all = await dumpDb(db);
  for (const k of [...all.keys()]) {
    // sq!/meta!seq/ex!: arrival order and exports made, bookkeeping like sync records.
    if (k.startsWith('sy!') || k.startsWith('meta!selection') || k.startsWith('sq!') || k.startsWith('ex!') || k === 'meta!seq') all.delete(k);
    else if (k.startsWith('q!')) all.set(k, JSON.stringify({ ...JSON.parse(all.get(k)!) as object, at: null }));
    else if (k.startsWith('bm!')) {
      const m = JSON.parse(all.get(k)!) as { layout: unknown };
      all.set(k, JSON.stringify({ ...m, origin: null, layout: ignoreLayout ? null : m.layout }));
    }
  }
  return all;
}

/** Keys of a namespace (`b`, `v`, ...) in a database. */
export async function idsOf(db: LedgerDb, ns: string): Promise<string[]> {
  const out: string[] = [];
  for await (const k of db.keys({ gt: `${ns}!`, lt: `${ns}!~` })) out.push(k.slice(ns.length + 1));
  return out;
}

/** First differing key of two maps (for assertion messages). */
export function firstDifference(a: Map<string, string>, b: Map<string, string>): string {
  for (const [k, v] of a) if (b.get(k) !== v) return `${k}: ${v.slice(0, 120)} ≠ ${String(b.get(k)).slice(0, 120)}`;
  for (const k of b.keys()) if (!a.has(k)) return `${k} only in the second`;
  return 'none';
}
