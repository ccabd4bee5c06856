/**
 * `verify` on stored layouts (SPEC.md §13.1): blocks without their assets/metadata are
 * re-coupled with rows that may come before or after them, through a scratch LevelDB that
 * is removed at the end; the result equals verifying the original documents.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { verifyDocuments } from '../../src/ops/verify.js';
import { stripBlock } from '../../src/model/stored.js';
import { openScratchDb, type ScratchDb } from '../../src/store/scratch.js';
import type { Finding } from '../../src/findings.js';
import type { RawDoc } from '../../src/model/documents.js';
import type { Reporter } from '../../src/report/reporter.js';
import { buildLedger, type TestLedger } from '../helpers/store-ledger.js';
import { raw } from '../helpers/store-archive.js';

/** Verify `docs`; the block records and findings, and the scratch folders opened. */
async function run(l: TestLedger, docs: RawDoc[]) {
  const statuses: Record<string, string> = {};
  const findings: Finding[] = [];
  const reporter: Reporter = {
    progress() {}, info() {}, warn() {}, done() {},
    finding: (f) => findings.push(f),
    record: (t, d) => { if (t === 'block') statuses[String(d.id)] = String(d.status); },
  };
  const opened: string[] = [];
  const scratch = async (): Promise<ScratchDb> => {
    const s = await openScratchDb();
    opened.push((s.db as unknown as { location: string }).location);
    return s;
  };
  const report = await verifyDocuments({ docs, federation: l.federation, reporter, workers: 0, scratch });
  return { statuses, findings, report, opened };
}

/** The ledger in v1.3 stored form, in dump order: bigchain, votes, assets, metadata. */
function dumpOf(l: TestLedger): { blocks: RawDoc[]; votes: RawDoc[]; assets: RawDoc[]; metadata: RawDoc[] } {
  const stripped = [l.genesis, ...l.blocks].map((b) => stripBlock(b, '1.3'));
  return {
    blocks: raw(stripped.map((s) => s.block), 'bigchain', 'bigchain'), votes: raw(l.votes, 'votes', 'votes'),
    assets: raw(stripped.flatMap((s) => s.assets), 'assets', 'assets'), metadata: raw(stripped.flatMap((s) => s.metadata), 'metadata', 'metadata'),
  };
}

test('a dump (blocks before their rows) verifies as the original documents do; the scratch folder is removed', async () => {
  const l = buildLedger({ voters: 3, blocks: 5 });
  const original = await run(l, raw([l.genesis, ...l.blocks, ...l.votes]));
  assert.deepEqual(original.opened, [], 'no scratch without stored-layout documents');
  const d = dumpOf(l);
  assert.ok(d.assets.length > 0 && d.metadata.length > 0);
  const r = await run(l, [...d.blocks, ...d.votes, ...d.assets, ...d.metadata]);
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.statuses, original.statuses);
  assert.equal(Object.keys(r.statuses).length, 6);
  assert.deepEqual(r.report.statuses, original.report.statuses);
  assert.deepEqual(r.report.counts.block, { checked: 6, verified: 6, withFindings: 0 });
  assert.deepEqual([r.report.blocksNeedingRows, r.report.votesWithoutBlock], [0, 0]);
  assert.equal(r.opened.length, 1);
  assert.equal(existsSync(r.opened[0]!), false, 'scratch removed');
});

test('a missing assets row: one BLOCK_MISSING_ASSET, the block unverified, its election not reported', async () => {
  const l = buildLedger({ voters: 3, blocks: 3 });
  const d = dumpOf(l);
  const target = l.blocks[1]!;
  const dropped = d.assets.filter((a) => target.block.transactions.some((t) => t.id === (a.doc as { id: string }).id)).slice(0, 1);
  assert.equal(dropped.length, 1);
  const r = await run(l, [...d.blocks, ...d.votes, ...d.assets.filter((a) => !dropped.includes(a)), ...d.metadata]);
  assert.deepEqual(r.findings.map((f) => [f.code, f.doc]), [['BLOCK_MISSING_ASSET', target.id]]);
  assert.equal(r.statuses[target.id], 'unverified');
  assert.deepEqual([r.report.blocksNeedingRows, r.report.counts.block.withFindings], [1, 1]);
  assert.equal(r.report.statuses.valid, l.blocks.length - 1);
});

test('a different row under an id already given: the first is used, the second reported', async () => {
  const l = buildLedger({ voters: 2, blocks: 2 });
  const d = dumpOf(l);
  const first = d.assets[1]!;
  const forged: RawDoc = { ...first, doc: { ...(first.doc as object), data: { forged: true } }, origin: 'assets#forged' };
  const r = await run(l, [...d.blocks, ...d.assets, forged, ...d.metadata, ...d.votes]);
  assert.deepEqual(r.findings.map((f) => [f.code, f.doc]), [['STORE_CONFLICT', (first.doc as { id: string }).id]]);
  assert.ok(Object.values(r.statuses).every((s) => s !== 'unverified'));
});

test('property: any order of blocks, rows and votes gives the statuses of the original documents', async () => {
  const l = buildLedger({ voters: 3, blocks: 4, shuffle: true });
  const want = (await run(l, raw([l.genesis, ...l.blocks, ...l.votes]))).statuses;
  const d = dumpOf(l);
  const all = [...d.blocks, ...d.votes, ...d.assets, ...d.metadata];
  await fc.assert(fc.asyncProperty(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), async (docs) => {
    const r = await run(l, docs);
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.statuses, want);
  }), { numRuns: 25 });
});
