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
import { jsonValueProblem, limits, type LimitProblem } from '../model/limits.js';
import { guardConnection, guardOf, quoteServer, type GuardOptions } from './rethinkdb-guard.js';
import type { RethinkUrl } from './rethinkdb-url.js';

export { quoteServer } from './rethinkdb-guard.js';

/** Which side failed: reading (source) or writing (target). */
export type RethinkSide = 'LEDGER_SOURCE' | 'LEDGER_TARGET';

/** Connection settings beyond the URL; the bounds are those of sources/rethinkdb-guard.ts (SPEC.md §21). */
export interface RethinkConnectOptions extends GuardOptions {
  /** Seconds to wait for the connection and handshake (default 20). */
  timeoutSeconds?: number;
}

/** Run options for every read: majority reads, raw pseudo-types. */
export const READ_OPTIONS: RunOptions = { readMode: 'majority', timeFormat: 'raw', binaryFormat: 'raw', groupFormat: 'raw' };

/** Wrap a driver error as a LedgerError naming the server, database and operation. */
export function rethinkError(side: RethinkSide, url: RethinkUrl, what: string, err: unknown): LedgerError {
  if (err instanceof LedgerError) return err;
  // rethinkdb-ts appends " in:" and the pretty-printed query to server errors; keep the first line only,
  // and quote no more than a short, escaped prefix of it (it may be whatever the server sent).
  const cause = quoteServer(err instanceof Error ? (err.message.split('\n')[0] ?? '').replace(/ in:$/, '') : String(err));
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
    opts.signal?.throwIfAborted();
    const conn = await guardConnect(r.connect({
      server: server as { host: string; port: number }, db: url.db, user: url.user,
      password: url.password, timeout: opts.timeoutSeconds ?? 20, silent: true,
    } as Parameters<typeof r.connect>[0]), opts.signal);
    guardConnection(conn, opts, side === 'LEDGER_SOURCE');
    return conn;
  } catch (err) {
    if (opts.signal?.aborted === true) throw new LedgerError('LEDGER_ABORTED', `${String(url)}: connecting interrupted`, { host: url.host, port: url.port }, err);
    throw rethinkError(side, url, `connecting as ${url.user}`, err);
  }
}

/** The connect promise, or its end when `signal` fires first (a late connection is closed). */
async function guardConnect(p: Promise<Connection>, signal: AbortSignal | undefined): Promise<Connection> {
  if (signal === undefined) return p;
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([p, aborted]);
  } catch (err) {
    void p.then((c) => c.close()).catch(() => undefined);
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Run a query that returns one value. */
export async function runOne<T>(conn: Connection, url: RethinkUrl, side: RethinkSide, what: string,
  query: RQuery<T>, options: RunOptions = READ_OPTIONS): Promise<T> {
  const g = guardOf(conn);
  try {
    const p = query.run(conn, options);
    return g === undefined ? await p : await g.deadline(p, g.queryTimeoutMs, what);
  } catch (err) {
    throw g?.failure(side, url, what, err) ?? rethinkError(side, url, what, err);
  }
}

/**
 * {@link runOne} for the answers BigchainDB's code reads as lists of names (`table_list`,
 * `index_list`): anything else is a protocol error naming what came, not a crash.
 */
export async function runNames(conn: Connection, url: RethinkUrl, side: RethinkSide, what: string,
  query: RQuery<string[]>): Promise<string[]> {
  const v: unknown = await runOne(conn, url, side, what, query);
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    const shape = v === null ? 'null' : Array.isArray(v) ? 'an array holding a non-string' : `a${typeof v === 'object' ? 'n' : ''} ${typeof v}`;
    throw new LedgerError(side, `${String(url)}: ${what} failed: the server answered ${shape}, not a list of names`,
      { host: url.host, port: url.port, db: url.db, operation: what });
  }
  return v;
}

/**
 * Stream a query's rows through a cursor (batch by batch, bounded memory).
 * Leaving the loop early closes the cursor (STOP) so the server frees it; so
 * does `signal`, which also ends a loop waiting on a changefeed.
 */
export async function* streamRows(conn: Connection, url: RethinkUrl, side: RethinkSide, what: string,
  query: RQuery, options: RunOptions = READ_OPTIONS, signal?: AbortSignal): AsyncGenerator<unknown> {
  let cursor: RCursor;
  const g = guardOf(conn);
  // A changefeed (the caller's `signal`) may wait for changes forever; anything else gets the read deadline.
  const step = <T>(p: Promise<T>): Promise<T> => (g === undefined ? p : g.deadline(p, signal === undefined ? g.readTimeoutMs : null, what));
  const fail = (err: unknown): LedgerError => g?.failure(side, url, what, err) ?? rethinkError(side, url, what, err);
  try {
    cursor = (await step(query.getCursor(conn, options))) as RCursor;
  } catch (err) {
    throw fail(err);
  }
  const stop = (): void => { void cursor.close().catch(() => undefined); };
  if (signal?.aborted === true) stop();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await step(cursor[Symbol.asyncIterator]().next());
      } catch (err) {
        throw fail(err);
      }
      if (next.done === true) return;
      yield next.value;
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    await cursor.close().catch(() => undefined);
  }
}

/**
 * The limits a row breaks (model/limits.ts), checked by an iterative walk on the main
 * thread before the row is cloned to a worker or walked by anything recursive; a
 * `bigchain` row also gets its transaction count checked before its rows are fetched.
 * `size` receives the row's estimated JSON size (what groups of rows are bounded by).
 */
export function rowLimitProblem(table: string, doc: unknown, size?: { bytes: number }): LimitProblem | null {
  const p = jsonValueProblem(doc, limits(), size);
  if (p !== null || table !== 'bigchain') return p;
  const txs = (doc as { block?: { transactions?: unknown } } | null)?.block?.transactions;
  const max = limits().maxBlockTransactions;
  if (Array.isArray(txs) && txs.length > max) {
    return { limit: 'maxBlockTransactions', max, message: `a block of ${txs.length} transactions (limit maxBlockTransactions = ${max})` };
  }
  return null;
}
