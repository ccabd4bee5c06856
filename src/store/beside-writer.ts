/**
 * Reading beside a writer (SPEC.md §15.1.1): a read-only command on an archive that another
 * process holds (a running `pull --follow`) takes a live copy of the database and proves it
 * before using it. `commit.json` is read first: every batch it counts was in LevelDB's files
 * before the copy began (LevelDB writes a batch to its log before `commit.json` is replaced,
 * store/commit.ts), so a good copy holds at least those commits. The copy is opened privately
 * and its completeness record checked against that `commit.json` (store/completeness.ts):
 * the commit records must run 1..n with no hole, chain, and reach it. A copy that raced the
 * writer (a compaction moved files, a log was cut mid-record and a later one kept) fails
 * that proof or LevelDB's open, and is thrown away and taken again after a short wait. The
 * writer is never waited for or slowed down; it misses nothing because it is not touched.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LedgerError } from '../errors.js';
import { readCommitFile, type CommitState } from './commit.js';
import { isLocked, snapshotDb, type Snapshot } from './snapshot.js';

/** Copies tried before giving up (waits 20 ms doubling to 500 ms: about 12 s in all). */
export const LIVE_ATTEMPTS = 30;

/**
 * Open a proven live copy of `dbPath` when a writer holds it; null when none does (the
 * caller opens the usual way). `open` opens the copy at `path` and checks it against
 * `before` (the `commit.json` read before the copy), throwing when it does not hold up.
 * @throws LedgerError LEDGER_STORE_LOCKED when no copy held up in {@link LIVE_ATTEMPTS} tries
 *   (the last failure is the cause), LEDGER_ARCHIVE_CORRUPT when `commit.json` is damaged
 */
export async function openBesideWriter<T>(dbPath: string, dir: string,
  open: (path: string, before: CommitState | null) => Promise<T>): Promise<{ value: T; snap: Snapshot } | null> {
  let last: unknown = null;
  for (let attempt = 0; attempt < LIVE_ATTEMPTS; attempt++) {
    if (!isLocked(dbPath)) return null;
    if (attempt > 0) await sleep(Math.min(500, 20 * 2 ** (attempt - 1)));
    const before = readCommitFile(dir);
    let snap: Snapshot;
    try { snap = snapshotDb(dbPath, dir, { live: true }); } catch (err) { last = err; continue; }
    try {
      return { value: await open(snap.path, before), snap };
    } catch (err) {
      snap.remove();
      last = err;
    }
  }
  throw new LedgerError('LEDGER_STORE_LOCKED', `the archive ${dir} is in use by another process, and no copy taken beside it in ${LIVE_ATTEMPTS} tries held up `
    + `(last: ${(last as Error | null)?.message ?? 'unknown'}); try again, or stop the writer`, { dir, attempts: LIVE_ATTEMPTS }, last);
}
