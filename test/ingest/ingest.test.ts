import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { ingest } from '../../src/ops/ingest.js';
import { readElection, readVotesOf, readTxBlocks } from '../../src/store/read.js';
import { key } from '../../src/store/schema.js';
import { stripBlock } from '../../src/model/stored.js';
import { canonicalize } from '../../src/model/canonical.js';
import { buildLedger, makeVote } from '../helpers/store-ledger.js';
import { dumpDb, memoryArchive, raw } from '../helpers/store-archive.js';

const W = { workers: 0 };

test('ingest stores a good ledger with its indexes and elections', async () => {
  const l = buildLedger({ voters: 3, blocks: 4 });
  const a = await memoryArchive(l.federation);
  const s = await ingest({ archive: a, docs: raw([l.genesis, ...l.blocks, ...l.votes]), ...W });
  assert.equal(s.byKind.block.new, 5);
  assert.equal(s.byKind.vote.new, 12);
  assert.equal(s.quarantined, 0);
  assert.equal(s.findingsTotal, 0);
  for (const b of l.blocks) {
    assert.equal((await readElection(a.db, b.id))?.status, 'valid');
    assert.deepEqual(await readTxBlocks(a.db, b.block.transactions[0]!.id), [b.id]);
  }
  assert.equal((await readElection(a.db, l.genesis.id))?.status, 'undecided');
  assert.equal(await a.db.get(key('b', l.blocks[0]!.id)), canonicalize(l.blocks[0]));
});

test('ingest is idempotent: the same documents again change nothing', async () => {
  const l = buildLedger({ voters: 2, blocks: 3 });
  const a = await memoryArchive(l.federation);
  await ingest({ archive: a, docs: raw([l.genesis, ...l.blocks, ...l.votes]), ...W });
  const before = await dumpDb(a.db);
  const s = await ingest({ archive: a, docs: raw([...l.votes, l.genesis, ...l.blocks, l.blocks[0]]), ...W });
  assert.equal(s.new, 0);
  assert.equal(s.duplicate, 4 + 6 + 1);
  assert.deepEqual(await dumpDb(a.db), before);
});

test('votes before their block are kept and elected when it arrives (also within one batch)', async () => {
  const l = buildLedger({ voters: 3, blocks: 2 });
  const a = await memoryArchive(l.federation);
  await ingest({ archive: a, docs: raw(l.votes), ...W });
  assert.equal((await readVotesOf(a.db, l.blocks[0]!.id)).votes.length, 3);
  assert.equal(await readElection(a.db, l.blocks[0]!.id), null);
  await ingest({ archive: a, docs: raw([l.genesis, ...l.blocks]), ...W });
  assert.equal((await readElection(a.db, l.blocks[0]!.id))?.status, 'valid');
  const b = await memoryArchive(l.federation);
  await ingest({ archive: b, docs: raw([...l.votes, l.genesis, ...l.blocks]), ...W });
  assert.equal((await readElection(b.db, l.blocks[1]!.id))?.status, 'valid');
});

test('a bad signature or a foreign voter is quarantined, never stored', async () => {
  const l = buildLedger({ voters: 2, blocks: 2 });
  const a = await memoryArchive(l.federation);
  const badBlock = { ...l.blocks[0]!, signature: l.blocks[1]!.signature };
  const badVote = { ...l.votes[0]!, signature: l.votes[1]!.signature };
  const foreign = makeVote(buildLedger({ voters: 1, seed: 'other' }).signers[0]!, l.blocks[0]!.id, l.genesis.id);
  const s = await ingest({ archive: a, docs: raw([badBlock, badVote, foreign]), ...W });
  assert.equal(s.quarantined, 3);
  assert.deepEqual(s.findings.map((f) => f.code).sort(), ['BLOCK_BAD_SIGNATURE', 'VOTE_BAD_SIGNATURE', 'VOTE_UNKNOWN_VOTER']);
  const db = await dumpDb(a.db);
  assert.equal([...db.keys()].filter((k) => k.startsWith('q!')).length, 3);
  assert.equal([...db.keys()].filter((k) => k.startsWith('b!') || k.startsWith('v!')).length, 0);
  const again = await ingest({ archive: a, docs: raw([badBlock]), ...W });
  assert.equal(again.quarantined, 1);
  assert.equal([...(await dumpDb(a.db)).keys()].filter((k) => k.startsWith('q!')).length, 3, 'quarantine is idempotent');
});

test('a different vote by the same voter on the same block is a duplicate vote, reported once, kept apart, never overwriting', async () => {
  const l = buildLedger({ voters: 3, blocks: 2 });
  const a = await memoryArchive(l.federation);
  await ingest({ archive: a, docs: raw([l.genesis, ...l.blocks, ...l.votes]), ...W });
  const other = makeVote(l.signers[0]!, l.blocks[0]!.id, l.genesis.id, false);
  const s = await ingest({ archive: a, docs: raw([other]), ...W });
  assert.equal(s.conflicts, 0);
  assert.equal(s.byKind.vote.new, 1);
  assert.deepEqual(s.findings.map((f) => `${f.code} ${f.doc}`), [`VOTE_DUPLICATE ${l.blocks[0]!.id}/${l.signers[0]!.key}`]);
  const again = await ingest({ archive: a, docs: raw([other]), ...W });
  assert.deepEqual([again.duplicate, again.findingsTotal], [1, 0], 'the same duplicate vote again is a no-op');
  const { votes, duplicates } = await readVotesOf(a.db, l.blocks[0]!.id);
  assert.equal(votes.length, 3);
  assert.equal(duplicates.length, 1);
  assert.equal(votes.find((v) => v.node_pubkey === l.signers[0]!.key)!.vote.is_block_valid, true);
  const e = await readElection(a.db, l.blocks[0]!.id);
  assert.ok(e!.findings.some((f) => f.code === 'VOTE_DUPLICATE'));
  // the same vote with a RethinkDB row id is the same vote
  const withId = { ...l.votes[0]!, id: '7a3c7d4e-0000-4000-8000-000000000000' };
  assert.equal((await ingest({ archive: a, docs: raw([withId], 'votes'), ...W })).duplicate, 1);
});

test('stored-layout blocks are re-coupled with rows arriving before or after them', async () => {
  const l = buildLedger({ voters: 2, blocks: 3 });
  const stripped = [l.genesis, ...l.blocks].map((b) => stripBlock(b, '1.3'));
  const blocks = stripped.map((s) => s.block);
  const assets = stripped.flatMap((s) => s.assets);
  const metadata = stripped.flatMap((s) => s.metadata);
  const a = await memoryArchive(l.federation);
  const docs = [...raw(assets.slice(0, 2), 'assets'), ...raw(blocks, 'bigchain'), ...raw(assets.slice(2), 'assets'), ...raw(metadata, 'metadata'), ...raw(l.votes, 'votes')];
  const s = await ingest({ archive: a, docs, ...W });
  assert.equal(s.byKind.block.new, 4, JSON.stringify(s.findings));
  assert.equal(s.quarantined, 0);
  assert.equal(await a.db.get(key('b', l.blocks[1]!.id)), canonicalize(l.blocks[1]));
  assert.equal(JSON.parse((await a.db.get(key('bm', l.blocks[1]!.id)))!).layout, '1.3');
  // a spill-to-disk run (pendingLimit 1) gives the same archive
  const b = await memoryArchive(l.federation);
  await ingest({ archive: b, docs, ...W, pendingLimit: 1 });
  assert.deepEqual([...(await dumpDb(b.db)).keys()].filter((k) => k.startsWith('b!')), [...(await dumpDb(a.db)).keys()].filter((k) => k.startsWith('b!')));
  assert.equal([...(await dumpDb(b.db)).keys()].filter((k) => k.startsWith('pb!')).length, 0);
});

test('a stored block whose asset row never comes is quarantined as BLOCK_MISSING_ASSET', async () => {
  const l = buildLedger({ voters: 2, blocks: 1 });
  const s0 = stripBlock(l.blocks[0]!, '1.0');
  const a = await memoryArchive(l.federation);
  const s = await ingest({ archive: a, docs: raw([s0.block], 'bigchain'), ...W });
  assert.equal(s.quarantined, 1);
  assert.equal(s.findings[0]!.code, 'BLOCK_MISSING_ASSET');
});

test('verification in worker threads gives the same archive', async () => {
  const l = buildLedger({ voters: 3, blocks: 6, shuffle: true });
  const a = await memoryArchive(l.federation);
  const b = await memoryArchive(l.federation);
  await ingest({ archive: a, docs: raw([l.genesis, ...l.blocks, ...l.votes]), workers: 0 });
  await ingest({ archive: b, docs: raw([l.genesis, ...l.blocks, ...l.votes]), workers: 2, batchDocs: 3 });
  assert.deepEqual(await dumpDb(b.db), await dumpDb(a.db));
});
