import { before, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { check } from '../../src/ops/check.js';
import { pull, resolvePullSource, type RethinkCursor } from '../../src/ops/pull.js';
import { readSyncRecord } from '../../src/store/sync.js';
import type { LedgerDb } from '../../src/store/archive.js';
import { describeServers, type TestServer } from '../helpers/rethink-servers.js';
import { memoryArchive } from '../helpers/store-archive.js';
import { archiveContents, countPrefix, createLedgerDb, federationOf, insertRows, rethinkUrl, serverEnv, smallLedger } from './helpers.js';

async function until(what: string, f: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
const blocks = (db: LedgerDb): Promise<number> => countPrefix(db, 'b!');
const votes = (db: LedgerDb): Promise<number> => countPrefix(db, 'v!');

// The real server serves TLS (a self-signed certificate for 127.0.0.1, trusted with ?ca=) behind a relay that can cut connections.
describeServers('pull --follow (RethinkDB changefeeds)', (server) => {
  let d: TestServer;
  before(() => { d = server(); });

  for (const layout of ['1.3', '1.0'] as const) it(`catches up, streams new documents, survives a dropped connection, and stops cleanly on abort (${layout})`, async () => {
    const db = `fol${layout.replace('.', '_')}`;
    const l = smallLedger({ seed: 'pull-follow', blocks: 18 });
    const part = (lo: number, hi: number) => {
      const bs = l.blocks.slice(lo, hi);
      return { bs, vs: l.votes.filter((v) => bs.some((b) => b.id === v.vote.voting_for_block)) };
    };
    const p1 = part(0, 6); const p2 = part(6, 11); const p3 = part(11, l.blocks.length);
    await createLedgerDb(d, db, layout, p1.bs, p1.vs);
    const a = await memoryArchive(federationOf(l));
    const ac = new AbortController();
    const from = rethinkUrl(d, db);
    const running = pull({ archive: a, from, follow: { backoffMs: 300, lingerMs: 20 }, signal: ac.signal, workers: 0, env: serverEnv(d) });
    try {
      await until('catch-up', async () => await blocks(a.db) === 6 && await votes(a.db) === p1.vs.length);
      await until('feeds open', async () => await d.feedCount() >= (layout === '1.3' ? 4 : 3)); // bigchain, votes, assets (, metadata)
      await insertRows(d, db, layout, p2.bs, p2.vs);
      await until('streamed blocks', async () => await blocks(a.db) === 11 && await votes(a.db) === p1.vs.length + p2.vs.length);
      // The catch-up may read some of them too; the feed's run records the event time.
      const followState = async () => ((await readSyncRecord(a.db, resolvePullSource(from, { env: serverEnv(d) }).name))?.cursor as RethinkCursor | undefined)?.follow;
      await until('the follow state with an event time', async () => (await followState())?.lastEventAt != null);
      assert.equal((await followState())?.active, true);
      d.dropConnections();
      await insertRows(d, db, layout, p3.bs, p3.vs); // written while the follower waits to reconnect
      await until('documents written while disconnected', async () => await blocks(a.db) === l.blocks.length && await votes(a.db) === l.votes.length);
    } finally {
      ac.abort();
    }
    const r = await running;
    assert.ok((r.follow?.reconnects ?? 0) >= 1, 'reconnected');
    assert.equal(r.summary.quarantined, 0);
    const rec = await readSyncRecord(a.db, r.source);
    const c = rec?.cursor as RethinkCursor;
    assert.equal(c.follow?.active, false, 'the stop is recorded');
    assert.equal(c.blockTimestamp, l.blocks.map((b) => b.block.timestamp).sort().at(-1));
    await until('feeds closed on the server', async () => await d.feedCount() === 0, 3000);
    const clean = await memoryArchive(federationOf(l));
    await pull({ archive: clean, from, selection: { all: true }, workers: 0, env: serverEnv(d) });
    assert.deepEqual(await archiveContents(a.db), await archiveContents(clean.db));
    assert.ok((await check({ archive: a, workers: 0 })).ok);
  });

  it('refuses --follow from a non-RethinkDB source', async () => {
    const l = smallLedger({ seed: 'pull-follow-2', blocks: 2 });
    await assert.rejects(pull({ archive: await memoryArchive(federationOf(l)), from: 'http://127.0.0.1:1', follow: true }), { code: 'LEDGER_USAGE' });
  });
}, { real: { tls: true } });
