/**
 * A hostile RethinkDB (issue 10): a query never answered, a garbage frame, a reply
 * under the wrong token, a frame declaring 4 GiB, a table list answered with an object,
 * SIGTERM during a hang, and rows over the limits among valid ones. The CLI runs as a
 * child process against the double behind a fault proxy on 127.0.0.1.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRethinkDouble, type RethinkDouble } from '../doubles/rethinkdb-server.js';
import { createLedgerDb, smallLedger } from '../pull/helpers.js';
import { SIGNAL_BOUND_MS, assertBounded, runChild, workspace } from './helpers.js';
import { TABLE_LIST, startFaultProxy, type RethinkFault } from './fault-proxy.js';

describe('pull from a hostile RethinkDB', () => {
  const ws = workspace();
  const l = smallLedger({ seed: 'hostile-rdb' });
  const fed = join(ws.dir, 'federation.json');
  let d: RethinkDouble;
  let n = 0;
  before(async () => {
    d = await startRethinkDouble();
    await createLedgerDb(d, 'l13', '1.3', l.blocks, l.votes);
    writeFileSync(fed, JSON.stringify(l.federation));
  });
  after(async () => { await d.close(); ws.cleanup(); });

  const archive = async (): Promise<string> => {
    const dir = join(ws.dir, `a${++n}`);
    assert.equal((await runChild(['init', '--archive', dir, '--federation', fed])).code, 0);
    return dir;
  };

  async function pullThrough(fault: RethinkFault, extra: string[], opts: { killAfterServedMs?: number; dir?: string; signal?: NodeJS.Signals } = {}) {
    const proxy = await startFaultProxy({ host: d.host, port: d.port }, TABLE_LIST, fault);
    try {
      const dir = opts.dir ?? await archive();
      const killWhen = opts.killAfterServedMs === undefined ? undefined
        : proxy.served.then(() => new Promise((resolve) => setTimeout(resolve, opts.killAfterServedMs)));
      const r = await runChild(['pull', '--from', `rethinkdb://admin@127.0.0.1:${proxy.port}/l13`, '--all', '--archive', dir,
        '--workers', '0', ...extra], { killWhen, killSignal: opts.signal, timeoutMs: 60_000 });
      assert.equal(proxy.faulted, 1, 'the fault was served');
      return r;
    } finally { await proxy.close(); }
  }

  const sourceError = (r: { events: Record<string, unknown>[] }): Record<string, unknown> => {
    const e = r.events.find((x) => x.type === 'error');
    assert.ok(e !== undefined, 'an error event');
    assert.equal(e.code, 'LEDGER_SOURCE');
    return e;
  };

  it('a query never answered: LEDGER_SOURCE after --query-timeout, exit 6', async () => {
    const r = await pullThrough('silent', ['--query-timeout', '2']);
    assertBounded(r, 6, 20_000, 'silent');
    assert.match(String(sourceError(r).message), /table_list failed: no answer from the server within 2000 ms/);
  });

  it('a reply under the wrong token is dropped; the query meets its deadline, exit 6', async () => {
    const r = await pullThrough('wrong-token', ['--query-timeout', '2']);
    assertBounded(r, 6, 20_000, 'wrong token');
    assert.match(String(sourceError(r).message), /no answer from the server within 2000 ms/);
  });

  it('a garbage frame: LEDGER_SOURCE quoting a short escaped prefix, never raw bytes', async () => {
    const r = await pullThrough('garbage', []);
    assertBounded(r, 6, 20_000, 'garbage');
    const msg = String(sourceError(r).message);
    assert.match(msg, /not UTF-8 JSON: "\\u001b\[31mNOT JSON \\"quoted\\" /);
    assert.ok(msg.length < 400, msg);
    assert.doesNotMatch(r.stderr.replace(/LA_MAXRSS_KB=\d+/, ''), /[\u0000-\u0008\u001b]/, 'no control bytes printed');
  });

  it('a frame declaring 4 GiB: refused on its header, in bounded memory and time', async () => {
    const r = await pullThrough('huge-frame', []);
    assertBounded(r, 6, 20_000, 'huge frame');
    assert.match(String(sourceError(r).message), /reply frame of 4294967295 bytes, over the limit of \d+ \(maxFrameBytes\)/);
  });

  it('a table list answered with an object: LEDGER_SOURCE naming the shape, exit 6 (not 70)', async () => {
    const r = await pullThrough('object-answer', []);
    assertBounded(r, 6, 20_000, 'object answer');
    assert.match(String(sourceError(r).message), /table_list failed: the server answered an object, not a list of names/);
  });

  it('rows over the limits (150-deep, 1,001 transactions) are DOC_LIMIT findings; the valid rows around them are stored', async () => {
    const ts = l.blocks[3]!.block.timestamp;
    let deep: unknown = 1;
    for (let i = 0; i < 150; i++) deep = [deep];
    const bogus = (id: string, extra: Record<string, unknown>) => ({ id, signature: 'x', block: { timestamp: ts, node_pubkey: 'x', voters: [], ...extra } });
    d.load('l13', 'bigchain', [
      bogus('ee'.repeat(32), { transactions: [{ id: 'x', deep }] }),
      bogus('ef'.repeat(32), { transactions: Array.from({ length: 1001 }, (_, i) => ({ id: String(i) })) }),
    ]);
    const dir = await archive();
    const r = await runChild(['pull', '--from', `rethinkdb://admin@${d.host}:${d.port}/l13`, '--all', '--archive', dir, '--workers', '0'],
      { timeoutMs: 60_000 });
    assertBounded(r, 1, 30_000, 'rows over limits');
    const byDoc = new Map(r.findings.map((f) => [String(f.doc).split('/').at(-1), f]));
    assert.equal(byDoc.get('ee'.repeat(32))?.code, 'DOC_LIMIT');
    assert.match(String(byDoc.get('ee'.repeat(32))?.message), /limit maxDepth = 100/);
    assert.equal(byDoc.get('ef'.repeat(32))?.code, 'DOC_LIMIT');
    assert.match(String(byDoc.get('ef'.repeat(32))?.message), /limit maxBlockTransactions = 1000/);
    const kinds = r.summary?.byKind as Record<string, { new: number }>;
    assert.equal(kinds.block!.new, l.blocks.length);
    assert.equal(kinds.vote!.new, l.votes.length);
  });

  it(`SIGTERM or SIGINT during a query never answered ends the pull within ${SIGNAL_BOUND_MS / 1000} s, exit 130, keeping what was committed`, async () => {
    // What an earlier pull committed stays: the interrupted pull leaves the archive as it was, unlocked.
    const dir = await archive();
    await runChild(['pull', '--from', `rethinkdb://admin@${d.host}:${d.port}/l13`, '--all', '--archive', dir, '--workers', '0']);
    const counts = async (): Promise<unknown> => (await runChild(['status', '--archive', dir])).summary?.counts;
    const before = await counts() as { blocks: number };
    assert.equal(before.blocks, l.blocks.length);
    const r = await pullThrough('silent', [], { killAfterServedMs: 500, dir });
    assert.equal(r.code, 130, r.stderr);
    assert.ok(r.msAfterKill !== null && r.msAfterKill < SIGNAL_BOUND_MS, `ended ${r.msAfterKill} ms after SIGTERM`);
    assert.equal(r.events.find((e) => e.type === 'error')?.code, 'LEDGER_ABORTED');
    assert.deepEqual(await counts(), before);
    const i = await pullThrough('silent', [], { killAfterServedMs: 500, dir, signal: 'SIGINT' });
    assert.equal(i.code, 130, i.stderr);
    assert.ok(i.msAfterKill !== null && i.msAfterKill < SIGNAL_BOUND_MS, `ended ${i.msAfterKill} ms after SIGINT`);
  });
});
