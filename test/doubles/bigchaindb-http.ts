/**
 * A test double of a BigchainDB node's HTTP API on 127.0.0.1 (ephemeral port), serving
 * given full blocks and votes with the real routes, status codes and error bodies
 * (see bigchaindb-http-api.ts), plus injectable faults. Anything it does not implement
 * is refused loudly with 501 so a client bug cannot pass as "not found".
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { canonicalize } from '../../src/model/canonical.js';
import { LedgerApi, type Answer } from './bigchaindb-http-api.js';

/** A fault applies to requests whose path+query starts with `path` (default: all), `count` times (default: forever). */
export type Fault = { path?: string; count?: number } & (
  | { kind: 'status'; status?: number } // answer this status (default 500) instead
  | { kind: 'hang' } // never answer
  | { kind: 'oversize'; bytes: number; declareLength?: boolean } // 200 with a huge JSON array
  | { kind: 'drop' } // destroy the socket without answering
  | { kind: 'delay'; ms: number } // answer normally after a delay
);

/** Options of {@link startHttpDouble}. */
export interface HttpDoubleOptions {
  blocks: unknown[];
  votes: unknown[];
  version?: string;
  faults?: Fault[];
  /** Force block statuses instead of the simplified election. */
  statuses?: Record<string, 'valid' | 'invalid' | 'undecided'>;
}

/** A running double. */
export interface HttpDouble {
  url: string;
  /** Every request's path and query, in arrival order. */
  requests: string[];
  /** Requests being handled now, and the most at any one time. */
  stats: { inFlight: number; maxInFlight: number };
  setFault(fault: Fault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

/**
 * Start the double.
 * @example const d = await startHttpDouble({ blocks, votes, version: '0.9.2' }); ...; await d.close();
 */
export async function startHttpDouble(opts: HttpDoubleOptions): Promise<HttpDouble> {
  const api = new LedgerApi(opts.blocks, opts.votes, opts.version ?? '1.3.0', opts.statuses);
  const faults: Fault[] = (opts.faults ?? []).map((f) => ({ ...f })); // counts are consumed
  const requests: string[] = [];
  const stats = { inFlight: 0, maxInFlight: 0 };

  const server = createServer((req, res) => {
    const target = req.url ?? '/';
    requests.push(target);
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    res.on('close', () => { stats.inFlight--; });
    res.on('error', () => undefined);
    const fault = takeFault(faults, target);
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'drop') { req.socket.destroy(); return; }
    if (fault?.kind === 'oversize') { void writeOversize(res, fault.bytes, fault.declareLength ?? false); return; }
    if (fault?.kind === 'status') { send(res, { status: fault.status ?? 500, body: { message: 'Internal Server Error' } }); return; }
    const answer = req.method === 'GET' ? route(api, target) : refuse(`${req.method} ${target}`);
    if (fault?.kind === 'delay') setTimeout(() => send(res, answer), fault.ms);
    else send(res, answer);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stats,
    setFault: (f) => { faults.push({ ...f }); },
    clearFaults: () => { faults.length = 0; },
    close: async () => {
      server.closeAllConnections(); // also ends hanging and keep-alive requests
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Routes as registered in bigchaindb/web/routes.py (list endpoints end with `/`). */
function route(api: LedgerApi, target: string): Answer {
  const u = new URL(target, 'http://double');
  const p = u.pathname;
  const q = u.searchParams;
  if (p === '/') return api.info();
  // Werkzeug redirects a missing trailing slash of a `.../` rule (301 in the Werkzeug of that era).
  if (/^\/api\/v1(\/(blocks|votes|outputs|statuses))?$/.test(p)) {
    return { status: 301, body: { message: 'redirect' }, headers: { location: `${p}/${u.search}` } };
  }
  if (p === '/api/v1/blocks/') return api.blockList(q);
  if (p === '/api/v1/votes/') return api.votes(q);
  if (p === '/api/v1/outputs/') return api.outputs(q);
  if (p === '/api/v1/transactions') return api.transactionList(q);
  let m = /^\/api\/v1\/blocks\/([^/]+)$/.exec(p);
  if (m !== null) return api.block(decodeURIComponent(m[1]!));
  m = /^\/api\/v1\/transactions\/([^/]+)$/.exec(p);
  if (m !== null) return api.transaction(decodeURIComponent(m[1]!));
  return refuse(`GET ${target}`);
}

function refuse(what: string): Answer {
  return { status: 501, body: { message: `bigchaindb-http double: ${what} is not implemented` } };
}

function takeFault(faults: Fault[], target: string): Fault | undefined {
  const i = faults.findIndex((f) => target.startsWith(f.path ?? ''));
  if (i < 0) return undefined;
  const f = faults[i]!;
  if (f.count !== undefined && --f.count <= 0) faults.splice(i, 1);
  return f;
}

function send(res: ServerResponse, a: Answer): void {
  if (res.destroyed) return;
  const text = canonicalize(a.body);
  res.writeHead(a.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...a.headers });
  res.end(text);
}

/** A syntactically valid JSON array of `bytes` bytes, streamed in chunks (no length unless declared). */
async function writeOversize(res: ServerResponse, bytes: number, declareLength: boolean): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json', ...(declareLength ? { 'content-length': bytes } : {}) });
  const chunk = Buffer.from(`"${'x'.repeat(65_530)}",`);
  let left = bytes - 2;
  res.write('[');
  while (left > chunk.length + 2 && !res.destroyed) {
    if (!res.write(chunk)) await untilDrainOrClose(res);
    left -= chunk.length;
  }
  if (!res.destroyed) res.end(`"${'x'.repeat(Math.max(0, left - 2))}"]`);
}

function untilDrainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => { res.off('drain', done); res.off('close', done); resolve(); };
    res.on('drain', done);
    res.on('close', done);
  });
}
