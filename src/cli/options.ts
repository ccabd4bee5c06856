/**
 * Options shared by the commands, and the one place where option values are typed
 * (issue 8, issue 11 §5): yargs would turn `--layout 1.0` into the number 1 and
 * `--workers abc` into NaN, so every option is read as a string and converted here.
 * A bad value is LEDGER_USAGE (exit 2) naming the option and the value (SPEC.md §13).
 */
import { existsSync, statSync } from 'node:fs';
import { LedgerError } from '../errors.js';
import type { Archive } from '../store/archive.js';

const bad = (option: string, value: unknown, expected: string): LedgerError =>
  new LedgerError('LEDGER_USAGE', `--${option} ${JSON.stringify(String(value))}: expected ${expected}`, { option, value: String(value) });

/**
 * yargs wraps what a coerce function throws in its own error, losing the code; the helpers
 * below keep their LedgerError here so the CLI can rethrow it as it is (main.ts).
 */
let pending: LedgerError | undefined;

/** Take the LedgerError a coerce function threw during the last parse, if any. */
export function takeOptionError(): LedgerError | undefined {
  const e = pending;
  pending = undefined;
  return e;
}

/** Run a parser for yargs' `coerce`, remembering its LedgerError. */
const coerceWith = <T>(parse: (v: unknown) => T) => (v: unknown): T => {
  try { return parse(v); } catch (err) {
    if (err instanceof LedgerError) pending = err;
    throw err;
  }
};

/** One value of an option (yargs gives an array when an option is repeated: the last one wins). */
const last = (v: unknown): unknown => (Array.isArray(v) ? v.at(-1) : v);

/**
 * Parse a decimal integer in [min, max]; no sign tricks, fractions, exponents or blanks.
 * @throws LedgerError LEDGER_USAGE naming the option
 */
export function parseInteger(option: string, value: unknown, min: number, max: number): number {
  const text = String(last(value)).trim();
  if (!/^-?\d+$/.test(text)) throw bad(option, value, `an integer from ${min} to ${max}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw bad(option, value, `an integer from ${min} to ${max}`);
  return n;
}

/**
 * Parse a duration: whole seconds, or a number with a unit s, m, h or d (`90`, `15m`, `2h`, `1d`).
 * @throws LedgerError LEDGER_USAGE naming the option
 */
export function parseDuration(option: string, value: unknown, minSeconds = 0, maxSeconds = 10 * 365 * 86_400): number {
  const text = String(last(value)).trim();
  const m = /^(\d+)([smhd]?)$/.exec(text);
  const expected = `a duration in seconds, or with a unit s, m, h or d (e.g. 90, 15m, 2h, 1d), from ${minSeconds} s`;
  if (m === null) throw bad(option, value, expected);
  const seconds = Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86_400 } as Record<string, number>)[m[2]!]!;
  if (!Number.isSafeInteger(seconds) || seconds < minSeconds || seconds > maxSeconds) throw bad(option, value, expected);
  return seconds;
}

/** Check that a value is one of `choices`, compared as text (`1.0` stays `1.0`). */
export function parseChoice<T extends string>(option: string, value: unknown, choices: readonly T[]): T {
  const text = String(last(value));
  if (!(choices as readonly string[]).includes(text)) throw bad(option, value, `one of ${choices.join(', ')}`);
  return text as T;
}

/** A 64-hex-digit id (block or transaction id, SHA3-256), kept as the string given, lowercased. */
export function parseHexId(option: string, value: unknown): string {
  const text = String(last(value)).trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw bad(option, value, 'a 64-digit hex id');
  return text.toLowerCase();
}

/** A base58 Ed25519 public key (32 bytes: 43 or 44 base58 characters). */
export function parseBase58Key(option: string, value: unknown): string {
  const text = String(last(value)).trim();
  if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(text)) throw bad(option, value, 'a base58 public key');
  return text;
}

/**
 * An input file that must exist and be a file: missing is an input error (exit 3), not a
 * source or internal error, and names the option.
 */
export function parseInputFile(option: string, value: unknown): string {
  const text = String(last(value));
  if (text.length === 0) throw bad(option, value, 'a file name');
  if (!existsSync(text) || !statSync(text).isFile()) {
    throw new LedgerError('LEDGER_INPUT', `--${option} ${text}: no such file`, { option, path: text });
  }
  return text;
}

/** A non-empty string option kept as text (ids, database names, URLs: never numbers). */
export function parseText(option: string, value: unknown): string {
  const text = String(last(value));
  if (text.length === 0) throw bad(option, value, 'a non-empty value');
  return text;
}

/** yargs option: an integer in [min, max]. */
export const integerOption = (option: string, min: number, max: number, describe: string) =>
  ({ type: 'string', describe, coerce: coerceWith((v: unknown) => parseInteger(option, v, min, max)) }) as const;

/** yargs option: a duration in seconds (see {@link parseDuration}). */
export const durationOption = (option: string, describe: string, minSeconds = 0) =>
  ({ type: 'string', describe, coerce: coerceWith((v: unknown) => parseDuration(option, v, minSeconds)) }) as const;

/** yargs option: one of the given strings. */
export const choiceOption = <T extends string>(option: string, choices: readonly T[], describe: string) =>
  ({ type: 'string', describe: `${describe} [${choices.join(', ')}]`, coerce: coerceWith((v: unknown) => parseChoice(option, v, choices)) }) as const;

/** yargs option: a file that must exist (exit 3 when missing). */
export const inputFileOption = (option: string, describe: string) =>
  ({ type: 'string', describe, coerce: coerceWith((v: unknown) => parseInputFile(option, v)) }) as const;

/** yargs option: text (kept as a string, never a number). */
export const textOption = (option: string, describe: string) =>
  ({ type: 'string', describe, coerce: coerceWith((v: unknown) => parseText(option, v)) }) as const;

/** yargs option: text, repeatable and comma-separated, each item checked by `each`. */
export const listOption = (option: string, describe: string, each: (option: string, v: string) => string) =>
  ({
    type: 'string', array: true, describe,
    coerce: coerceWith((v: unknown) => (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(','))
      .map((s) => s.trim()).filter((s) => s.length > 0).map((s) => each(option, s))),
  }) as const;

/** The layouts BigchainDB's RethinkDB backend had (SPEC.md §4). Strings: `1.0` is not `1`. */
export const LAYOUTS = ['1.3', '1.0', '0.10', '0.9'] as const;

/** The hash functions a federation can name (SPEC.md §5). */
export const HASHES = ['sha3-256', 'keccak-256'] as const;

/** `--archive DIR` (SPEC.md §15.1). */
export const ARCHIVE_OPTION = textOption('archive', 'archive folder (default $LEDGER_ARCHIVE_DIR or ./.ledger-archive)');

/** `--workers N` (SPEC.md §7.6). */
export const WORKERS_OPTION = integerOption('workers', 0, 64, 'verification threads, 0 to 64 (default: two per core, at most 8; 0 = inline)');

/** `--password-file F` for RethinkDB sources and targets (SPEC.md §16.1). */
export const PASSWORD_FILE_OPTION = inputFileOption('password-file',
  'file whose first line is the RethinkDB password (else $LEDGER_ARCHIVE_RETHINKDB_PASSWORD)');

/** `--federation FILE` (SPEC.md §5). */
export const FEDERATION_OPTION = { alias: 'f', ...inputFileOption('federation', 'federation file or BigchainDB node config'), demandOption: true } as const;

/** `--hash` override of the federation's hash function. */
export const HASH_OPTION = choiceOption('hash', HASHES, 'override the federation\'s hash function');

/** `--db NAME`: which database of a dump or export holds the ledger (when it holds several). */
export const DB_OPTION = textOption('db', 'database of a dump/export folder holding the ledger, when it holds several (default: bigchain, or the only one with a bigchain table)');

/** Whether a path names an existing folder. */
export const isDirectory = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

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
