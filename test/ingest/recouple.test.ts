/** Re-coupling stored-layout blocks during ingest: any row order, absent (null) metadata, late rows in a later ingest. */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { ingest } from '../../src/ops/ingest.js';
import { key } from '../../src/store/schema.js';
import { stripBlock } from '../../src/model/stored.js';
import type { Block } from '../../src/model/types.js';
import { buildLedger, makeBlock, makeTx, signer } from '../helpers/store-ledger.js';
import { dumpDb, memoryArchive, raw } from '../helpers/store-archive.js';

const W = { workers: 0 };

/** A ledger whose blocks hold several transactions, some with null metadata (no row in 1.3). */
function multiTxLedger(): { l: ReturnType<typeof buildLedger>; blocks: Block[] } {
  const l = buildLedger({ voters: 2, blocks: 0 });
  const keys = l.signers.map((s) => s.key);
  const owner = signer('user-x').pair;
  const blocks = [0, 1, 2].map((b) => makeBlock(l.signers[b % 2]!, keys,
    [0, 1, 2].map((t) => makeTx('CREATE', owner, { b, t }, (b + t) % 2 === 0 ? null : { m: `${b}/${t}` })), 1_500_000_001 + b));
  return { l, blocks: [l.genesis, ...blocks] };
}

const docsOnly = (m: Map<string, string>): [string, string][] => [...m].filter(([k]) => /^(b|bm|tx|ow|as|ts)!/.test(k));

test('stored blocks re-couple whatever the row order, with null metadata absent, and match a full-layout ingest', async () => {
  const { l, blocks } = multiTxLedger();
  const full = await memoryArchive(l.federation);
  await ingest({ archive: full, docs: raw(blocks, 'bigchain'), ...W });
  const want = docsOnly(await dumpDb(full.db));
  const stripped = blocks.map((b) => stripBlock(b, '1.3'));
  const items = [
    ...raw(stripped.map((s) => s.block), 'bigchain', 'b'),
    ...raw(stripped.flatMap((s) => s.assets), 'assets', 'a'),
    ...raw(stripped.flatMap((s) => s.metadata), 'metadata', 'm'),
  ];
  assert.ok(stripped.some((s) => s.metadata.length < s.block.block.transactions.length), 'some metadata is null');
  await fc.assert(fc.asyncProperty(fc.shuffledSubarray(items, { minLength: items.length }), fc.integer({ min: 1, max: 5 }), async (order, pendingLimit) => {
    const a = await memoryArchive(l.federation);
    const s = await ingest({ archive: a, docs: order, ...W, pendingLimit });
    assert.equal(s.byKind.block.new, blocks.length, JSON.stringify(s.findings));
    assert.equal(s.quarantined, 0);
    const db = await dumpDb(a.db);
    assert.deepEqual(docsOnly(db).filter(([k]) => !k.startsWith('bm!')), want.filter(([k]) => !k.startsWith('bm!')));
    assert.equal([...db.keys()].filter((k) => /^(pb|pq|q)!/.test(k)).length, 0);
  }), { numRuns: 25 });
});

test('in worker threads too: any row order gives the archive a full-layout ingest gives (blocks checked beside the stream)', async () => {
  const { l, blocks } = multiTxLedger();
  const full = await memoryArchive(l.federation);
  await ingest({ archive: full, docs: raw(blocks, 'bigchain'), ...W });
  const want = docsOnly(await dumpDb(full.db)).filter(([k]) => !k.startsWith('bm!'));
  const stripped = blocks.map((b) => stripBlock(b, '1.3'));
  const items = [
    ...raw(stripped.map((s) => s.block), 'bigchain', 'b'),
    ...raw(stripped.flatMap((s) => s.assets), 'assets', 'a'),
    ...raw(stripped.flatMap((s) => s.metadata), 'metadata', 'm'),
  ];
  await fc.assert(fc.asyncProperty(fc.shuffledSubarray(items, { minLength: items.length }), async (order) => {
    const a = await memoryArchive(l.federation);
    const s = await ingest({ archive: a, docs: order, workers: 2, batchDocs: 3 });
    assert.equal(s.byKind.block.new, blocks.length, JSON.stringify(s.findings));
    assert.equal(s.quarantined, 0);
    assert.deepEqual(docsOnly(await dumpDb(a.db)).filter(([k]) => !k.startsWith('bm!')), want);
  }), { numRuns: 6 });
});

test('a block quarantined for a missing asset row is stored when a later ingest brings the row', async () => {
  const { l, blocks } = multiTxLedger();
  const s1 = stripBlock(blocks[1]!, '1.3');
  const a = await memoryArchive(l.federation);
  const first = await ingest({ archive: a, docs: [...raw([s1.block], 'bigchain'), ...raw(s1.assets.slice(1), 'assets'), ...raw(s1.metadata, 'metadata')], ...W });
  assert.equal(first.quarantined, 1);
  assert.deepEqual(first.findings.map((f) => f.code), ['BLOCK_MISSING_ASSET']);
  let db = await dumpDb(a.db);
  assert.equal([...db.keys()].filter((k) => k.startsWith('q!')).length, 1);
  assert.equal(db.has(key('b', blocks[1]!.id)), false);
  // an ingest without rows leaves it quarantined
  await ingest({ archive: a, docs: raw([blocks[0]!], 'bigchain'), ...W });
  assert.equal((await dumpDb(a.db)).has(key('b', blocks[1]!.id)), false);
  const second = await ingest({ archive: a, docs: raw(s1.assets.slice(0, 1), 'assets'), ...W });
  assert.equal(second.byKind.block.new, 1, JSON.stringify(second.findings));
  db = await dumpDb(a.db);
  assert.equal(db.get(key('b', blocks[1]!.id)), (await dumpDb((await (async () => {
    const f = await memoryArchive(l.federation);
    await ingest({ archive: f, docs: raw([blocks[1]!], 'bigchain'), ...W });
    return f;
  })()).db)).get(key('b', blocks[1]!.id)));
  assert.equal([...db.keys()].filter((k) => /^(pb|pq|q)!/.test(k)).length, 0, 'quarantine entry and retry record are gone');
});

test('a stored block with a bad signature is quarantined once its rows are in, not stored', async () => {
  const { l, blocks } = multiTxLedger();
  const s1 = stripBlock(blocks[1]!, '1.3');
  const bad = { ...s1.block, signature: blocks[2]!.signature };
  const a = await memoryArchive(l.federation);
  const s = await ingest({ archive: a, docs: [...raw([bad], 'bigchain'), ...raw(s1.assets, 'assets'), ...raw(s1.metadata, 'metadata')], ...W });
  assert.equal(s.quarantined, 1);
  assert.deepEqual(s.findings.map((f) => f.code), ['BLOCK_BAD_SIGNATURE']);
  assert.equal((await dumpDb(a.db)).has(key('b', blocks[1]!.id)), false);
});
