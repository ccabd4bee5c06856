/**
 * Bounds on what a RethinkDB server can make a connection do (SPEC.md §21, §16.6).
 *
 * rethinkdb-ts reads replies in `RethinkDBSocket`'s 'data' listener: it appends every
 * chunk to one buffer (`Buffer.concat`, quadratic) and waits for as many bytes as a
 * frame header declares — 4 GiB if the server says so — then `JSON.parse`s the frame
 * and hands it to the query with that token, silently dropping unknown tokens. So a
 * hostile or broken server could make it buffer gigabytes, spin, or wait forever.
 * After the handshake this module replaces that listener with a frame reader that
 * checks the declared length against `maxFrameBytes` before buffering, keeps chunks in
 * a list (one copy per frame), and ends the connection on a frame that is not a JSON
 * response object. Every wait on a reply gets a deadline (the whole answer of a
 * `run`: `queryTimeoutMs`; the next batch of a cursor: `readTimeoutMs`; changefeeds
 * wait for changes without one), and `signal` ends any wait at once.
 */
import type { Socket } from 'node:net';
import type { Connection } from 'rethinkdb-ts';
import { LedgerError } from '../errors.js';
import { limits } from '../model/limits.js';
import type { RethinkUrl } from './rethinkdb-url.js';

/** The bounds; defaults in {@link GUARD_DEFAULTS}. */
export interface GuardOptions {
  /** Longest wait for the whole answer of one query, in ms (source side only). */
  queryTimeoutMs?: number;
  /** Longest wait for the next batch of a cursor (not a changefeed), in ms (source side only). */
  readTimeoutMs?: number;
  /** Largest reply frame accepted, in bytes (checked on its header, before buffering). */
  maxFrameBytes?: number;
  /** Ends every wait on this connection (SIGINT/SIGTERM): the operation fails with LEDGER_ABORTED. */
  signal?: AbortSignal;
}

/** Default bounds. A frame holds one batch, at least one document: the document limit plus room. */
export const GUARD_DEFAULTS = {
  queryTimeoutMs: 60_000,
  readTimeoutMs: 30_000,
  maxFrameBytes: (): number => limits().maxDocumentBytes + 1024 * 1024,
} as const;

/** The parts of rethinkdb-ts's RethinkDBSocket this module relies on (lib/connection/socket.js, 3.0.0). */
interface DriverSocket {
  socket?: Socket;
  runningQueries: Map<number, { data: { enqueue(v: unknown): void } }>;
  handleError(err: unknown): void;
}

const guards = new WeakMap<Connection, Guard>();

/** The guard of a connection made by connectRethink, if any. */
export function guardOf(conn: Connection): Guard | undefined {
  return guards.get(conn);
}

/**
 * At most `max` characters of text a server sent, escaped (JSON string syntax), with
 * `…` when cut: an error message never carries raw server bytes.
 */
export function quoteServer(text: string, max = 160): string {
  const cut = text.length > max;
  return JSON.stringify(cut ? text.slice(0, max) : text).slice(1, -1) + (cut ? '…' : '');
}

/**
 * Put the bounds on a connection just opened (after its handshake).
 * @param deadlines false for a rebuild target, whose writes and index builds may take long
 */
export function guardConnection(conn: Connection, opts: GuardOptions, deadlines = true): Guard {
  const g = new Guard(conn, opts, deadlines);
  guards.set(conn, g);
  return g;
}

const DECODER = new TextDecoder('utf-8', { fatal: true });

/** The state of one guarded connection. */
export class Guard {
  readonly queryTimeoutMs: number | null;
  readonly readTimeoutMs: number | null;
  private readonly maxFrame: number;
  private readonly driver: DriverSocket;
  private readonly signal: AbortSignal | undefined;
  private reason: string | null = null;
  private aborted = false;
  // frame reader state
  private chunks: Buffer[] = [];
  private have = 0;
  private need = -1;
  private token = 0;

  constructor(conn: Connection, opts: GuardOptions, deadlines: boolean) {
    this.queryTimeoutMs = deadlines ? positive(opts.queryTimeoutMs ?? GUARD_DEFAULTS.queryTimeoutMs) : null;
    this.readTimeoutMs = deadlines ? positive(opts.readTimeoutMs ?? GUARD_DEFAULTS.readTimeoutMs) : null;
    this.maxFrame = positive(opts.maxFrameBytes ?? GUARD_DEFAULTS.maxFrameBytes());
    this.signal = opts.signal;
    this.driver = (conn as unknown as { socket: DriverSocket }).socket;
    const sock = this.driver.socket;
    if (sock === undefined || typeof this.driver.handleError !== 'function' || !(this.driver.runningQueries instanceof Map)) {
      throw new Error('rethinkdb-ts internals changed: cannot guard the connection (sources/rethinkdb-guard.ts)');
    }
    sock.removeAllListeners('data');
    sock.on('data', (chunk: Buffer) => this.push(chunk));
    this.signal?.addEventListener('abort', () => { this.aborted = true; this.kill('interrupted'); }, { once: true });
  }

  /**
   * `p`, or a failure when `ms` pass first (null: no deadline) or the signal fires;
   * either ends the connection, since its stream can no longer be trusted.
   */
  deadline<T>(p: Promise<T>, ms: number | null, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => { clearTimeout(timer); this.signal?.removeEventListener('abort', onAbort); };
      const onAbort = (): void => { done(); this.aborted = true; this.kill('interrupted'); reject(new Error('interrupted')); };
      if (this.signal?.aborted === true || this.aborted) { onAbort(); return; }
      this.signal?.addEventListener('abort', onAbort, { once: true });
      if (ms !== null) {
        timer = setTimeout(() => {
          done();
          this.kill(`no answer from the server within ${ms} ms (${what})`);
          reject(new Error(this.reason ?? 'timed out'));
        }, ms);
      }
      p.then((v) => { done(); resolve(v); }, (e: unknown) => { done(); reject(e); });
    });
  }

  /** The error for a failed operation when the guard caused it (a limit, a deadline, the signal). */
  failure(side: 'LEDGER_SOURCE' | 'LEDGER_TARGET', url: RethinkUrl, what: string, cause: unknown): LedgerError | undefined {
    const data = { host: url.host, port: url.port, db: url.db, operation: what };
    if (this.aborted) return new LedgerError('LEDGER_ABORTED', `${String(url)}: ${what} interrupted`, data, cause);
    if (this.reason !== null) return new LedgerError(side, `${String(url)}: ${what} failed: ${this.reason}`, data, cause);
    return undefined;
  }

  /** End the connection for `reason` (the first reason is kept). */
  private kill(reason: string): void {
    if (this.reason === null) this.reason = reason;
    this.chunks = []; this.have = 0;
    this.driver.handleError(new Error(this.reason));
  }

  private push(chunk: Buffer): void {
    if (this.reason !== null) return;
    this.chunks.push(chunk);
    this.have += chunk.length;
    for (;;) {
      if (this.need < 0) {
        if (this.have < 12) return;
        const head = this.take(12);
        this.token = head.readUInt32LE(0) + 0x100000000 * head.readUInt32LE(4);
        this.need = head.readUInt32LE(8);
        if (this.need > this.maxFrame) {
          this.kill(`the server sent a reply frame of ${this.need} bytes, over the limit of ${this.maxFrame} (maxFrameBytes)`);
          return;
        }
      }
      if (this.have < this.need) return;
      const body = this.take(this.need);
      this.need = -1;
      let response: unknown;
      try { response = JSON.parse(DECODER.decode(body)); } catch {
        this.kill(`the server sent a reply frame that is not UTF-8 JSON: "${quoteServer(body.subarray(0, 64).toString('latin1'), 64)}"`);
        return;
      }
      if (typeof response !== 'object' || response === null || typeof (response as { t?: unknown }).t !== 'number') {
        this.kill('the server sent a reply frame that is not a response object');
        return;
      }
      // A token no query waits for (late replies to a stopped cursor are legitimate) is dropped;
      // the query that waits for a reply that never comes meets its deadline.
      this.driver.runningQueries.get(this.token)?.data.enqueue(response);
    }
  }

  /** The next `n` buffered bytes, copied once. */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift(); else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const c = this.chunks[0]!;
        const k = Math.min(c.length, n - at);
        c.copy(out, at, 0, k);
        at += k;
        if (k === c.length) this.chunks.shift(); else this.chunks[0] = c.subarray(k);
      }
    }
    this.have -= n;
    return out;
  }
}

function positive(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`a RethinkDB bound must be a positive number, got ${v}`);
  return v;
}
