/**
 * Archive folders (SPEC.md §12.1): `<dir>/archive.json` (format marker, version,
 * pinned federation and its hash, creation time) and `<dir>/db/` (LevelDB, key
 * layout in ./schema.ts). `archive.json` is written last and atomically, so a
 * folder holding it is a complete archive. The default folder is `./.ledger-archive`,
 * overridden by `LEDGER_ARCHIVE_DIR`, overridden by `--archive`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AbstractLevel } from 'abstract-level';
import { Level } from 'level';
import { LedgerError } from '../errors.js';
import { canonicalize } from '../model/canonical.js';
import { sha256 } from '../crypto/hash.js';
import { federationFromJson, federationToJson, type Federation } from '../model/federation.js';
import { FORMAT_NAME, FORMAT_VERSION, META, key } from './schema.js';

/** A LevelDB (or memory-level) database with string keys and values. */
export type LedgerDb = AbstractLevel<string | Buffer | Uint8Array, string, string>;

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
  const db = await openDb(join(dir, 'db'), dir);
  try {
    await db.put(key('meta', META.format), JSON.stringify({ version: FORMAT_VERSION, federationHash: wanted.federationHash }));
  } finally {
    await db.close();
  }
  const tmp = join(dir, 'archive.json.tmp');
  writeFileSync(tmp, `${JSON.stringify(wanted, null, 2)}\n`);
  renameSync(tmp, join(dir, 'archive.json'));
  return { info: wanted, created: true };
}

/**
 * Open an existing archive for reading and writing (LevelDB allows one process at a time).
 * @throws LedgerError LEDGER_ARCHIVE_MISSING, LEDGER_ARCHIVE_FORMAT, LEDGER_STORE_LOCKED (cause: LEVEL_LOCKED),
 *   LEDGER_ARCHIVE_CORRUPT (database and archive.json disagree)
 */
export async function openArchive(opts: { dir: string }): Promise<Archive> {
  const dir = resolve(opts.dir);
  const info = readInfo(dir);
  if (info === null) {
    const code = existsSync(dir) && readdirSync(dir).length > 0 ? 'LEDGER_ARCHIVE_FORMAT' : 'LEDGER_ARCHIVE_MISSING';
    throw new LedgerError(code, code === 'LEDGER_ARCHIVE_MISSING'
      ? `no archive at ${dir} (run "ledger-archive init" first)` : `${dir} is not a ledger archive`, { dir });
  }
  const federation = federationFromJson(info.federation, join(dir, 'archive.json'));
  const db = await openDb(join(dir, 'db'), dir);
  const marker = await db.get(key('meta', META.format));
  const fmt = marker === undefined ? null : JSON.parse(marker) as { version: number; federationHash: string };
  if (fmt === null || fmt.federationHash !== info.federationHash || fmt.version !== info.version) {
    await db.close();
    throw new LedgerError('LEDGER_ARCHIVE_CORRUPT', `${dir}: the database does not match archive.json`, { dir });
  }
  return { dir, db, federation, info };
}

/** An archive held in memory (tests, dry runs): same layout, no folder. */
export async function openMemoryArchive(federation: Federation, db: LedgerDb): Promise<Archive> {
  await db.open();
  return { dir: null, db, federation, info: infoFor(federation, new Date(0)) };
}

/** Close the archive's database. */
export async function closeArchive(archive: Archive): Promise<void> {
  await archive.db.close();
}

async function openDb(path: string, dir: string): Promise<LedgerDb> {
  const db = new Level<string, string>(path, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
  try {
    await db.open();
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new LedgerError('LEDGER_STORE_LOCKED', `the archive ${dir} is in use by another process`, { dir }, cause);
    }
    throw new LedgerError('LEDGER_ARCHIVE_CORRUPT', `cannot open the database of ${dir}: ${(err as Error).message}`, { dir }, err);
  }
  return db as unknown as LedgerDb;
}
