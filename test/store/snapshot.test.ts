/**
 * Read-only opens (SPEC.md §15.1, store/snapshot.ts): the private snapshot shares the
 * immutable table files by hard link when it can, copies them when it cannot, and in both
 * cases reads exactly what the archive holds without changing a byte of it.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeArchive, initArchive, openArchive } from '../../src/store/archive.js';
import { snapshotDb } from '../../src/store/snapshot.js';
import { liveTableNumbers } from '../../src/store/manifest.js';
import { ingest } from '../../src/ops/ingest.js';
import { buildLedger } from '../helpers/store-ledger.js';
import { dumpDb, raw, tempDir } from '../helpers/store-archive.js';
import { ledgerDocs } from '../helpers/archive-child.js';

/** Every file of a folder with the sha256 of its bytes (names sorted). */
function folderHash(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isFile()) out[name] = createHash('sha256').update(readFileSync(p)).digest('hex');
  }
  return out;
}

async function filledArchive(): Promise<{ dir: string; cleanup: () => void }> {
  const t = tempDir('la-snap-');
  const dir = join(t.dir, 'archive');
  const ledger = buildLedger({ voters: 3, blocks: 30, seed: 'snap' });
  await initArchive({ dir, federation: ledger.federation });
  const a = await openArchive({ dir });
  await ingest({ archive: a, docs: raw(ledgerDocs(ledger)), workers: 0 });
  await closeArchive(a); // a clean close flushes the memtable: table files exist
  return { dir, cleanup: t.cleanup };
}

test('a snapshot on the archive\'s file system hard-links the table files and copies the rest', async () => {
  const { dir, cleanup } = await filledArchive();
  const db = join(dir, 'db');
  const tables = readdirSync(db).filter((n) => /^\d+\.(ldb|sst)$/.test(n));
  assert.ok(tables.length > 0, 'the archive has table files');
  const prev = process.env.LEDGER_ARCHIVE_TMPDIR;
  process.env.LEDGER_ARCHIVE_TMPDIR = dir.slice(0, dir.lastIndexOf('/')); // same file system as the archive
  try {
    const snap = snapshotDb(db, dir);
    for (const n of tables) assert.equal(statSync(join(snap.path, n)).ino, statSync(join(db, n)).ino, `${n} is shared`);
    const manifest = readdirSync(db).find((n) => n.startsWith('MANIFEST-'))!;
    assert.notEqual(statSync(join(snap.path, manifest)).ino, statSync(join(db, manifest)).ino, 'the MANIFEST is a copy');
    snap.remove();
    assert.equal(existsSync(snap.path), false);
    for (const n of tables) assert.ok(existsSync(join(db, n)), 'removing the snapshot keeps the archive\'s files');
  } finally {
    if (prev === undefined) delete process.env.LEDGER_ARCHIVE_TMPDIR; else process.env.LEDGER_ARCHIVE_TMPDIR = prev;
    cleanup();
  }
});

test('a read-only open reads what a writer reads and changes no byte of the archive (linked or copied)', async () => {
  const { dir, cleanup } = await filledArchive();
  const db = join(dir, 'db');
  const rw = await openArchive({ dir });
  const want = await dumpDb(rw.db);
  await closeArchive(rw);
  const before = { top: folderHash(dir), db: folderHash(db) };
  const other = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/la-snap-') : null; // tmpfs: another file system, so copies
  const prev = process.env.LEDGER_ARCHIVE_TMPDIR;
  try {
    for (const tmp of [dir.slice(0, dir.lastIndexOf('/')), ...(other === null ? [] : [other])]) {
      process.env.LEDGER_ARCHIVE_TMPDIR = tmp;
      const ro = await openArchive({ dir, readOnly: true });
      assert.deepEqual(await dumpDb(ro.db), want, `same contents through ${tmp}`);
      await closeArchive(ro);
      assert.deepEqual({ top: folderHash(dir), db: folderHash(db) }, before, `no byte changed (snapshot in ${tmp})`);
    }
  } finally {
    if (prev === undefined) delete process.env.LEDGER_ARCHIVE_TMPDIR; else process.env.LEDGER_ARCHIVE_TMPDIR = prev;
    if (other !== null) rmSync(other, { recursive: true, force: true });
    cleanup();
  }
});

test('only the tables the MANIFEST names are linked: any other table file is copied (it may be one the snapshot would overwrite)', async () => {
  const { dir, cleanup } = await filledArchive();
  const db = join(dir, 'db');
  const manifest = readFileSync(join(db, 'CURRENT'), 'utf8').trim();
  const named = liveTableNumbers(readFileSync(join(db, manifest)));
  assert.ok(named !== null, 'the MANIFEST is read');
  const tables = readdirSync(db).filter((n) => /^\d+\.ldb$/.test(n)).map((n) => Number(n.split('.')[0])).sort((a, b) => a - b);
  assert.deepEqual([...named].sort((a, b) => a - b), tables, 'after a clean close the folder holds exactly the named tables');
  // An orphan (a crashed compaction's output, or a table a writer is still writing): its number
  // is one LevelDB may allocate again, and it opens new files with O_TRUNC.
  writeFileSync(join(db, '999999.ldb'), 'orphan bytes');
  const prev = process.env.LEDGER_ARCHIVE_TMPDIR;
  process.env.LEDGER_ARCHIVE_TMPDIR = dir.slice(0, dir.lastIndexOf('/'));
  try {
    const snap = snapshotDb(db, dir);
    assert.notEqual(statSync(join(snap.path, '999999.ldb')).ino, statSync(join(db, '999999.ldb')).ino, 'the orphan is a copy');
    for (const n of tables) {
      const name = `${String(n).padStart(6, '0')}.ldb`;
      assert.equal(statSync(join(snap.path, name)).ino, statSync(join(db, name)).ino, `${name} is shared`);
    }
    snap.remove();
  } finally {
    if (prev === undefined) delete process.env.LEDGER_ARCHIVE_TMPDIR; else process.env.LEDGER_ARCHIVE_TMPDIR = prev;
    cleanup();
  }
});

test('a MANIFEST that cannot be read with certainty links nothing', () => {
  assert.equal(liveTableNumbers(Uint8Array.from([0, 0, 0, 0, 200, 0, 1, 7])), null, 'a record longer than the file');
  // One FULL record holding an unknown tag (8).
  assert.equal(liveTableNumbers(Uint8Array.from([0, 0, 0, 0, 2, 0, 1, 8, 0])), null, 'an unknown field');
  // One FULL record: new file (tag 7) level 0, number 5, size 1, two empty keys.
  assert.deepEqual([...liveTableNumbers(Uint8Array.from([0, 0, 0, 0, 6, 0, 1, 7, 0, 5, 1, 0, 0]))!], [5]);
  // ... then a record deleting it (tag 6, level 0, number 5).
  assert.deepEqual([...liveTableNumbers(Uint8Array.from([0, 0, 0, 0, 6, 0, 1, 7, 0, 5, 1, 0, 0, 0, 0, 0, 0, 3, 0, 1, 6, 0, 5]))!], []);
});
