import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { openHttpSource, type HttpSourceOptions } from '../../src/sources/http.js';
import type { WalkReport } from '../../src/sources/http-walk.js';
import type { RawDoc } from '../../src/model/documents.js';
import { startHttpDouble, type HttpDouble, type HttpDoubleOptions } from '../doubles/bigchaindb-http.js';
import { IDS, KEYS, makeSyntheticLedger } from '../doubles/synthetic-ledger.js';

const { G, B1, B2, B3, B4, c1, t1, t2, c2, c3 } = IDS;

/** Drain a walker: the docs and the generator's return value. */
async function drain(gen: AsyncGenerator<RawDoc, WalkReport>): Promise<{ docs: RawDoc[]; report: WalkReport }> {
  const docs: RawDoc[] = [];
  for (;;) {
    const r = await gen.next();
    if (r.done === true) return { docs, report: r.value };
    docs.push(r.value);
  }
}

const blockIds = (docs: RawDoc[]): string[] =>
  docs.filter((d) => d.table === 'bigchain').map((d) => (d.doc as { id: string }).id);

async function withDouble<T>(opts: Partial<HttpDoubleOptions>, fn: (d: HttpDouble) => Promise<T>): Promise<T> {
  const d = await startHttpDouble({ ...makeSyntheticLedger(), ...opts });
  try {
    return await fn(d);
  } finally {
    await d.close();
  }
}

const fast = (d: HttpDouble, o: Partial<HttpSourceOptions> = {}) =>
  openHttpSource({ url: d.url, backoffMs: 1, timeoutMs: 2000, ...o });

describe('HTTP source against the v1.3 double', () => {
  let d: HttpDouble;
  before(async () => { d = await startHttpDouble(makeSyntheticLedger()); });
  after(async () => { await d.close(); });

  it('reads the node info', async () => {
    const info = await fast(d).nodeInfo();
    assert.equal(info.version, '1.3.0');
    assert.equal(info.publicKey, KEYS.v1);
    assert.equal(await fast(d).legacyNaming(), false);
  });

  it('lists the blocks of a transaction, with the status filter', async () => {
    const src = fast(d);
    assert.deepEqual(await src.blockIdsForTx(c1), [B1]);
    assert.deepEqual(await src.blockIdsForTx(t2), [B3]);
    assert.deepEqual(await src.blockIdsForTx(t2, 'invalid'), [B3]);
    assert.deepEqual(await src.blockIdsForTx(t2, 'valid'), []);
    assert.deepEqual(await src.blockIdsForTx('ff'.repeat(32)), []);
    assert.ok(d.requests.some((r) => r.startsWith('/api/v1/blocks/?transaction_id=')));
  });

  it('fetches a block as a RawDoc, and null on 404', async () => {
    const raw = await fast(d).block(B1);
    assert.ok(raw !== null);
    assert.equal(raw.table, 'bigchain');
    assert.equal((raw.doc as { id: string }).id, B1);
    assert.equal(raw.origin, `${d.url}/api/v1/blocks/${B1}`);
    assert.equal(await fast(d).block('ab'.repeat(32)), null);
  });

  it('fetches votes', async () => {
    const votes = await fast(d).votes(B1);
    assert.equal(votes.length, 2);
    assert.ok(votes.every((v) => v.table === 'votes' && v.origin.includes('/api/v1/votes/?block_id=')));
    assert.deepEqual(await fast(d).votes(G), []);
  });

  it('lists outputs, all / spent / unspent, skipping invalid blocks', async () => {
    const src = fast(d);
    const key = (l: { transaction_id: string; output_index: number }) => `${l.transaction_id}:${l.output_index}`;
    assert.deepEqual((await src.outputs(KEYS.alice)).map(key).sort(), [`${c1}:0`, `${c2}:0`].sort());
    assert.deepEqual((await src.outputs(KEYS.alice, { spent: true })).map(key), [`${c1}:0`]);
    assert.deepEqual((await src.outputs(KEYS.alice, { spent: false })).map(key), [`${c2}:0`]);
    assert.deepEqual(await src.outputs(KEYS.carol), []); // t2 is only in the invalid B3
  });

  it('lists valid transactions of an asset and fetches one transaction', async () => {
    const src = fast(d);
    const txs = await src.transactionsByAsset(c1);
    assert.deepEqual(txs.map((t) => (t.doc as { id: string }).id), [c1, t1]);
    assert.deepEqual((await src.transactionsByAsset(c1, 'TRANSFER')).map((t) => (t.doc as { id: string }).id), [t1]);
    assert.equal(((await src.transaction(t1))?.doc as { id: string }).id, t1);
    assert.equal(await src.transaction(t2), null);
  });

  it('blocksForTxs yields each block once, followed by its votes', async () => {
    const { docs, report } = await drain(fast(d).blocksForTxs([c1, t2, c1, t1]));
    assert.deepEqual(docs.map((x) => x.table), ['bigchain', 'votes', 'votes', 'bigchain', 'votes', 'votes', 'bigchain', 'votes', 'votes']);
    assert.deepEqual(blockIds(docs), [B1, B3, B2]);
    for (let i = 0; i < docs.length; i++) {
      if (docs[i]!.table !== 'votes') continue;
      const prevBlock = docs.slice(0, i).filter((x) => x.table === 'bigchain').at(-1)!.doc as { id: string };
      assert.equal((docs[i]!.doc as { vote: { voting_for_block: string } }).vote.voting_for_block, prevBlock.id);
    }
    assert.deepEqual(report, { blocks: 3, votes: 6, missing: [], pending: [] });
  });

  it('blocksForTxs delivers a block holding several of the transactions once', async () => {
    const { docs, report } = await drain(fast(d).blocksForTxs([c2, c3]));
    assert.deepEqual(blockIds(docs), [B4]);
    assert.equal(report.votes, 1);
  });

  it('blocksForTxs reports transactions no block holds, and honours a shared seen set', async () => {
    const seen = new Set([B1]);
    const missing: string[] = [];
    const { docs, report } = await drain(fast(d).blocksForTxs([c1, 'ee'.repeat(32)], { seen, onMissing: (m) => missing.push(m.id) }));
    assert.deepEqual(docs, []);
    assert.deepEqual(report.missing.map((m) => m.kind), ['tx']);
    assert.deepEqual(missing, ['ee'.repeat(32)]);
  });

  it('blocksForOwners reaches outputs and their valid spenders, not invalid blocks', async () => {
    const { docs, report } = await drain(fast(d).blocksForOwners([KEYS.alice]));
    assert.deepEqual(blockIds(docs).sort(), [B1, B2, B4].sort());
    assert.deepEqual(report.missing, []);
    assert.deepEqual(blockIds((await drain(fast(d).blocksForOwners([KEYS.carol]))).docs), []);
    assert.deepEqual(blockIds((await drain(fast(d).blocksForOwners([KEYS.bob]))).docs).sort(), [B2, B4].sort());
  });

  it('blocksForAssets reaches blocks of valid transactions of the asset', async () => {
    const { docs } = await drain(fast(d).blocksForAssets([c1]));
    assert.deepEqual(blockIds(docs), [B1, B2]);
    const undecided = await drain(fast(d).blocksForAssets([c2]));
    assert.deepEqual(undecided.docs, []);
    assert.deepEqual(undecided.report.missing.map((m) => [m.kind, m.id]), [['asset', c2]]);
  });

  it('walkPrevious follows previous_block until a known block', async () => {
    const all = await drain(fast(d).walkPrevious([B4], (id) => id === G));
    assert.deepEqual(blockIds(all.docs), [B4, B3, B2, B1]);
    const some = await drain(fast(d).walkPrevious([B4], async (id) => id === B2));
    assert.deepEqual(blockIds(some.docs), [B4, B3]);
    const capped = await drain(fast(d).walkPrevious([B4], () => false, { maxBlocks: 2 }));
    assert.deepEqual(blockIds(capped.docs), [B4, B3]);
    assert.deepEqual(capped.report.pending, [B2]);
  });

  it('walkPrevious stops only on known blocks (property over random known sets)', async () => {
    const chain = [B4, B3, B2, B1, G]; // newest first; G has no votes, so the walk ends there
    await fc.assert(fc.asyncProperty(fc.subarray(chain), async (known) => {
      const { docs } = await drain(fast(d).walkPrevious([B4], (id) => known.includes(id)));
      const stop = chain.findIndex((id) => known.includes(id));
      assert.deepEqual(blockIds(docs), chain.slice(0, stop < 0 ? chain.length : stop));
    }), { numRuns: 20 });
  });

  it('blocksForTxs yields exactly the blocks holding the transactions (property)', async () => {
    const holder: Record<string, string> = { [IDS.genesisTx]: G, [c1]: B1, [t1]: B2, [t2]: B3, [c2]: B4, [c3]: B4 };
    await fc.assert(fc.asyncProperty(fc.array(fc.constantFrom(...Object.keys(holder)), { maxLength: 8 }), async (txs) => {
      const { docs } = await drain(fast(d).blocksForTxs(txs, { concurrency: 3 }));
      assert.deepEqual(blockIds(docs), [...new Set(txs.map((t) => holder[t]!))]);
    }), { numRuns: 25 });
  });
});

describe('HTTP source against a v0.9 double', () => {
  it('uses tx_id, unspent and link strings', async () => {
    await withDouble({ ...makeSyntheticLedger({ legacy: true }), version: '0.9.2' }, async (d) => {
      const src = fast(d);
      assert.equal(await src.legacyNaming(), true);
      assert.deepEqual(await src.blockIdsForTx(c1), [B1]);
      assert.ok(d.requests.some((r) => r.startsWith('/api/v1/blocks/?tx_id=')));
      assert.deepEqual(await src.outputs(KEYS.alice, { spent: true }), [{ transaction_id: c1, output_index: 0 }]);
      assert.deepEqual(await src.outputs(KEYS.alice, { spent: false }), [{ transaction_id: c2, output_index: 0 }]);
      const { docs } = await drain(src.blocksForOwners([KEYS.alice]));
      assert.deepEqual(blockIds(docs).sort(), [B1, B2, B4].sort());
    });
  });

  it('a wrong version guess gives a clean 400 LEDGER_SOURCE, not retried', async () => {
    await withDouble({ version: '0.10.1' }, async (d) => {
      const src = fast(d, { version: '1.3.0' });
      await assert.rejects(src.blockIdsForTx(c1), (err: any) => {
        assert.equal(err.code, 'LEDGER_SOURCE');
        assert.equal(err.data.status, 400);
        assert.match(err.message, /Missing required parameter/);
        assert.ok(err.message.includes(d.url));
        return true;
      });
      assert.equal(d.requests.length, 1);
    });
  });
});

describe('HTTP source version handling', () => {
  it('refuses a BigchainDB 2.x node, and retries the probe after a failure', async () => {
    await withDouble({ version: '2.2.2', faults: [{ kind: 'status', status: 502, count: 1 }] }, async (d) => {
      const src = fast(d, { retries: 0 });
      await assert.rejects(src.legacyNaming(), (err: any) => err.code === 'LEDGER_SOURCE' && err.data.status === 502);
      await assert.rejects(src.blockIdsForTx(c1), (err: any) => err.code === 'LEDGER_SOURCE' && /2\.2\.2/.test(err.message));
      assert.deepEqual(d.requests, ['/', '/']);
    });
  });
});

describe('HTTP double answers like BigchainDB', () => {
  let d: HttpDouble;
  before(async () => { d = await startHttpDouble(makeSyntheticLedger()); });
  after(async () => { await d.close(); });
  const get = async (path: string) => {
    const r = await fetch(d.url + path, { redirect: 'manual' });
    return { status: r.status, body: await r.json() as unknown, location: r.headers.get('location') };
  };

  it('400 with reqparse messages', async () => {
    assert.deepEqual(await get('/api/v1/blocks/?ts_id=1'), { status: 400, location: null, body: {
      message: { transaction_id: 'Missing required parameter in the JSON body or the post body or the query string' } } });
    assert.deepEqual((await get('/api/v1/blocks/?transaction_id=1&foo=1')).body, { message: 'Unknown arguments: foo' });
    assert.deepEqual((await get('/api/v1/blocks/?transaction_id=1&status=123')).body, { message: { status: '123 is not a valid choice' } });
    assert.equal((await get('/api/v1/blocks/?transaction_id=1&status=VALID')).status, 200); // case-insensitive from v1.0
    assert.deepEqual((await get('/api/v1/outputs/?public_key=abc')).body, { message: { public_key: 'Invalid base58 ed25519 key' } });
    assert.deepEqual((await get('/api/v1/transactions?asset_id=xyz')).body, { message: { asset_id: 'Invalid hash' } });
    assert.equal((await get(`/api/v1/transactions?asset_id=${c1}&foo=1`)).status, 200); // not strict
    assert.equal((await get('/api/v1/votes/?tx_id=1&block_id=1')).status, 400);
  });

  it('404, redirects and loud 501s', async () => {
    assert.deepEqual(await get(`/api/v1/blocks/${'00'.repeat(32)}`), { status: 404, location: null, body: { message: 'Not found', status: 404 } });
    const r = await get(`/api/v1/blocks?transaction_id=${c1}`);
    assert.equal(r.status, 301);
    assert.equal(r.location, `/api/v1/blocks/?transaction_id=${c1}`);
    const s = await get(`/api/v1/statuses/?transaction_id=${c1}`);
    assert.equal(s.status, 501);
    assert.match((s.body as { message: string }).message, /not implemented/);
    assert.equal((await fetch(`${d.url}/api/v1/transactions`, { method: 'POST', body: '{}' })).status, 501);
  });
});

describe('HTTP client robustness', () => {
  it('retries after 500s and succeeds', async () => {
    await withDouble({ faults: [{ kind: 'status', status: 500, count: 2 }] }, async (d) => {
      assert.equal((await fast(d, { version: '1.3.0' }).block(B1))?.table, 'bigchain');
      assert.equal(d.requests.length, 3);
    });
  });

  it('gives LEDGER_SOURCE after `retries` on persistent 500', async () => {
    await withDouble({ faults: [{ kind: 'status', status: 503 }] }, async (d) => {
      await assert.rejects(fast(d, { retries: 2 }).block(B1), (err: any) => {
        assert.equal(err.code, 'LEDGER_SOURCE');
        assert.equal(err.data.status, 503);
        assert.equal(err.data.attempts, 3);
        assert.equal(err.data.url, `${d.url}/api/v1/blocks/${B1}`);
        return true;
      });
      assert.equal(d.requests.length, 3);
    });
  });

  it('times out a hanging request', async () => {
    await withDouble({ faults: [{ kind: 'hang', path: '/api/v1/votes/' }] }, async (d) => {
      const t0 = Date.now();
      await assert.rejects(fast(d, { timeoutMs: 150, retries: 1 }).votes(B1),
        (err: any) => err.code === 'LEDGER_SOURCE' && /timed out after 150 ms/.test(err.message) && err.data.status === null);
      assert.equal(d.requests.length, 2);
      assert.ok(Date.now() - t0 >= 300);
    });
  });

  for (const declareLength of [false, true]) {
    it(`refuses an oversized body (${declareLength ? 'declared' : 'streamed'}): a block is quarantined, a list fails`, async () => {
      await withDouble({ faults: [{ kind: 'oversize', bytes: 2_000_000, declareLength }] }, async (d) => {
        const b = await fast(d, { maxBodyBytes: 100_000 }).block(B1);
        assert.equal(b?.doc, null);
        assert.equal(b?.limit, 'maxDocumentBytes');
        assert.match(b?.invalid ?? '', /exceeds the limit of 100000 bytes/);
        assert.equal(d.requests.length, 1);
        await assert.rejects(fast(d, { maxBodyBytes: 100_000 }).votes(B1),
          (err: any) => err.code === 'LEDGER_SOURCE' && /exceeds the limit of 100000 bytes/.test(err.message));
      });
    });
  }

  it('retries a dropped connection, and fails cleanly when it keeps dropping', async () => {
    await withDouble({ faults: [{ kind: 'drop', count: 1 }] }, async (d) => {
      assert.equal((await fast(d).votes(B1)).length, 2);
      d.setFault({ kind: 'drop' });
      await assert.rejects(fast(d, { retries: 1 }).votes(B1), (err: any) => err.code === 'LEDGER_SOURCE' && /connection failed/.test(err.message));
    });
  });

  it('keeps requests in flight within maxInFlight', async () => {
    await withDouble({ faults: [{ kind: 'delay', ms: 30 }] }, async (d) => {
      const src = fast(d, { maxInFlight: 3, version: '1.3.0' });
      await Promise.all(Array.from({ length: 12 }, () => src.block(B1)));
      assert.equal(d.stats.maxInFlight, 3);
      d.stats.maxInFlight = 0;
      const walker = fast(d, { maxInFlight: 2, version: '1.3.0' });
      await drain(walker.blocksForTxs([c1, t1, t2, c2], { concurrency: 8 }));
      assert.equal(d.stats.maxInFlight, 2);
    });
  });

  it('stops with LEDGER_ABORTED when the signal fires', async () => {
    await withDouble({ faults: [{ kind: 'hang' }] }, async (d) => {
      const ctl = new AbortController();
      const p = fast(d, { signal: ctl.signal }).block(B1);
      setTimeout(() => ctl.abort(), 50);
      await assert.rejects(p, (err: any) => err.code === 'LEDGER_ABORTED');
    });
  });

  it('walkPrevious reports a block named by a vote but absent (404), and walks on through its votes', async () => {
    const ledger = makeSyntheticLedger();
    ledger.blocks = ledger.blocks.filter((b) => b.id !== B2);
    await withDouble(ledger, async (d) => {
      const { docs, report } = await drain(fast(d).walkPrevious([B4], () => false));
      assert.deepEqual(blockIds(docs), [B4, B3, B1, G]);
      assert.equal(docs.filter((x) => (x.doc as any).vote?.voting_for_block === B2).length, 2);
      assert.deepEqual(report.missing.map((m) => [m.kind, m.id]), [['block', B2]]);
    });
    ledger.votes = ledger.votes.filter((v) => (v.vote as any).voting_for_block !== B2);
    await withDouble(ledger, async (d) => {
      const { docs, report } = await drain(fast(d).walkPrevious([B4], () => false));
      assert.deepEqual(blockIds(docs), [B4, B3]);
      assert.deepEqual(report.missing.map((m) => [m.kind, m.id]), [['block', B2]]);
    });
  });

  it('rejects bad options as programmer errors', () => {
    assert.throws(() => openHttpSource({ url: 'ftp://x' }), TypeError);
    assert.throws(() => openHttpSource({ url: 'http://x', maxInFlight: 0 }), RangeError);
    assert.throws(() => openHttpSource({ url: 'http://x', retries: 1.5 }), RangeError);
  });
});
