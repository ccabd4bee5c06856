/**
 * RethinkDB connection addresses: `rethinkdb://[user[:password]@]host[:port]/db`
 * with optional `?tls=1` and `?ca=<file>` (TLS with that CA; a CA implies TLS).
 * Defaults: port 28015, user `admin`, database `bigchain` (BigchainDB's default).
 *
 * Policy: a password never appears in messages. It lives in a non-enumerable
 * property, so `JSON.stringify`, `util.inspect` and `String(url)` do not show it.
 */
import { readFileSync } from 'node:fs';
import { LedgerError } from '../errors.js';

/** Environment variable holding the RethinkDB password. */
export const PASSWORD_ENV = 'LEDGER_ARCHIVE_RETHINKDB_PASSWORD';

/** A parsed address. `password` is non-enumerable; `toString()` is the redacted form. */
export interface RethinkUrl {
  host: string;
  port: number;
  db: string;
  user: string;
  /** TLS settings, or null for a plain TCP connection. */
  tls: { caFile: string | null } | null;
  readonly password: string;
  /** `rethinkdb://user@host:port/db` — never the password. */
  toString(): string;
}

/** Where else a password may come from (in this order after the URL itself). */
export interface PasswordOptions {
  /** A file whose first line is the password. */
  passwordFile?: string;
  /** Environment to read {@link PASSWORD_ENV} from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

function usage(message: string, data: Record<string, unknown>): LedgerError {
  return new LedgerError('LEDGER_USAGE', message, data);
}

/**
 * Parse a `rethinkdb://` URL.
 * @param url the address (a password in it wins over the other sources)
 * @param opts password file and environment
 * @returns the parsed address; print it freely, the password is redacted
 * @throws LEDGER_USAGE on a malformed URL (the message shows it with the password redacted)
 * @throws LEDGER_INPUT when the password file cannot be read
 * @example parseRethinkUrl('rethinkdb://admin@db.example:28015/bigchain').port // 28015
 */
export function parseRethinkUrl(url: string, opts: PasswordOptions = {}): RethinkUrl {
  const shown = redactUrl(url);
  let u: URL;
  try { u = new URL(url); } catch { throw usage(`not a URL: ${shown}`, { url: shown }); }
  if (u.protocol !== 'rethinkdb:') throw usage(`expected rethinkdb://…, got ${shown}`, { url: shown });
  if (u.hostname === '') throw usage(`no host in ${shown}`, { url: shown });
  const port = u.port === '' ? 28015 : Number(u.port);
  const path = decodeURIComponent(u.pathname.replace(/^\/+/, '').replace(/\/+$/, ''));
  if (path.includes('/')) throw usage(`the path must be a database name: ${shown}`, { url: shown });
  if (path !== '' && !/^[A-Za-z0-9_]+$/.test(path)) throw usage(`invalid database name in ${shown}`, { url: shown });
  const ca = u.searchParams.get('ca');
  const tlsFlag = u.searchParams.get('tls');
  for (const key of u.searchParams.keys()) {
    if (key !== 'ca' && key !== 'tls') throw usage(`unknown parameter "${key}" in ${shown}`, { url: shown });
  }
  const tls = ca !== null ? { caFile: ca } : tlsFlag === '1' || tlsFlag === 'true' ? { caFile: null } : null;
  const password = u.password !== '' ? decodeURIComponent(u.password) : passwordFrom(opts);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const result = {
    host, port, db: path === '' ? 'bigchain' : path,
    user: u.username === '' ? 'admin' : decodeURIComponent(u.username), tls,
  } as RethinkUrl;
  Object.defineProperty(result, 'password', { value: password, enumerable: false });
  Object.defineProperty(result, 'toString', {
    value: () => `rethinkdb://${encodeURIComponent(result.user)}@${u.host}/${result.db}`, enumerable: false,
  });
  return result;
}

function passwordFrom(opts: PasswordOptions): string {
  if (opts.passwordFile !== undefined) {
    try {
      return (readFileSync(opts.passwordFile, 'utf8').split(/\r?\n/)[0] ?? '');
    } catch (err) {
      throw new LedgerError('LEDGER_INPUT', `cannot read the password file ${opts.passwordFile}`, { path: opts.passwordFile }, err);
    }
  }
  const env = opts.env ?? process.env;
  return env[PASSWORD_ENV] ?? '';
}

/**
 * Replace the password of anything URL-shaped with `***` (for messages).
 * @example redactUrl('rethinkdb://a:secret@h/db') // 'rethinkdb://a:***@h/db'
 */
export function redactUrl(text: string): string {
  return text.replace(/(\/\/[^:/@\s]*:)[^@/\s]*@/g, '$1***@');
}
