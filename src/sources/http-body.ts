/**
 * Reading one HTTP response body within bounds (SPEC.md §16.6, §21): at most
 * `maxBodyBytes` (refused on the declared length, else as soon as it grows past it), and
 * no slower than `minBytesPerSecond` on average once `rateGraceMs` have passed since the
 * headers; a body that is not UTF-8 is refused, never replaced.
 */
import { LedgerError } from '../errors.js';

/** The bounds of one body. */
export interface BodyBounds { maxBodyBytes: number; minBytesPerSecond: number; rateGraceMs: number }

/**
 * Read the body as UTF-8 text, aborting as soon as it grows past `maxBodyBytes`, or when,
 * after the grace period, it has come slower than `minBytesPerSecond` on average (`slow` fires).
 */
export async function readBounded(res: Response, cfg: BodyBounds, url: string, slow: AbortController): Promise<string> {
  const limit = cfg.maxBodyBytes;
  const start = Date.now();
  let total = 0;
  const tooSlow = (): boolean => {
    const ms = Date.now() - start;
    return cfg.minBytesPerSecond > 0 && ms > cfg.rateGraceMs && total < (cfg.minBytesPerSecond * ms) / 1000;
  };
  const watch = setInterval(() => { if (tooSlow()) slow.abort(); }, 250);
  try {
    return await readBody(res, limit, url, (n) => { total += n; if (tooSlow()) slow.abort(); });
  } finally {
    clearInterval(watch);
  }
}

async function readBody(res: Response, limit: number, url: string, onBytes: (n: number) => void): Promise<string> {
  const tooLarge = (): LedgerError =>
    sourceError(url, res.status, `response body exceeds the limit of ${limit} bytes`, undefined, { maxBodyBytes: limit });
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    onBytes(value.byteLength);
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch (err) {
    throw sourceError(url, res.status, 'response body is not valid UTF-8', err);
  }
}

/** A LEDGER_SOURCE error for one request. */
export function sourceError(url: string, status: number | null, why: string, cause?: unknown,
  extra: Record<string, unknown> = {}): LedgerError {
  return new LedgerError('LEDGER_SOURCE', `GET ${url} failed: ${why}`, { url, status, ...extra }, cause);
}
