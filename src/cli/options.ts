/**
 * Options and plumbing shared by the commands that work on an archive, so each
 * command module only says what is its own.
 */
import type { Archive } from '../store/archive.js';

/** `--archive DIR` (SPEC.md §15.1). */
export const ARCHIVE_OPTION = {
  type: 'string', describe: 'archive folder (default $LEDGER_ARCHIVE_DIR or ./.ledger-archive)',
} as const;

/** `--workers N` (SPEC.md §7.6). */
export const WORKERS_OPTION = {
  type: 'number', describe: 'verification threads (default: two per core, at most 8; 0 = inline)',
} as const;

/** `--password-file F` for RethinkDB sources and targets (SPEC.md §16.1). */
export const PASSWORD_FILE_OPTION = {
  type: 'string', describe: 'file whose first line is the RethinkDB password (else $LEDGER_ARCHIVE_RETHINKDB_PASSWORD)',
} as const;

/**
 * Open the archive named by `--archive` (or the environment, or the default), run `fn`,
 * and close it whatever happens. `readOnly` for commands asked only to read: the archive
 * folder is not changed by a byte (SPEC.md §15.1). LevelDB failures become
 * LEDGER_ARCHIVE_CORRUPT naming the archive (exit 4).
 * @throws LedgerError LEDGER_ARCHIVE_* / LEDGER_STORE_LOCKED from opening
 */
export async function withArchive<T>(dir: string | undefined, fn: (archive: Archive) => Promise<T>, opts: { readOnly?: boolean; acceptIncomplete?: boolean } = {}): Promise<T> {
  const { openArchive, closeArchive, resolveArchiveDir, asArchiveError } = await import('../store/archive.js');
  const path = resolveArchiveDir(dir, process.env);
  const archive = await openArchive({ dir: path, readOnly: opts.readOnly === true, acceptIncomplete: opts.acceptIncomplete === true });
  try {
    return await fn(archive);
  } catch (err) {
    // A read-only command reads nothing but the archive: a stored record that does not parse is damage.
    if (opts.readOnly === true && err instanceof SyntaxError) {
      const { LedgerError } = await import('../errors.js');
      throw new LedgerError('LEDGER_ARCHIVE_CORRUPT', `${path}: a stored record does not parse (${err.message}); run "ledger-archive check" to find it`, { dir: path, damage: 'record' }, err);
    }
    throw asArchiveError(err, path);
  } finally {
    await closeArchive(archive).catch((err: unknown) => { throw asArchiveError(err, path); });
  }
}

/** {@link withArchive} for commands asked only to read: the archive folder is left exactly as it was. */
export function withReadOnlyArchive<T>(dir: string | undefined, fn: (archive: Archive) => Promise<T>): Promise<T> {
  return withArchive(dir, fn, { readOnly: true });
}
