/**
 * One client connection of the RethinkDB test double: the V1_0 handshake
 * (null-terminated JSON messages), then the JSON query protocol (8-byte token,
 * 4-byte length, JSON), with cursors answered in batches on CONTINUE and
 * changefeeds that hold a CONTINUE until a change arrives.
 */
import type { Socket } from 'node:net';
import { ERR, MAXVAL, MINVAL, RESP, ReqlError } from './datum.js';
import { DbRef, evaluate, Feed, Single, Stream, TableRef, termName, type QueryContext } from './eval.js';
import { Func } from './func.js';
import { HandshakeError, MAGIC_V1_0, ScramServer } from './scram.js';
import type { Change, Store } from './store.js';

const Q = { START: 1, CONTINUE: 2, STOP: 3, NOREPLY_WAIT: 4, SERVER_INFO: 5 } as const;
const SEQUENCE_FEED = 1;
const GLOBAL_OPTARGS = ['db', 'read_mode', 'noreply', 'profile', 'durability', 'array_limit', 'min_batch_rows', 'max_batch_rows', 'max_batch_bytes', 'max_batch_seconds', 'first_batch_scaledown_factor'];

/** What the connection needs from its server. */
export interface ServerHooks {
  store: Store;
  scram: () => ScramServer;
  batchSize: number;
  serverVersion: string;
  /** Record a START query (term names in the order they appear, global optargs). */
  record: (q: { terms: string[]; optargs: Record<string, unknown>; user: string | null }) => void;
  /** Count documents about to be sent; returns how many may go before the connection drops. */
  budget: (n: number) => number;
}

interface Cursor { rows: unknown[]; pos: number }
interface FeedCursor { queue: unknown[]; waiting: boolean; off: () => void }

/** Collect the names of all terms in a wire query, in order. */
export function termNames(term: unknown, out: string[] = []): string[] {
  if (Array.isArray(term)) {
    const [type, args, opt] = term as [unknown, unknown, unknown];
    if (typeof type === 'number') out.push(termName(type));
    if (Array.isArray(args)) for (const a of args) termNames(a, out);
    if (opt !== null && typeof opt === 'object') for (const v of Object.values(opt)) termNames(v, out);
  } else if (term !== null && typeof term === 'object') {
    for (const v of Object.values(term)) termNames(v, out);
  }
  return out;
}

/**
 * A response as the real server writes it: RethinkDB keeps objects as maps ordered by
 * the keys' UTF-8 bytes, so every object goes out with its keys in that order (not
 * in insertion order, as JSON.stringify would write them).
 */
function toJson(v: unknown): string {
  if (v === MINVAL || v === MAXVAL) throw new ReqlError(`Cannot convert \`${v === MINVAL ? 'r.minval' : 'r.maxval'}\` to JSON.`);
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8')));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${toJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const LONE_SURROGATE = /\\u[dD][89a-fA-F]/;
const hasLoneSurrogate = (v: unknown): boolean => (typeof v === 'string' ? /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(v)
  : Array.isArray(v) ? v.some(hasLoneSurrogate)
    : v !== null && typeof v === 'object' ? Object.entries(v).some(([k, x]) => hasLoneSurrogate(k) || hasLoneSurrogate(x)) : false);

/** Serve one socket until it closes. */
export class DoubleConnection {
  private readonly socket: Socket;
  private readonly hooks: ServerHooks;
  private buf = Buffer.alloc(0);
  private state: 'magic' | 'first' | 'final' | 'query' | 'closed' = 'magic';
  private scram: ScramServer;
  private readonly cursors = new Map<number, Cursor>();
  private readonly feeds = new Map<number, FeedCursor>();

  constructor(socket: Socket, hooks: ServerHooks) {
    this.socket = socket;
    this.hooks = hooks;
    this.scram = hooks.scram();
    socket.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.pump(); });
    socket.on('close', () => this.cleanup());
    socket.on('error', () => this.cleanup());
  }

  /** Drop the connection abruptly (fault hook). */
  destroy(): void { this.cleanup(); this.socket.destroy(); }

  private cleanup(): void {
    this.state = 'closed';
    for (const f of this.feeds.values()) f.off();
    this.feeds.clear();
    this.cursors.clear();
  }

  private pump(): void {
    try {
      while (this.state !== 'closed' && this.step());
    } catch (err) {
      if (err instanceof HandshakeError) {
        this.socket.end(`${JSON.stringify({ success: false, error: err.message, error_code: err.errorCode })}\0`);
        this.state = 'closed';
        return;
      }
      throw err;
    }
  }

  /** Consume one unit of input; false when more bytes are needed. */
  private step(): boolean {
    if (this.state === 'magic') {
      if (this.buf.length < 4) return false;
      const magic = this.buf.readUInt32LE(0);
      this.buf = this.buf.subarray(4);
      if (magic !== MAGIC_V1_0) {
        // Pre-V1_0 framing: the real server answers with a plain text line.
        this.socket.end('ERROR: Received an unsupported protocol version. This port is for RethinkDB queries. Does your client driver version not match the server?\n\0');
        this.state = 'closed';
        return false;
      }
      this.sendHandshake({ success: true, max_protocol_version: 0, min_protocol_version: 0, server_version: this.hooks.serverVersion });
      this.state = 'first';
      return true;
    }
    if (this.state === 'first' || this.state === 'final') {
      const end = this.buf.indexOf(0);
      if (end < 0) return false;
      let msg: unknown;
      try { msg = JSON.parse(this.buf.subarray(0, end).toString('utf8')); } catch { throw new HandshakeError(10, 'Invalid encoding'); }
      this.buf = this.buf.subarray(end + 1);
      if (this.state === 'first') { this.sendHandshake(this.scram.first(msg)); this.state = 'final'; } else { this.sendHandshake(this.scram.final(msg)); this.state = 'query'; }
      return true;
    }
    if (this.buf.length < 12) return false;
    const token = this.buf.readUInt32LE(0) + 0x100000000 * this.buf.readUInt32LE(4);
    const len = this.buf.readUInt32LE(8);
    if (this.buf.length < 12 + len) return false;
    const text = this.buf.subarray(12, 12 + len).toString('utf8');
    this.buf = this.buf.subarray(12 + len);
    this.query(token, text);
    return true;
  }

  private sendHandshake(msg: Record<string, unknown>): void {
    this.socket.write(`${JSON.stringify(msg)}\0`);
  }

  private send(token: number, body: Record<string, unknown>): void {
    if (this.state === 'closed') return;
    const json = Buffer.from(toJson(body), 'utf8');
    const head = Buffer.alloc(12);
    head.writeUInt32LE(token % 0x100000000, 0);
    head.writeUInt32LE(Math.floor(token / 0x100000000), 4);
    head.writeUInt32LE(json.length, 8);
    this.socket.write(Buffer.concat([head, json]));
  }

  private fail(token: number, err: unknown): void {
    if (err instanceof ReqlError) {
      const body: Record<string, unknown> = { t: err.responseType, r: [err.message], b: [] };
      if (err.errorType !== undefined && err.responseType === RESP.RUNTIME_ERROR) body.e = err.errorType;
      this.send(token, body);
    } else {
      this.send(token, { t: RESP.RUNTIME_ERROR, e: ERR.INTERNAL, r: [`Internal error in the double: ${String(err)}`], b: [] });
    }
  }

  private query(token: number, text: string): void {
    let q: unknown;
    // The real server's JSON reader refuses a lone surrogate (not UTF-8) as a broken query.
    try { q = JSON.parse(text); if (LONE_SURROGATE.test(text) && hasLoneSurrogate(q)) throw new Error('lone surrogate'); } catch { return this.fail(token, new ReqlError('Client is buggy (failed to deserialize query).', undefined, RESP.CLIENT_ERROR)); }
    if (!Array.isArray(q) || typeof q[0] !== 'number') return this.fail(token, new ReqlError('Client is buggy (failed to deserialize query).', undefined, RESP.CLIENT_ERROR));
    switch (q[0]) {
      case Q.START: return this.start(token, q[1], (q[2] ?? {}) as Record<string, unknown>);
      case Q.CONTINUE: return this.continue(token);
      case Q.STOP: return this.stop(token);
      case Q.NOREPLY_WAIT: return this.send(token, { t: RESP.WAIT_COMPLETE, r: [] });
      case Q.SERVER_INFO: return this.send(token, { t: RESP.SERVER_INFO, r: [{ id: '00000000-0000-4000-8000-000000000000', name: 'rethinkdb_double', proxy: false }] });
      default: return this.fail(token, new ReqlError(`Unrecognized QueryType: ${String(q[0])}.`, undefined, RESP.CLIENT_ERROR));
    }
  }

  private start(token: number, term: unknown, rawOpt: Record<string, unknown>): void {
    if (this.cursors.has(token) || this.feeds.has(token)) return this.fail(token, new ReqlError(`ERROR: duplicate token ${token}`, undefined, RESP.CLIENT_ERROR));
    const optargs: Record<string, unknown> = {};
    let noreply = false;
    try {
      const ctx: QueryContext = { store: this.hooks.store, defaultDb: 'test', readMode: 'single' };
      for (const [k, v] of Object.entries(rawOpt)) {
        if (!GLOBAL_OPTARGS.includes(k)) throw new ReqlError(`Unrecognized global optional argument \`${k}\`.`, undefined, RESP.COMPILE_ERROR);
        const val = evaluate(ctx, v);
        optargs[k] = val instanceof DbRef ? val.name : val;
      }
      noreply = optargs.noreply === true;
      this.hooks.record({ terms: termNames(term), optargs, user: this.scram.username });
      if (typeof optargs.db === 'string') ctx.defaultDb = optargs.db;
      if (optargs.read_mode !== undefined) {
        if (!['single', 'majority', 'outdated'].includes(optargs.read_mode as string)) {
          throw new ReqlError(`Read mode \`${String(optargs.read_mode)}\` unrecognized (options are "majority", "single", and "outdated").`);
        }
        ctx.readMode = optargs.read_mode as string;
      }
      const result = evaluate(ctx, term);
      if (noreply) return;
      this.respond(token, result);
    } catch (err) {
      if (!noreply) this.fail(token, err);
    }
  }

  private respond(token: number, result: unknown): void {
    if (result instanceof Feed) return this.startFeed(token, result);
    if (result instanceof Stream || result instanceof TableRef) {
      const rows = result instanceof Stream ? result.rows : result.table.scan();
      this.cursors.set(token, { rows, pos: 0 });
      return this.continue(token);
    }
    if (result instanceof DbRef || result instanceof Func) {
      throw new ReqlError(`Query result must be of type DATUM, GROUPED_DATA, or STREAM (got ${result instanceof DbRef ? 'DATABASE' : 'FUNCTION'}).`);
    }
    this.send(token, { t: RESP.SUCCESS_ATOM, r: [result instanceof Single ? result.doc : result] });
  }

  private continue(token: number): void {
    const feed = this.feeds.get(token);
    if (feed !== undefined) {
      if (feed.queue.length > 0) this.flushFeed(token, feed); else feed.waiting = true;
      return;
    }
    const c = this.cursors.get(token);
    if (c === undefined) return this.fail(token, new ReqlError(`Token ${token} not in stream cache.`, undefined, RESP.CLIENT_ERROR));
    const want = Math.min(this.hooks.batchSize, c.rows.length - c.pos);
    const allowed = this.hooks.budget(want);
    const batch = c.rows.slice(c.pos, c.pos + allowed);
    c.pos += batch.length;
    const done = c.pos >= c.rows.length;
    if (done) this.cursors.delete(token);
    this.send(token, { t: done ? RESP.SUCCESS_SEQUENCE : RESP.SUCCESS_PARTIAL, r: batch });
    if (allowed < want) this.destroy();
  }

  private stop(token: number): void {
    this.cursors.delete(token);
    const feed = this.feeds.get(token);
    if (feed !== undefined) { feed.off(); this.feeds.delete(token); }
    this.send(token, { t: RESP.SUCCESS_SEQUENCE, r: [] });
  }

  private startFeed(token: number, feed: Feed): void {
    const f: FeedCursor = { queue: [], waiting: false, off: () => undefined };
    if (feed.includeInitial) for (const doc of feed.table.scan()) f.queue.push({ new_val: doc });
    const listener = (ch: Change): void => {
      f.queue.push(ch);
      if (f.waiting) { f.waiting = false; this.flushFeed(token, f); }
    };
    feed.table.feeds.add(listener);
    f.off = () => feed.table.feeds.delete(listener);
    this.feeds.set(token, f);
    this.flushFeed(token, f);
  }

  private flushFeed(token: number, f: FeedCursor): void {
    const want = Math.min(this.hooks.batchSize, f.queue.length);
    const allowed = this.hooks.budget(want);
    const batch = f.queue.splice(0, allowed);
    this.send(token, { t: RESP.SUCCESS_PARTIAL, r: batch, n: [SEQUENCE_FEED] });
    if (allowed < want) this.destroy();
  }
}
