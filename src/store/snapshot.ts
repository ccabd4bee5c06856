/**
 * Read-only opening (SPEC.md §15.1): LevelDB has no read-only mode — merely opening a
 * database replays its log into a new table, writes a new MANIFEST and CURRENT, starts
 * a new log, deletes the old one and may compact; a damaged log is "repaired" by
 * dropping what it cannot read. So a command asked only to read never opens the
 * archive's own folder: it takes the database files into a private temporary folder
 * and opens that, which is removed on close. Table files (`.ldb`, `.sst`) are immutable once
 * LevelDB has written them, so they are hard-linked when the temporary folder is on the
 * archive's file system (`LEDGER_ARCHIVE_TMPDIR` can put it there): a read-only open of a
 * large archive then costs a few small copies (MANIFEST, CURRENT, the log), not a copy of the
 * whole database; elsewhere they are copied (reflinks where the file system has them). The archive folder is only read. LevelDB's own lock cannot be taken without
 * writing, so a writer is detected from the kernel's lock table (Linux /proc/locks)
 * before and after the copy: a copy taken while another process writes is refused
 * (LEDGER_STORE_LOCKED), never used.
 */
import { constants, copyFileSync, existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerError } from '../errors.js';
import { liveTableNumbers } from './manifest.js';

/** LevelDB's files that are not data: the lock and its human-readable info logs. */
const NOT_DATA = new Set(['LOCK', 'LOG', 'LOG.old']);

/** LevelDB's immutable table files, which a snapshot may share by hard link. */
const TABLE_FILE = /^(\d+)\.(ldb|sst)$/;
/** Errors that mean "no hard link here": copy instead. */
const LINK_REFUSED = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP']);

/** Database folders this process holds open for writing (POSIX locks do not say so within one process). */
const heldHere = new Set<string>();

/** Note that this process opened (`held`) or closed a database folder for writing. */
export function noteHeld(dbPath: string, held: boolean): void {
  if (held) heldHere.add(dbPath); else heldHere.delete(dbPath);
}

/** True when another process (or this one) holds LevelDB's lock on `dbPath` (Linux; elsewhere: only this process is known). */
export function isLocked(dbPath: string): boolean {
  if (heldHere.has(dbPath)) return true;
  const lock = join(dbPath, 'LOCK');
  if (!existsSync(lock) || !existsSync('/proc/locks')) return false;
  const st = statSync(lock);
  const dev = BigInt(st.dev);
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  for (const line of readFileSync('/proc/locks', 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    // "1: POSIX  ADVISORY  WRITE 1234 fd:01:5678 0 EOF" (a "->" marks a waiter: skip it)
    const id = f[1] === '->' ? undefined : f[5];
    if (id === undefined) continue;
    const [ma, mi, ino] = id.split(':');
    if (Number(ino) === st.ino && parseInt(ma!, 16) === major && parseInt(mi!, 16) === minor) return true;
  }
  return false;
}

/** A private copy of a database folder; `remove` deletes it (idempotent). */
export interface Snapshot { path: string; remove(): void }

/**
 * Copy the data files of the LevelDB folder `dbPath` to a new temporary folder.
 * `live`: a writer may hold the folder (SPEC.md §15.1.1): no lock checks. Always `CURRENT` and the
 * `MANIFEST` it names are copied before the folder is listed, so every table that manifest
 * names was complete when it was read (LevelDB writes a table before the manifest edit naming
 * it); a file that vanishes meanwhile (a compaction) fails the copy, and the caller retries.
 * What the copy holds is then proven against `commit.json` by the caller, never assumed.
 * @throws LedgerError LEDGER_STORE_LOCKED (a process is writing it; `live`: the copy raced the writer),
 *   LEDGER_ARCHIVE_CORRUPT (files vanish or cannot be read)
 */
export function snapshotDb(dbPath: string, dir: string, opts: { live?: boolean } = {}): Snapshot {
  const live = opts.live === true;
  const busy = (why = ''): LedgerError => new LedgerError('LEDGER_STORE_LOCKED', `the archive ${dir} is in use by another process${why}`, { dir });
  if (!live && isLocked(dbPath)) throw busy();
  const path = mkdtempSync(join(process.env.LEDGER_ARCHIVE_TMPDIR ?? tmpdir(), 'ledger-archive-ro-'));
  const remove = (): void => rmSync(path, { recursive: true, force: true });
  // Hard links only for the tables the copied MANIFEST names (store/manifest.ts): those are
  // complete, immutable and numbered below the snapshot's next file number, so its LevelDB,
  // which creates files with O_TRUNC, can never write through a link into the archive (or into
  // a writer's table in progress, SPEC.md §15.1.1). Every other file is copied (reflinks where
  // the file system has them); so is everything once the file system refuses a link.
  let named: Set<number> | null = null;
  let link = true;
  const take = (name: string): void => {
    const table = TABLE_FILE.exec(name);
    if (link && table !== null && named !== null && named.has(Number(table[1]))) {
      try { linkSync(join(dbPath, name), join(path, name)); return; } catch (err) {
        if (!LINK_REFUSED.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
        link = false;
      }
    }
    copyFileSync(join(dbPath, name), join(path, name), constants.COPYFILE_FICLONE);
  };
  try {
    // CURRENT and the MANIFEST it names first: beside a writer, every table that manifest names
    // was complete when it was read (LevelDB writes a table before the edit naming it).
    const first: string[] = [];
    if (existsSync(join(dbPath, 'CURRENT'))) {
      const current = readFileSync(join(dbPath, 'CURRENT'), 'utf8');
      const manifest = current.trim();
      writeFileSync(join(path, 'CURRENT'), current);
      first.push('CURRENT');
      if (/^MANIFEST-\d+$/.test(manifest)) {
        copyFileSync(join(dbPath, manifest), join(path, manifest), constants.COPYFILE_FICLONE);
        first.push(manifest);
        named = liveTableNumbers(readFileSync(join(path, manifest)));
      }
    }
    for (const name of readdirSync(dbPath)) {
      if (NOT_DATA.has(name) || first.includes(name) || !statSync(join(dbPath, name)).isFile()) continue;
      take(name);
    }
  } catch (err) {
    remove();
    if (live) throw busy(`, and its files changed while they were copied (${(err as Error).message})`);
    if (isLocked(dbPath)) throw busy();
    throw new LedgerError('LEDGER_ARCHIVE_CORRUPT', `cannot read the database of ${dir}: ${(err as Error).message}`, { dir, damage: 'unreadable' }, err);
  }
  if (!live && isLocked(dbPath)) { remove(); throw busy(); }
  return { path, remove };
}
