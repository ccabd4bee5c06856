/**
 * A throw-away LevelDB in a temporary folder, for operations that must set documents
 * aside without keeping them (verify's re-coupling of stored-layout blocks, SPEC.md
 * §13.1): on disk, so memory stays flat however large the input; removed on close.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import type { LedgerDb } from './db.js';

/** An open scratch database. */
export interface ScratchDb {
  db: LedgerDb;
  /** Close the database and remove its folder (idempotent). */
  close(): Promise<void>;
}

/**
 * Open an empty scratch database under the system's temporary folder (or `parent`).
 * @example const s = await openScratchDb(); try { ... } finally { await s.close(); }
 */
export async function openScratchDb(parent: string = tmpdir()): Promise<ScratchDb> {
  const dir = mkdtempSync(join(parent, 'ledger-archive-scratch-'));
  const db = new Level<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' }) as unknown as LedgerDb;
  try {
    await db.open();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let closed = false;
  return {
    db,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
