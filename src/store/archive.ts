/**
 * Archive folders (SPEC.md §12.1): `<dir>/archive.json` (format marker, version,
 * pinned federation and its hash, creation time) and `<dir>/db/` (LevelDB, key
 * layout in ./schema.ts). `archive.json` is written last and atomically, so a
 * folder holding it is a complete archive. The default folder is `./.ledger-archive`,
 * overridden by `LEDGER_ARCHIVE_DIR`, overridden by `--archive`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Level } from 'level';
import { LedgerError } from '../errors.js';
import { canonicalize } from '../model/canonical.js';
import { sha256 } from '../crypto/hash.js';
import { federationFromJson, federationToJson, type Federation } from '../model/federation.js';
import { FORMAT_NAME, FORMAT_VERSION, META, key } from './schema.js';
import { CHAIN_START, attachCommits, commitBatch, type CommitState } from './commit.js';
import { assessCompleteness, type Completeness } from './completeness.js';
import { noteHeld, snapshotDb, type Snapshot } from './snapshot.js';
import { openBesideWriter } from './beside-writer.js';
import { READ_COPY_OPTIONS } from './level-options.js';
import type { LedgerDb } from './db.js';

export type { LedgerDb } from './db.js';

/** The contents of `archive.json`. */
export interface ArchiveInfo {
  format: typeof FORMAT_NAME;
  version: number;
  federation: ReturnType<typeof federationToJson>;
  federationHash: string;
  createdAt: string;
}

/** An open archive. Close it with {@link closeArchive}. */
export interface Archive {
  /** The folder, or null for an in-memory archive. */
  dir: string | null;
  db: LedgerDb;
  federation: Federation;
  info: ArchiveInfo;
  /** Opened read-only: the database is a private copy (store/snapshot.ts) and writes are refused. */
  readOnly?: boolean;
  /** Removes the private copy of a read-only archive (set by openArchive). */
  release?: () => void;
  /** A live copy beside a writer (SPEC.md §15.1.1): the `commit.json` it was proven against (the file itself has moved on). */
  provenAgainst?: CommitState | null;
  /** Opened with `acceptIncomplete` (check --repair) while the completeness record shows damage. */
  incomplete?: Completeness;
}

/** Default archive folder, relative to the working directory. */
export const DEFAULT_ARCHIVE_DIR = '.ledger-archive';

/**
 * The archive folder to use: `explicit` (from `--archive`), else `env.LEDGER_ARCHIVE_DIR`, else the default.
 * @example resolveArchiveDir(undefined, process.env)
 */
export function resolveArchiveDir(explicit: string | undefined, env: Record<string, string | undefined> = {}): string {
  return resolve(explicit ?? env.LEDGER_ARCHIVE_DIR ?? DEFAULT_ARCHIVE_DIR);
}

/** sha256 hex of the canonical federation JSON: the identity an archive pins. */
export function federationHash(f: Federation): string {
  return sha256(Buffer.from(canonicalize(federationToJson(f)), 'utf8')).toString('hex');
}

function infoFor(f: Federation, now: Date): ArchiveInfo {
  return { format: FORMAT_NAME, version: FORMAT_VERSION, federation: federationToJson(f),
    federationHash: federationHash(f), createdAt: now.toISOString() };
}

/** Read and check `archive.json`; null when the folder holds none. */
function readInfo(dir: string): ArchiveInfo | null {
  const file = join(dir, 'archive.json');
  if (!existsSync(file)) return null;
  let info: Partial<ArchiveInfo>;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as Partial<ArchiveInfo>;
  } catch (err) {
    throw new LedgerError('LEDGER_ARCHIVE_FORMAT', `${file} is not valid JSON: not an archive`, { dir }, err);
  }
  if (info.format !== FORMAT_NAME) throw new LedgerError('LEDGER_ARCHIVE_FORMAT', `${dir} is not a ledger archive`, { dir });
  if (info.version !== FORMAT_VERSION) {
    throw new LedgerError('LEDGER_ARCHIVE_FORMAT', `${dir} has archive format version ${String(info.version)}; this tool reads version ${FORMAT_VERSION}`,
      { dir, version: info.version, expected: FORMAT_VERSION });
  }
  return info as ArchiveInfo;
}

/**
 * Create an archive, or confirm an existing one pinned to the same federation.
 * @returns the archive info and whether it was created now
 * @throws LedgerError LEDGER_ARCHIVE_FEDERATION (exists with another federation),
 *   LEDGER_ARCHIVE_FORMAT (another version, or a non-empty folder that is not an archive);
 *   nothing is changed in either case
 */
export async function initArchive(opts: { dir: string; federation: Federation; now?: Date }): Promise<{ info: ArchiveInfo; created: boolean }> {
  const dir = resolve(opts.dir);
  const existing = readInfo(dir);
  const wanted = infoFor(opts.federation, opts.now ?? new Date());
  if (existing !== null) {
    if (existing.federationHash !== wanted.federationHash) {
      throw new LedgerError('LEDGER_ARCHIVE_FEDERATION', `${dir} is pinned to another federation (${existing.federationHash.slice(0, 12)}…, not ${wanted.federationHash.slice(0, 12)}…)`,
        { dir, pinned: existing.federationHash, given: wanted.federationHash });
    }
    return { info: existing, created: false };
  }
  // A folder holding only `db/` is an init that was interrupted; anything else is not ours.
  if (existsSync(dir) && readdirSync(dir).some((n) => n !== 'db')) {
    throw new LedgerError('LEDGER_ARCHIVE_FORMAT', `${dir} exists and is not an archive; refusing to initialise it`, { dir });
  }
  mkdirSync(dir, { recursive: true });
  // The only place a database is created (SPEC.md §15.1).
  const db = await openDb(join(dir, 'db'), dir, true);
  try {
    attachCommits(db, dir, false, { n: 0, seq: 0, digest: CHAIN_START });
    await commitBatch(db, [{ type: 'put', key: key('meta', META.format), value: JSON.stringify({ version: FORMAT_VERSION, federationHash: wanted.federationHash }) }]);
    await flushMemtable(db);
  } finally {
    await db.close();
  }
  const tmp = join(dir, 'archive.json.tmp');
  writeFileSync(tmp, `${JSON.stringify(wanted, null, 2)}\n`);
  renameSync(tmp, join(dir, 'archive.json'));
  return { info: wanted, created: true };
}

/**
 * Open an existing archive. Nothing ever creates a database here (only {@link initArchive}).
 * `readOnly`: the archive folder is not changed by a byte — the database is a private
 * copy (store/snapshot.ts) — and writes are refused. Otherwise the archive is opened for
 * writing (LevelDB allows one process at a time); when the last close was not clean (a
 * non-empty log), the copy is checked first, so LevelDB's recovery never drops a damaged
 * batch from the archive before the loss is reported.
 * Either way the completeness record is checked (store/completeness.ts). A read-only open of an
 * archive a writer holds uses a proven live copy (SPEC.md §15.1.1, ./beside-writer.ts) unless
 * `besideWriter` is false (then: LEDGER_STORE_LOCKED).
 * @throws LedgerError LEDGER_ARCHIVE_MISSING, LEDGER_ARCHIVE_FORMAT, LEDGER_STORE_LOCKED (cause: LEVEL_LOCKED),
 *   LEDGER_ARCHIVE_CORRUPT (database missing or damaged, batches lost, database and archive.json disagree)
 */
export async function openArchive(opts: { dir: string; readOnly?: boolean; acceptIncomplete?: boolean; besideWriter?: boolean }): Promise<Archive> {
  const dir = resolve(opts.dir);
  const info = readInfo(dir);
  if (info === null) {
    const code = existsSync(dir) && readdirSync(dir).length > 0 ? 'LEDGER_ARCHIVE_FORMAT' : 'LEDGER_ARCHIVE_MISSING';
    throw new LedgerError(code, code === 'LEDGER_ARCHIVE_MISSING'
      ? `no archive at ${dir} (run "ledger-archive init" first)` : `${dir} is not a ledger archive`, { dir });
  }
  const federation = federationFromJson(info.federation, join(dir, 'archive.json'));
  const dbPath = join(dir, 'db');
  if (!existsSync(join(dbPath, 'CURRENT'))) {
    throw new LedgerError('LEDGER_ARCHIVE_CORRUPT', `${dir}: the database ${dbPath} is missing or has no CURRENT file; nothing was changed — restore the folder from a backup, or import an export into a new archive`,
      { dir, damage: 'database-missing', path: dbPath });
  }
  if (opts.readOnly !== true && opts.acceptIncomplete !== true && uncleanLog(dbPath)) {
    const probe = await openArchive({ dir, readOnly: true });
    await closeArchive(probe);
  }
  if (opts.readOnly === true && opts.acceptIncomplete !== true && opts.besideWriter !== false) {
    // A writer holds it (a running follower): a proven live copy (SPEC.md §15.1.1, ./beside-writer.ts).
    const beside = await openBesideWriter(dbPath, dir, async (path, before) => {
      const db = await openDb(path, dir, false, true);
      try {
        await checkMarker(db, info, dir);
        const c = await assessCompleteness(db, dir, before);
        if (c.error !== null) throw c.error;
        attachCommits(db, dir, true, c.state);
        return { db, before };
      } catch (err) {
        await db.close().catch(() => undefined);
        throw err;
      }
    });
    if (beside !== null) {
      return { dir, db: beside.value.db, federation, info, readOnly: true, release: beside.snap.remove, provenAgainst: beside.value.before };
    }
  }
  const snap: Snapshot | null = opts.readOnly === true ? snapshotDb(dbPath, dir) : null;
  let db: LedgerDb;
  let incomplete: Completeness | undefined;
  try {
    db = await openDb(snap?.path ?? dbPath, dir, false, snap !== null);
  } catch (err) {
    snap?.remove();
    throw err;
  }
  try {
    await checkMarker(db, info, dir);
    const c = await assessCompleteness(db, dir);
    if (c.error !== null && opts.acceptIncomplete !== true) throw c.error;
    attachCommits(db, dir, opts.readOnly === true, c.state);
    if (c.error !== null) incomplete = c;
    if (snap === null) noteHeld(dbPath, true);
  } catch (err) {
    await db.close().catch(() => undefined);
    snap?.remove();
    throw asArchiveError(err, dir);
  }
  return { dir, db, federation, info, readOnly: opts.readOnly === true, ...(snap !== null ? { release: snap.remove } : {}), ...(incomplete !== undefined ? { incomplete } : {}) };
}

/** The database's `meta!format` must repeat archive.json. @throws LedgerError LEDGER_ARCHIVE_CORRUPT */
async function checkMarker(db: LedgerDb, info: ArchiveInfo, dir: string): Promise<void> {
  const marker = await db.get(key('meta', META.format));
  const fmt = marker === undefined ? null : JSON.parse(marker) as { version: number; federationHash: string };
  if (fmt === null || fmt.federationHash !== info.federationHash || fmt.version !== info.version) {
    throw new LedgerError('LEDGER_ARCHIVE_CORRUPT', `${dir}: the database does not match archive.json`, { dir, damage: 'format-marker' });
  }
}

/**
 * `it`, with LevelDB failures turned into the archive error naming `dir` (for readers whose
 * consumer would otherwise wrap them, e.g. a file writer reporting "cannot write").
 */
export async function* guardArchiveReads<T>(it: AsyncIterable<T>, dir: string | null): AsyncGenerator<T> {
  try {
    yield* it;
  } catch (err) {
    throw asArchiveError(err, dir ?? 'the archive');
  }
}

/** True when the database has a non-empty write-ahead log: its last close was not clean. */
function uncleanLog(dbPath: string): boolean {
  return readdirSync(dbPath).some((n) => n.endsWith('.log') && statSync(join(dbPath, n)).size > 0);
}

/**
 * A LevelDB failure (code `LEVEL_*`, e.g. LEVEL_CORRUPTION, LEVEL_IO_ERROR) as the archive
 * error it is (SPEC.md §14: exit 4), naming the archive; other errors pass unchanged.
 */
export function asArchiveError(err: unknown, dir: string): unknown {
  const code = (e: unknown): string | undefined => (e as { code?: unknown } | null)?.code as string | undefined;
  const level = [err, (err as { cause?: unknown } | null)?.cause].find((e) => /^LEVEL_/.test(code(e) ?? ''));
  if (level === undefined || code(err) === 'LEDGER_STORE_LOCKED' || /^LEDGER_/.test(code(err) ?? '')) return err;
  const cause = (level as { cause?: Error }).cause;
  return new LedgerError('LEDGER_ARCHIVE_CORRUPT', `the database of ${dir} is damaged: ${(level as Error).message}${cause?.message !== undefined ? ` (${cause.message})` : ''}; run "ledger-archive check" to see what is affected, and restore from a backup or an export`,
    { dir, damage: 'leveldb', level: code(level) }, err);
}

/** An archive held in memory (tests, dry runs): same layout, no folder. */
export async function openMemoryArchive(federation: Federation, db: LedgerDb): Promise<Archive> {
  await db.open();
  attachCommits(db, null, false, { n: 0, seq: 0, digest: CHAIN_START });
  return { dir: null, db, federation, info: infoFor(federation, new Date(0)) };
}

/**
 * Close the archive's database. An archive opened for writing first moves LevelDB's
 * memtable into a table file, so nothing committed is left only in the write-ahead log
 * (SPEC.md §15.10: the window a damaged log can lose is the run of one process).
 */
export async function closeArchive(archive: Archive): Promise<void> {
  try {
    if (archive.readOnly !== true && archive.dir !== null && archive.db.status === 'open') await flushMemtable(archive.db);
  } finally {
    await archive.db.close();
    archive.release?.();
    if (archive.readOnly !== true && archive.dir !== null) noteHeld(join(archive.dir, 'db'), false);
  }
}

/** LevelDB's CompactRange flushes the memtable first; a range holding no key compacts nothing else. */
async function flushMemtable(db: LedgerDb): Promise<void> {
  const c = (db as unknown as { compactRange?: (a: string, b: string) => Promise<void> }).compactRange;
  if (c !== undefined) await c.call(db, '\u0000', '\u0001');
}

/** `copy`: a read-only open's private copy, which is only read: a small table cache (./level-options.ts). */
async function openDb(path: string, dir: string, create: boolean, copy = false): Promise<LedgerDb> {
  const db = new Level<string, string>(path, { keyEncoding: 'utf8', valueEncoding: 'utf8', createIfMissing: create, errorIfExists: false,
    ...(copy ? READ_COPY_OPTIONS : {}) });
  try {
    await db.open();
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new LedgerError('LEDGER_STORE_LOCKED', `the archive ${dir} is in use by another process`, { dir }, cause);
    }
    const cause2 = (err as { cause?: Error }).cause?.message;
    throw new LedgerError('LEDGER_ARCHIVE_CORRUPT', `cannot open the database of ${dir}: ${(err as Error).message}${cause2 !== undefined ? ` (${cause2})` : ''}; nothing was changed — restore the folder from a backup, or import an export into a new archive`,
      { dir, damage: 'open' }, err);
  }
  return db as unknown as LedgerDb;
}
