/**
 * Shared plumbing of the RethinkDB source and target: one plain rethinkdb-ts
 * connection (no pool: a pool reconnects silently, and a pull must notice a lost
 * connection), error wrapping into LedgerError, and cursors as async iterables.
 *
 * Numbers: RethinkDB stores every number as a double, so integers beyond 2^53 and
 * the int/float distinction of the original JSON do not survive a round trip
 * through it; what comes back is what RethinkDB holds (verification decides).
 * Pseudo-types are requested raw (`timeFormat/binaryFormat: 'raw'`) so user data
 * is passed on as stored, not turned into Date/Buffer objects.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { r, type Connection, type RCursor, type RQuery, type RunOptions } from 'rethinkdb-ts';
import { LedgerError } from '../errors.js';
import type { RethinkUrl } from './rethinkdb-url.js';

/** Which side failed: reading (source) or writing (target). */
export type RethinkSide = 'LEDGER_SOURCE' | 'LEDGER_TARGET';

/** Connection settings beyond the URL. */
export interface RethinkConnectOptions {
  /** Seconds to wait for the connection and handshake (default 20). */
  timeoutSeconds?: number;
}

/** Run options for every read: majority reads, raw pseudo-types. */
export const READ_OPTIONS: RunOptions = { readMode: 'majority', timeFormat: 'raw', binaryFormat: 'raw', groupFormat: 'raw' };

/** Wrap a driver error as a LedgerError naming the server, database and operation. */
export function rethinkError(side: RethinkSide, url: RethinkUrl, what: string, err: unknown): LedgerError {
  if (err instanceof LedgerError) return err;
  // rethinkdb-ts appends " in:" and the pretty-printed query to server errors; keep the first line only.
  const cause = err instanceof Error ? (err.message.split('\n')[0] ?? '').replace(/ in:$/, '') : String(err);
  return new LedgerError(side, `${String(url)}: ${what} failed: ${cause}`,
    { host: url.host, port: url.port, db: url.db, operation: what }, err);
}

/**
 * Open one connection (user/password from the URL, TLS when asked).
 * @throws LEDGER_SOURCE / LEDGER_TARGET (per `side`) when it cannot connect or authenticate
 */
export async function connectRethink(url: RethinkUrl, side: RethinkSide, opts: RethinkConnectOptions = {}): Promise<Connection> {
  try {
    const server: Record<string, unknown> = { host: url.host, port: url.port };
    if (url.tls !== null) {
      server.tls = true;
      // SNI takes host names only: an IP address as servername makes Node warn (DEP0123) on the user's terminal.
      if (isIP(url.host) === 0) server.servername = url.host;
      if (url.tls.caFile !== null) server.ca = [readFileSync(url.tls.caFile)];
    }
    return await r.connect({
      server: server as { host: string; port: number }, db: url.db, user: url.user,
      password: url.password, timeout: opts.timeoutSeconds ?? 20, silent: true,
    } as Parameters<typeof r.connect>[0]);
  } catch (err) {
    throw rethinkError(side, url, `connecting as ${url.user}`, err);
  }
}

/** Run a query that returns one value. */
export async function runOne<T>(conn: Connection, url: RethinkUrl, side: RethinkSide, what: string,
  query: RQuery<T>, options: RunOptions = READ_OPTIONS): Promise<T> {
  try {
    return await query.run(conn, options);
  } catch (err) {
    throw rethinkError(side, url, what, err);
  }
}

/**
 * Stream a query's rows through a cursor (batch by batch, bounded memory).
 * Leaving the loop early closes the cursor (STOP) so the server frees it; so
 * does `signal`, which also ends a loop waiting on a changefeed.
 */
export async function* streamRows(conn: Connection, url: RethinkUrl, side: RethinkSide, what: string,
  query: RQuery, options: RunOptions = READ_OPTIONS, signal?: AbortSignal): AsyncGenerator<unknown> {
  let cursor: RCursor;
  try {
    cursor = (await query.getCursor(conn, options)) as RCursor;
  } catch (err) {
    throw rethinkError(side, url, what, err);
  }
  const stop = (): void => { void cursor.close().catch(() => undefined); };
  if (signal?.aborted === true) stop();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      let step: IteratorResult<unknown>;
      try {
        step = await cursor[Symbol.asyncIterator]().next();
      } catch (err) {
        throw rethinkError(side, url, what, err);
      }
      if (step.done === true) return;
      yield step.value;
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    await cursor.close().catch(() => undefined);
  }
}
