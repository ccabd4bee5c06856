/**
 * A small JSON-over-HTTP client for the BigchainDB HTTP API (reference §7): a deadline per
 * attempt covering headers and body, a minimum transfer rate once the body flows, a total
 * time budget per request across its retries (exponential backoff with full jitter on
 * transient failures), a bound on requests in flight and on response size, and redirects
 * followed only within the node's origin unless allowed (SPEC.md §16.6, §21). Bodies are
 * parsed with the exact parser (model/json.ts) because block and vote documents are hashed later.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LedgerError } from '../errors.js';
import { parseJson, type JsonValue } from '../model/json.js';
import { isLimitError, limits } from '../model/limits.js';
import { readBounded, sourceError } from './http-body.js';

export { sourceError } from './http-body.js';

/** Options of {@link createHttpClient}; see `openHttpSource` for the defaults. */
export interface HttpClientOptions {
  /** Base URL of the node, e.g. `http://localhost:9984`. */
  url: string;
  /** Time limit of one attempt (headers and body), in ms. */
  timeoutMs?: number;
  /** Slowest accepted body transfer, in bytes/s, averaged from the headers on (after `rateGraceMs`). */
  minBytesPerSecond?: number;
  /** How long a body may be slower than `minBytesPerSecond` before the attempt fails, in ms. */
  rateGraceMs?: number;
  /** Total time one request may take over all its attempts and backoffs, in ms. */
  budgetMs?: number;
  /** Follow redirects to other origins (scheme, host, port) too; same-origin ones always are. */
  allowRedirects?: boolean;
  /** Retries after the first attempt on 5xx/429, timeouts and connection errors. */
  retries?: number;
  /** Most requests this client has open at once. */
  maxInFlight?: number;
  /** Largest accepted response body, in bytes. */
  maxBodyBytes?: number;
  /** Base of the exponential backoff, in ms (attempt n waits random(0, base·2^n), capped at 10 s). */
  backoffMs?: number;
  /** A fetch implementation (tests, proxies); defaults to the global fetch. */
  fetchImpl?: typeof fetch;
  /** Cancels everything: pending and future requests fail with LEDGER_ABORTED. */
  signal?: AbortSignal;
}

/**
 * One answered request. `body` is null for a 404 the caller accepted, and for a body a
 * `lenient` caller gets back unparsed: then `invalid` says why (`limit` when it broke one).
 */
export interface HttpAnswer {
  url: string;
  status: number;
  body: JsonValue | null;
  invalid?: string;
  limit?: string;
}

/** The client returned by {@link createHttpClient}. */
export interface HttpClient {
  /** The base URL without a trailing slash. */
  readonly baseUrl: string;
  /**
   * GET `path` (starting with `/`, query included) and parse the JSON body.
   * @throws LedgerError LEDGER_SOURCE on HTTP errors (404 too unless `accept404`), bad JSON,
   *   oversized bodies, or when retries are exhausted; LEDGER_ABORTED when `signal` fires.
   */
  getJson(path: string, opts?: { accept404?: boolean; lenient?: boolean }): Promise<HttpAnswer>;
}

const MAX_BACKOFF_MS = 10_000;

/**
 * Create a client. Programmer errors (bad URL, negative limits) throw TypeError/RangeError.
 * @example const c = createHttpClient({ url: 'http://localhost:9984' }); await c.getJson('/')
 */
export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const base = new URL(opts.url);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError(`not an http(s) URL: ${opts.url}`);
  const cfg = {
    baseUrl: base.href.replace(/\/+$/, ''),
    timeoutMs: positive('timeoutMs', opts.timeoutMs ?? 30_000),
    minBytesPerSecond: nonNegative('minBytesPerSecond', opts.minBytesPerSecond ?? 1024),
    rateGraceMs: nonNegative('rateGraceMs', opts.rateGraceMs ?? 5_000),
    budgetMs: positive('budgetMs', opts.budgetMs ?? 120_000),
    allowRedirects: opts.allowRedirects ?? false,
    retries: nonNegative('retries', opts.retries ?? 5),
    maxBodyBytes: positive('maxBodyBytes', opts.maxBodyBytes ?? limits().maxDocumentBytes),
    backoffMs: nonNegative('backoffMs', opts.backoffMs ?? 250),
    fetchImpl: opts.fetchImpl ?? fetch,
    signal: opts.signal,
    slots: new Semaphore(positive('maxInFlight', opts.maxInFlight ?? 8)),
  };
  return { baseUrl: cfg.baseUrl, getJson: (path, o) => _getJson(cfg, path, o?.accept404 ?? false, o?.lenient ?? false) };
}

type Config = Required<Omit<HttpClientOptions, 'url' | 'signal' | 'maxInFlight'>> & {
  baseUrl: string; signal: AbortSignal | undefined; slots: Semaphore;
};

/** Outcome of one failed attempt: the error and whether another attempt may help. */
interface Failure { error: LedgerError; retry: boolean }

async function _getJson(cfg: Config, path: string, accept404: boolean, lenient: boolean): Promise<HttpAnswer> {
  const url = cfg.baseUrl + path;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    checkAborted(cfg.signal, url);
    const release = await cfg.slots.acquire();
    let result: HttpAnswer | Failure;
    try {
      const left = cfg.budgetMs - (Date.now() - started);
      result = left <= 0
        ? { retry: false, error: sourceError(url, null, `no answer within the request's time budget of ${cfg.budgetMs} ms`) }
        : await attemptOnce(cfg, url, accept404, lenient, Math.min(cfg.timeoutMs, left));
    } finally {
      release(); // the slot is free during backoff so other requests can use it
    }
    if (!('error' in result)) return result;
    const wait = Math.random() * Math.min(MAX_BACKOFF_MS, cfg.backoffMs * 2 ** attempt);
    const budgetLeft = cfg.budgetMs - (Date.now() - started) - wait;
    if (!result.retry || attempt >= cfg.retries || budgetLeft <= 0) {
      if (result.retry) {
        result.error.data.attempts = attempt + 1;
        if (budgetLeft <= 0 && attempt < cfg.retries) result.error.message += ` (time budget of ${cfg.budgetMs} ms spent after ${attempt + 1} attempts)`;
      }
      throw result.error;
    }
    await sleep(wait, undefined, { signal: cfg.signal }).catch(() => checkAborted(cfg.signal, url));
  }
}

const MAX_REDIRECTS = 5;

async function attemptOnce(cfg: Config, first: string, accept404: boolean, lenient: boolean, timeoutMs: number): Promise<HttpAnswer | Failure> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const slow = new AbortController();
  const signal = AbortSignal.any(cfg.signal === undefined ? [timeout, slow.signal] : [timeout, slow.signal, cfg.signal]);
  let url = first;
  try {
    let res: Response;
    for (let hops = 0; ; hops++) {
      res = await cfg.fetchImpl(url, { signal, headers: { accept: 'application/json' }, redirect: 'manual' });
      const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
      if (location === null) break;
      await res.body?.cancel().catch(() => undefined);
      const next = new URL(location, url);
      if (next.origin !== new URL(first).origin && !cfg.allowRedirects) {
        return { retry: false, error: sourceError(first, res.status, `redirected to another origin (${next.origin}); not followed without --allow-redirects`, undefined, { location: next.href }) };
      }
      if (hops >= MAX_REDIRECTS) return { retry: false, error: sourceError(first, res.status, `more than ${MAX_REDIRECTS} redirects`) };
      url = next.href;
    }
    let text: string;
    try {
      text = await readBounded(res, { maxBodyBytes: cfg.maxBodyBytes, minBytesPerSecond: cfg.minBytesPerSecond, rateGraceMs: cfg.rateGraceMs }, url, slow);
    } catch (err) {
      // A block body too large or not UTF-8 is the document's fault: a lenient caller quarantines it.
      if (lenient && err instanceof LedgerError && !slow.signal.aborted && res.status >= 200 && res.status <= 299) {
        return { url, status: res.status, body: null, invalid: err.message, ...(err.data.maxBodyBytes !== undefined ? { limit: 'maxDocumentBytes' } : {}) };
      }
      throw err;
    }
    if (res.status === 404 && accept404) return { url, status: 404, body: null };
    if (res.status < 200 || res.status > 299) {
      const retry = res.status >= 500 || res.status === 429; // 429: a proxy asking us to slow down
      return { retry, error: sourceError(url, res.status, `HTTP ${res.status}${detail(text)}`) };
    }
    try {
      return { url, status: res.status, body: parseJson(text) };
    } catch (err) {
      if (lenient) return { url, status: res.status, body: null, invalid: (err as Error).message, ...(isLimitError(err) ? { limit: err.problem.limit } : {}) };
      return { retry: false, error: sourceError(url, res.status, `invalid JSON (${(err as Error).message})`, err) };
    }
  } catch (err) {
    checkAborted(cfg.signal, url);
    if (slow.signal.aborted) return { retry: true, error: sourceError(url, null, `body slower than ${cfg.minBytesPerSecond} bytes/s`, err) };
    if (err instanceof LedgerError) return { retry: false, error: err }; // oversized or bad UTF-8
    if (timeout.aborted) return { retry: true, error: sourceError(url, null, `timed out after ${timeoutMs} ms`, err) };
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    return { retry: true, error: sourceError(url, null, `connection failed (${why})`, err) };
  }
}

/** BigchainDB answers errors as `{"message": ...}` (flask-restful) or `{"status","message"}` (make_error). */
function detail(text: string): string {
  try {
    const msg = (JSON.parse(text) as { message?: unknown }).message;
    if (msg !== undefined) return `: ${typeof msg === 'string' ? msg : JSON.stringify(msg)}`;
  } catch { /* not JSON: fall through */ }
  return text.length > 0 ? `: ${JSON.stringify(text.slice(0, 200)).slice(1, -1)}${text.length > 200 ? '…' : ''}` : '';
}

function checkAborted(signal: AbortSignal | undefined, url: string): void {
  if (signal?.aborted) throw new LedgerError('LEDGER_ABORTED', `GET ${url} aborted`, { url }, signal.reason);
}

function positive(name: string, v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a positive number, got ${v}`);
  return v;
}

function nonNegative(name: string, v: number): number {
  if (!Number.isInteger(v) && name === 'retries') throw new RangeError(`retries must be an integer, got ${v}`);
  if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be >= 0, got ${v}`);
  return v;
}

/** A counting semaphore: `acquire()` resolves with a release function once a slot is free. */
class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(slots: number) { this.free = slots; }

  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next !== undefined) next(); // hand the slot over directly
      else this.free++;
    };
  }
}
