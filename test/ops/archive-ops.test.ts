import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { ingest } from '../../src/ops/ingest.js';
import { findGaps } from '../../src/ops/gaps.js';
import { status } from '../../src/ops/status.js';
import { show, type ShownBlock, type ShownTx, type ShownVote } from '../../src/ops/show.js';
import { check } from '../../src/ops/check.js';
import { repairIndexes } from '../../src/ops/repair-indexes.js';
import { key } from '../../src/store/schema.js';
import { buildLedger, makeVote, type TestLedger } from '../helpers/store-ledger.js';
import { memoryArchive, raw } from '../helpers/store-archive.js';

const W = { workers: 0 };

async function archiveOf(l: TestLedger, drop: { blocks?: string[]; votes?: string[] } = {}) {
  const a = await memoryArchive(l.federation);
  const blocks = [l.genesis, ...l.blocks].filter((b) => !(drop.blocks ?? []).includes(b.id));
  const votes = l.votes.filter((v) => !(drop.votes ?? []).includes(`${v.vote.voting_for_block}/${v.node_pubkey}`));
  await ingest({ archive: a, docs: raw([...blocks, ...votes]), source: { name: 'test-file' }, ...W });
  return a;
}

test('gaps: a good archive has none and is complete through its newest block', async () => {
  const l = buildLedger({ voters: 3, blocks: 6, shuffle: true });
  const r = await findGaps({ archive: await archiveOf(l) });
  assert.deepEqual(r.findings, []);
  assert.equal(r.genesis, l.genesis.id);
  for (const v of r.voters) assert.equal(v.depth, 6);
});

test('gaps: each damage gives exactly its finding', async () => {
  const l = buildLedger({ voters: 3, blocks: 6 });
  const b2 = l.blocks[2]!.id;
  const v1 = l.signers[1]!.key;
  const missingBlock = await findGaps({ archive: await archiveOf(l, { blocks: [b2] }) });
  assert.deepEqual(missingBlock.findings.map((f) => [f.code, f.doc]), [['GAP_MISSING_BLOCK', b2]]);
  assert.deepEqual(missingBlock.missingBlocks[0]!.namedBy, [...l.signers.map((s) => s.key)].sort());
  assert.equal(missingBlock.completeThroughTimestamp, l.blocks[1]!.block.timestamp);
  const missingVote = await findGaps({ archive: await archiveOf(l, { votes: [`${b2}/${v1}`] }) });
  assert.deepEqual(missingVote.findings.map((f) => [f.code, f.doc]), [['GAP_MISSING_VOTE', `${b2}/${v1}`]]);
  const noGenesis = await findGaps({ archive: await archiveOf(l, { blocks: [l.genesis.id] }) });
  assert.deepEqual(noGenesis.findings.map((f) => [f.code, f.doc]), [['GAP_MISSING_BLOCK', l.genesis.id]]);
  // fork and duplicate vote
  const a = await archiveOf(l);
  const fork = makeVote(l.signers[0]!, l.blocks[4]!.id, l.blocks[2]!.id, true, 1_500_003_000);
  // (a second vote on block 4: ingest reports it as VOTE_DUPLICATE; gaps lists it and reports the fork)
  const dup = await ingest({ archive: a, docs: raw([fork]), ...W });
  assert.deepEqual(dup.findings.map((f) => f.code), ['VOTE_DUPLICATE']);
  const forked = await findGaps({ archive: a });
  assert.deepEqual(forked.findings.map((f) => f.code).sort(), ['GAP_FORK']);
  assert.deepEqual(forked.duplicates, [{ voter: l.signers[0]!.key, block: l.blocks[4]!.id, count: 2 }]);
  // the newest block before anyone voted on it: pending, not a gap
  const extra = buildLedger({ voters: 3, blocks: 7 });
  const votesOn = (...ids: string[]): string[] => extra.votes.filter((v) => ids.includes(v.vote.voting_for_block)).map((v) => `${v.vote.voting_for_block}/${v.node_pubkey}`);
  const newest = extra.blocks[6]!.id;
  const b = await archiveOf(extra, { votes: votesOn(newest) });
  const pending = await findGaps({ archive: b });
  assert.deepEqual([pending.findings, pending.pending, pending.unreachable], [[], [newest], []]);
  // an unreachable block: nobody votes on it or names it, and the chains went on past it
  const skipped = extra.blocks[5]!.id;
  const c = await archiveOf(extra, { votes: votesOn(skipped, newest) });
  await ingest({ archive: c, docs: raw(extra.signers.map((s) => makeVote(s, newest, extra.blocks[4]!.id, true, 1_500_009_000))), ...W });
  const unreachable = await findGaps({ archive: c });
  assert.deepEqual(unreachable.findings.map((f) => [f.code, f.doc]), [['GAP_UNREACHABLE_BLOCK', skipped]]);
  assert.deepEqual(unreachable.pending, []);
});

test('gaps: a selective archive names blocks outside the selection instead of gaps', async () => {
  const l = buildLedger({ voters: 2, blocks: 4 });
  const a = await archiveOf(l, { blocks: [l.blocks[0]!.id, l.blocks[1]!.id] });
  await a.db.put(key('meta', 'selection'), JSON.stringify({ tx: ['x'] }));
  const r = await findGaps({ archive: a });
  assert.deepEqual(r.findings.map((f) => f.code), ['GAP_OUTSIDE_SELECTION', 'GAP_OUTSIDE_SELECTION']);
});

test('status: counts, sources and warnings', async () => {
  const l = buildLedger({ voters: 3, blocks: 3 });
  const a = await archiveOf(l, { votes: [`${l.blocks[0]!.id}/${l.signers[2]!.key}`] });
  const s = await status({ archive: a, now: new Date(Date.now() + 2 * 86_400_000) });
  assert.equal(s.counts.blocks, 4);
  assert.equal(s.counts.votes, 8);
  assert.equal(s.counts.transactions, 4);
  assert.deepEqual(s.statuses, { valid: 3, invalid: 0, undecided: 1, unelected: 0 });
  assert.equal(s.sources[0]!.name, 'test-file');
  assert.deepEqual(s.warnings.map((w) => w.code).sort(), ['GAPS_PRESENT', 'STALE']);
  const fresh = await status({ archive: await memoryArchive(l.federation) });
  assert.deepEqual(fresh.warnings.map((w) => w.code), ['NEVER_PULLED']);
});

test('show: block with votes and status, vote, tx with its blocks', async () => {
  const l = buildLedger({ voters: 2, blocks: 2 });
  const a = await archiveOf(l);
  const b = await show({ archive: a, kind: 'block', id: l.blocks[0]!.id }) as ShownBlock;
  assert.equal(b.election?.status, 'valid');
  assert.equal(b.votes.length, 2);
  const v = await show({ archive: a, kind: 'vote', id: `${l.blocks[0]!.id}/${l.signers[0]!.key}` }) as ShownVote;
  assert.equal(v.blockStatus, 'valid');
  const tx = await show({ archive: a, kind: 'tx', id: l.blocks[1]!.block.transactions[0]!.id }) as ShownTx;
  assert.deepEqual(tx.blocks.map((x) => x.id), [l.blocks[1]!.id]);
  assert.equal(tx.status, 'valid');
  assert.equal(await show({ archive: a, kind: 'block', id: 'f'.repeat(64) }), null);
});

test('check: a good archive passes; a value changed at rest is found and named', async () => {
  const l = buildLedger({ voters: 2, blocks: 3 });
  const a = await archiveOf(l);
  assert.deepEqual((await check({ archive: a, ...W })).findings, []);
  const bk = key('b', l.blocks[1]!.id);
  await a.db.put(bk, (await a.db.get(bk))!.replace('"n":1', '"n":7'));
  const vk = key('v', l.blocks[0]!.id, l.signers[0]!.key);
  await a.db.put(vk, (await a.db.get(vk))!.replace('"is_block_valid":true', '"is_block_valid":false'));
  const r = await check({ archive: a, ...W });
  assert.equal(r.ok, false);
  const docs = new Set(r.findings.filter((f) => f.code === 'STORE_CORRUPT').map((f) => f.doc));
  assert.ok(docs.has(bk), JSON.stringify(r.findings));
  assert.ok(docs.has(vk));
});

test('check: missing and stray index entries and a stale election; repair rebuilds them', async () => {
  const l = buildLedger({ voters: 2, blocks: 3 });
  const a = await archiveOf(l);
  const txKey = key('tx', l.blocks[0]!.block.transactions[0]!.id, l.blocks[0]!.id);
  await a.db.del(txKey);
  await a.db.put(key('ow', 'Stray', 'f'.repeat(64), 'e'.repeat(64)), '');
  await a.db.put(key('es', l.blocks[2]!.id), JSON.stringify({ status: 'invalid' }));
  const r = await check({ archive: a, ...W });
  assert.deepEqual(r.findings.map((f) => f.doc).sort(), [key('es', l.blocks[2]!.id), key('ow', 'Stray', 'f'.repeat(64), 'e'.repeat(64)), txKey].sort());
  await repairIndexes({ archive: a });
  assert.deepEqual((await check({ archive: a, ...W })).findings, []);
});
