/**
 * Export key files (docs/spec-export.md §6): 32 random bytes as 64 hex digits on one
 * line, after a `#` comment line, in a file only its owner may read (mode 0600).
 * Readers also accept the key as 44 characters of base64; `#` lines and blank lines are skipped.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { LedgerError } from '../errors.js';

/** Bytes in an export key. */
export const KEY_BYTES = 32;

/**
 * Write a new random key to `path`, readable by its owner only.
 * @returns the key's id (see {@link keyId})
 * @throws LedgerError LEDGER_USAGE when `path` exists (a key is never overwritten), LEDGER_INPUT when it cannot be written
 * @example generateKeyFile('backup.key')
 */
export function generateKeyFile(path: string): { path: string; keyId: string } {
  const key = randomBytes(KEY_BYTES);
  const text = `# ledger-archive export key (XSalsa20-Poly1305). Keep it secret; without it sealed exports cannot be read.\n${key.toString('hex')}\n`;
  try {
    // 'wx' fails if the file exists, so an existing key (and every export sealed with it) is never lost.
    writeFileSync(path, text, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new LedgerError('LEDGER_USAGE', `${path} exists; refusing to overwrite a key file`, { path }, err);
    }
    throw new LedgerError('LEDGER_INPUT', `cannot write key file ${path}: ${(err as Error).message}`, { path }, err);
  }
  return { path, keyId: keyId(key) };
}

/**
 * Read a key file.
 * @throws LedgerError LEDGER_INPUT (missing or unreadable), LEDGER_EXPORT_KEY (not a key file,
 *   or readable by group or others on POSIX systems, as OpenSSH refuses such private keys)
 */
export function loadKeyFile(path: string): Uint8Array {
  let text: string;
  let mode: number;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new LedgerError('LEDGER_INPUT', `cannot read key file ${path}: ${(err as Error).message}`, { path }, err);
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new LedgerError('LEDGER_EXPORT_KEY',
      `key file ${path} is accessible by others (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${path}`, { path });
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const key = lines.length === 1 ? decodeKey(lines[0]!) : null;
  if (key === null) {
    throw new LedgerError('LEDGER_EXPORT_KEY',
      `${path} is not a key file: expected one line of 64 hex digits or 44 base64 characters (make one with: ledger-archive keygen)`, { path });
  }
  return key;
}

function decodeKey(s: string): Uint8Array | null {
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(s)) {
    const b = Buffer.from(s, 'base64');
    return b.length === KEY_BYTES ? b : null;
  }
  return null;
}

/** A short public name for a key (first 16 hex digits of its SHA-256), safe to print. */
export function keyId(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}
