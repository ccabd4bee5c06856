/**
 * A hostile BigchainDB HTTP API (issue 10): a body sent one byte a second, a server that
 * never answers, a redirect to another origin, and a block answered with 100,000-deep
 * JSON. A front server on 127.0.0.1 serves the fault and passes everything else to the
 * HTTP double; the CLI runs as a child process.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHttpDouble, type HttpDouble } from '../doubles/bigchaindb-http.js';
import { smallLedger } from '../pull/helpers.js';
import { assertBounded, runChild, workspace } from './helpers.js';

type Handler = (req: IncomingMessage, res: ServerResponse, pass: () => Promise<void>) => void | Promise<void>;

/** A front server: `handle` decides per request; `pass()` answers from the double. */
async function front(upstream: string, handle: Handler): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const pass = async (): Promise<void> => {
      const r = await fetch(upstream + (req.url ?? '/'), { redirect: 'manual' });
      const headers: Record<string, string> = { 'content-type': r.headers.get('content-type') ?? 'application/json' };
      const loc = r.headers.get('location');
      if (loc !== null) headers.location = loc;
      res.writeHead(r.status, headers).end(Buffer.from(await r.arrayBuffer()));
    };
    void Promise.resolve(handle(req, res, pass)).catch(() => res.destroy());
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => { for (const s of sockets) s.destroy(); await new Promise<void>((resolve) => server.close(() => resolve())); },
  };
}

describe('pull from a hostile HTTP API', () => {
  const ws = workspace();
  const l = smallLedger({ seed: 'hostile-http' });
  const fed = join(ws.dir, 'federation.json');
  const txs = [l.blocks[2]!, l.blocks[4]!, l.blocks[6]!].map((b) => b.block.transactions[0]!.id);
  let d: HttpDouble;
  let n = 0;
  before(async () => {
    d = await startHttpDouble({ blocks: l.blocks, votes: l.votes });
    writeFileSync(fed, JSON.stringify(l.federation));
  });
  after(async () => { await d.close(); ws.cleanup(); });

  async function pullFrom(url: string, extra: string[]) {
    const dir = join(ws.dir, `a${++n}`);
    assert.equal((await runChild(['init', '--archive', dir, '--federation', fed])).code, 0);
    return runChild(['pull', '--from', url, '--tx', ...txs, '--archive', dir, '--workers', '0', ...extra], { timeoutMs: 90_000 });
  }
  const errorOf = (r: { events: Record<string, unknown>[] }): Record<string, unknown> => {
    const e = r.events.find((x) => x.type === 'error');
    assert.ok(e !== undefined, 'an error event');
    return e;
  };

  it('a body sent one byte a second: under the minimum rate, retries within the budget, exit 6', async () => {
    const f = await front(d.url, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => { if (!res.write(' ')) return; }, 1000);
      res.on('close', () => clearInterval(t));
    });
    try {
      // Without the rate bound one attempt would take the whole budget (the attempt deadline is 30 s):
      // with it, each attempt ends after the 5 s grace and the budget holds several.
      const r = await pullFrom(f.url, ['--http-budget', '15']);
      assertBounded(r, 6, 40_000, 'trickle');
      const e = errorOf(r);
      assert.match(String(e.message), /slower than 1024 bytes\/s|time budget of 15000 ms spent/);
      assert.ok(Number((e.data as { attempts?: number }).attempts) >= 2, JSON.stringify(e));
    } finally { await f.close(); }
  });

  it('a server that never answers: each attempt ends at --http-timeout, the request at --http-budget, exit 6', async () => {
    const f = await front(d.url, () => undefined);
    try {
      const r = await pullFrom(f.url, ['--http-timeout', '1', '--http-budget', '4']);
      assertBounded(r, 6, 20_000, 'never answers');
      assert.match(String(errorOf(r).message), /timed out after \d+ ms/);
    } finally { await f.close(); }
  });

  it('a redirect to another origin is refused without --allow-redirects, followed with it', async () => {
    const f = await front(d.url, (req, res) => { res.writeHead(302, { location: d.url + (req.url ?? '/') }).end(); });
    try {
      const r = await pullFrom(f.url, []);
      assertBounded(r, 6, 20_000, 'redirect refused');
      assert.match(String(errorOf(r).message), /redirected to another origin \(http:\/\/127\.0\.0\.1:\d+\); not followed without --allow-redirects/);
      const ok = await pullFrom(f.url, ['--allow-redirects']);
      assertBounded(ok, 0, 30_000, 'redirect allowed');
      assert.equal((ok.summary?.byKind as Record<string, { new: number }>).block!.new, 3);
    } finally { await f.close(); }
  });

  it('a block answered with 100,000-deep JSON is quarantined (DOC_LIMIT) and the pull goes on', async () => {
    const bad = l.blocks[4]!.id;
    const f = await front(d.url, async (req, res, pass) => {
      if (req.url === `/api/v1/blocks/${bad}`) res.writeHead(200, { 'content-type': 'application/json' }).end(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
      else await pass();
    });
    try {
      const r = await pullFrom(f.url, []);
      assertBounded(r, 1, 30_000, 'deep block');
      const hit = r.findings.find((x) => x.code === 'DOC_LIMIT');
      assert.ok(hit !== undefined && String(hit.doc).endsWith(`/api/v1/blocks/${bad}`), JSON.stringify(r.findings.slice(0, 3)));
      assert.match(String(hit.message), /limit maxDepth = 100/);
      assert.equal((r.summary?.byKind as Record<string, { new: number }>).block!.new, 2, 'the other two blocks are stored');
    } finally { await f.close(); }
  });
});
