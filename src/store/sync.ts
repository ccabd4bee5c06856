/**
 * Per-source sync records (SPEC.md §12.2 `sy!`): when each source last delivered
 * successfully, and where to resume. Written in the same batch as the last
 * documents of a run, so a record never claims more than what is stored.
 */
import type { LedgerDb } from './db.js';
import { key, range } from './schema.js';

/** One source's sync record. */
export interface SyncRecord {
  /** Source name as the user gave it (file path, URL, `rethinkdb://host:port/db`). */
  name: string;
  /** ISO time of the last successful run. */
  lastPullAt: string;
  /** Opaque resume position for the source (issue 4), or null. */
  cursor: unknown;
  /** Counts of the last run. */
  counts?: Record<string, number>;
}

/** The key of a source's sync record (the name is URI-encoded: it may hold any character). */
export function syncKey(name: string): string {
  return key('sy', encodeURIComponent(name).replace(/!/g, '%21').replace(/~/g, '%7E'));
}

/** All sync records, in key order. */
export async function readSyncRecords(db: LedgerDb): Promise<SyncRecord[]> {
  const out: SyncRecord[] = [];
  for await (const v of db.values(range('sy'))) out.push(JSON.parse(v) as SyncRecord);
  return out;
}

/** One source's sync record, or null. */
export async function readSyncRecord(db: LedgerDb, name: string): Promise<SyncRecord | null> {
  const v = await db.get(syncKey(name));
  return v === undefined ? null : JSON.parse(v) as SyncRecord;
}
