/**
 * `check --repair-indexes` (SPEC.md §12.8): rebuild every derived entry (indexes,
 * block meta voters/timestamp, elections) from the stored documents. Documents
 * (`b!`, `v!`, `vd!`), quarantine and sync records are never touched; a document
 * that no longer verifies stays for `check` to report. Crash-safe: a half-done
 * repair is simply run again (check reports what is still missing).
 */
import { parseJson } from '../model/json.js';
import type { Block, Vote } from '../model/types.js';
import type { Archive } from '../store/archive.js';
import { blockDocEntries, blockIndexEntries, voteIndexEntries } from '../store/entries.js';
import type { BlockMeta } from '../store/read.js';
import { key, keyParts, range } from '../store/schema.js';
import { BatchWriter } from '../ingest/writer.js';
import { INDEX_NAMESPACES } from '../check/digest.js';

/** What a repair did. */
export interface RepairReport { deleted: number; written: number }

/**
 * Rebuild index entries and elections from the documents.
 * @example await repairIndexes({ archive }); (await check({ archive })).ok
 */
export async function repairIndexes(opts: { archive: Archive }): Promise<RepairReport> {
  const { db, federation } = opts.archive;
  const writer = new BatchWriter(db, federation);
  const out: RepairReport = { deleted: 0, written: 0 };
  for (const ns of [...INDEX_NAMESPACES, 'es'] as const) {
    for await (const k of db.keys(range(ns))) { writer.del(k); writer.noteDoc(); out.deleted++; await writer.maybeFlush(); }
  }
  for await (const k of db.keys(range('bm'))) {
    if (await db.get(key('b', keyParts(k)[0]!)) === undefined) { writer.del(k); out.deleted++; }
  }
  await writer.flush();
  for await (const [k, text] of db.iterator(range('b'))) {
    let block: Block;
    try { block = parseJson(text) as unknown as Block; } catch { continue; } // a corrupt document: check names it
    if (block?.id !== keyParts(k)[0]) continue; // a corrupt document: check names it
    const old = await db.get(key('bm', block.id));
    let prior: BlockMeta | null = null;
    try { prior = old === undefined ? null : JSON.parse(old) as BlockMeta; } catch { prior = null; }
    const entries = [...blockDocEntries(block, text, prior?.layout ?? null, prior?.origin ?? 'repair'), ...blockIndexEntries(block)];
    for (const e of entries.slice(1)) { writer.put(e.key, e.value); out.written++; } // never rewrite the document itself
    writer.markDirty(block.id);
    writer.noteDoc();
    await writer.maybeFlush();
  }
  for (const ns of ['v', 'vd'] as const) {
    for await (const text of db.values(range(ns))) {
      let vote: Vote;
      try { vote = parseJson(text) as unknown as Vote; } catch { continue; }
      for (const e of voteIndexEntries(vote)) { writer.put(e.key, e.value); out.written++; }
      writer.noteDoc();
      await writer.maybeFlush();
    }
  }
  await writer.flush();
  return out;
}
