import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pull } from '../../src/ops/pull.js';
import { planRebuild, parseUntil } from '../../src/rebuild/plan.js';
import { rebuild } from '../../src/ops/rebuild.js';
import { MARKER_TABLE } from '../../src/rebuild/rethinkdb.js';
import { voteRowId } from '../../src/rebuild/rows.js';
import { noopReporter } from '../../src/report/reporter.js';
import { describeServers, type TestServer } from '../helpers/rethink-servers.js';
import { memoryArchive } from '../helpers/store-archive.js';
import { archiveOf, comparable, firstDifference, idsOf } from './helpers.js';
import { federationOf, rethinkUrl, smallLedger } from '../pull/helpers.js';

const W = { workers: 0 };

describe('rebuild plan', () => {
  const l = smallLedger({ seed: 'rebuild-plan', blocks: 12, invalidAt: [6], undecided: [1, 0] });
  const tail = l.blocks.slice(-2).map((b) => b.id).sort();

  it('keeps blocks up to the last VALID one in vote-chain order, lists the undecided tail with its reason', async () => {
    const a = await archiveOf(l, '1.3');
    const plan = await planRebuild({ archive: a });
    assert.equal(plan.layout, '1.3');
    assert.equal(plan.layoutFrom, 'archive');
    assert.deepEqual(plan.leftOut.map((b) => b.id).sort(), tail);
    assert.ok(plan.leftOut.every((b) => b.reason === 'after-last-valid' && b.status === 'undecided'));
    assert.equal(plan.tables.bigchain, l.blocks.length - 2);
    assert.equal(plan.tables.backlog, 0);
    const tailVotes = l.votes.filter((v) => tail.includes(v.vote.voting_for_block)).length;
    assert.equal(plan.votesLeftOut, tailVotes);
    assert.equal(plan.tables.votes, l.votes.length - tailVotes);
    assert.equal(plan.statuses.invalid, 1, 'the invalid block before the last valid one is history: kept');
    assert.equal(plan.gaps.first, null);
  });

  it('--keep-undecided keeps everything', async () => {
    const plan = await planRebuild({ archive: await archiveOf(l, '1.0'), keepUndecided: true, countRows: true });
    assert.equal(plan.leftOut.length, 0);
    assert.equal(plan.tables.bigchain, l.blocks.length);
    assert.equal(plan.tables.votes, l.votes.length);
    assert.equal(plan.tables.metadata, undefined, '1.0 has no metadata table');
    const creates = l.blocks.flatMap((b) => b.block.transactions).filter((t) => t.operation !== 'TRANSFER');
    assert.equal(plan.tables.assets, new Set(creates.map((t) => t.id)).size);
  });

  it('--until TIMESTAMP: blocks and votes up to then, elections recomputed', async () => {
    const a = await archiveOf(l, '1.3');
    const cutBlock = l.blocks[6]!;
    const t = cutBlock.block.timestamp;
    const plan = await planRebuild({ archive: a, until: parseUntil(t), keepUndecided: true });
    const want = l.blocks.filter((b) => BigInt(b.block.timestamp) <= BigInt(t)).map((b) => b.id).sort();
    assert.deepEqual([...plan.keep].sort(), want);
    assert.ok(plan.leftOut.every((b) => b.reason === 'after-until'));
    const votes = l.votes.filter((v) => want.includes(v.vote.voting_for_block) && BigInt(v.vote.timestamp) <= BigInt(t)).length;
    assert.equal(plan.tables.votes, votes);
    // The cut block itself had no vote yet at its own timestamp: undecided then.
    assert.ok(plan.statuses.undecided >= 1);
  });

  it('--until BLOCK_ID: the ledger once that block had all its votes; unknown ids are a usage error', async () => {
    const a = await archiveOf(l, '1.3');
    const b = l.blocks[5]!;
    const plan = await planRebuild({ archive: a, until: parseUntil(b.id) });
    assert.ok(plan.keep.has(b.id));
    const lastVote = l.votes.filter((v) => v.vote.voting_for_block === b.id).map((v) => BigInt(v.vote.timestamp)).reduce((x, y) => (y > x ? y : x));
    assert.equal(plan.until?.timestamp, String(lastVote));
    await assert.rejects(planRebuild({ archive: a, until: parseUntil('ab'.repeat(32)) }), { code: 'LEDGER_USAGE' });
    assert.throws(() => parseUntil('yesterday'), { code: 'LEDGER_USAGE' });
    assert.deepEqual(parseUntil('1970-01-01T00:01:40Z'), { timestamp: '100' });
  });

  it('gaps: the plan stops at the first gap unless --allow-gaps', async () => {
    const lost = l.blocks[5]!;
    const a = await archiveOf(l, '1.3', l.blocks.filter((b) => b !== lost));
    const plan = await planRebuild({ archive: a, keepUndecided: true });
    assert.equal(plan.gaps.stopped, true);
    assert.ok((plan.gaps.byCode.GAP_MISSING_BLOCK ?? 0) >= 1);
    assert.ok(plan.leftOut.some((b) => b.reason === 'after-gap'));
    const later = l.blocks.filter((b) => BigInt(b.block.timestamp) > BigInt(lost.block.timestamp));
    for (const b of later) assert.ok(!plan.keep.has(b.id), `block ${b.id} after the gap is left out`);
    const allowed = await planRebuild({ archive: a, keepUndecided: true, allowGaps: true });
    assert.equal(allowed.gaps.stopped, false);
    assert.equal(allowed.keep.size, l.blocks.length - 1);
  });
});

const targetLedger = smallLedger({ seed: 'rebuild-targets', blocks: 10, invalidAt: [5] });

describeServers('rebuild into RethinkDB', (server) => {
  let d: TestServer;
  let tmp: string;
  const l = targetLedger;
  before(() => { d = server(); tmp = mkdtempSync(join(tmpdir(), 'la-rebuild-')); });
  after(() => { rmSync(tmp, { recursive: true, force: true }); });

  it('RethinkDB: creates schema and indexes, writes, reads back equal, marks complete; pulling back gives the same archive', async () => {
    const a = await archiveOf(l, '1.3');
    const r = await rebuild({ archive: a, to: rethinkUrl(d, 'rb1'), keepUndecided: true, env: d.env() });
    assert.equal(r.check?.equal, true, JSON.stringify(r.check?.differences));
    assert.equal(r.marker, 'complete');
    assert.deepEqual(await d.indexes('rb1', 'bigchain'), ['asset_id', 'block_timestamp', 'inputs', 'outputs', 'transaction_id']);
    assert.deepEqual(await d.indexes('rb1', 'votes'), ['block_and_voter']);
    assert.equal((await d.rows('rb1', 'backlog')).length, 0);
    assert.equal((await d.rows('rb1', MARKER_TABLE))[0]?.state, 'complete');
    const back = await memoryArchive(federationOf(l));
    const p = await pull({ archive: back, from: rethinkUrl(d, 'rb1'), selection: { all: true }, ...W, env: d.env() });
    assert.equal(p.summary.quarantined, 0);
    const [x, y] = [await comparable(a.db), await comparable(back.db)];
    assert.equal(firstDifference(x, y), 'none');
  });

  it('RethinkDB: votes without a row id get a deterministic UUID', async () => {
    const a = await archiveOf(l, '0.10', l.blocks, l.votes, false);
    const r = await rebuild({ archive: a, to: rethinkUrl(d, 'rb2'), env: d.env() });
    assert.equal(r.check?.equal, true);
    const ids = new Set((await d.rows('rb2', 'votes')).map((v) => v.id));
    const kept = l.votes.filter((v) => r.plan.keep.has(v.vote.voting_for_block));
    assert.deepEqual(ids, new Set(kept.map((v) => voteRowId(v))));
    assert.match([...ids][0] as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual((await d.indexes('rb2', 'bigchain')).length, 5);
    await assert.rejects(d.rows('rb2', 'assets'), 'a 0.10 database has no assets table');
  });

  it('refuses a non-empty database without --force; --force rewrites it and checks', async () => {
    const a = await archiveOf(l, '1.3');
    await rebuild({ archive: a, to: rethinkUrl(d, 'rb3'), env: d.env() });
    await assert.rejects(rebuild({ archive: a, to: rethinkUrl(d, 'rb3'), env: d.env() }), { code: 'LEDGER_TARGET', message: /not empty/ });
    const again = await rebuild({ archive: a, to: rethinkUrl(d, 'rb3'), force: true, env: d.env() });
    assert.equal(again.check?.equal, true);
    // A forced rebuild of less over more: the rows it does not hold are named, the marker says so.
    const less = await rebuild({ archive: a, to: rethinkUrl(d, 'rb3'), force: true, until: l.blocks[4]!.block.timestamp, env: d.env() });
    assert.equal(less.check?.equal, false);
    assert.ok(less.check!.differences.some((x) => x.kind === 'unexpected' && x.table === 'bigchain'));
    assert.equal(less.marker, 'check-failed');
    assert.equal((await d.rows('rb3', MARKER_TABLE))[0]?.state, 'check-failed');
  });

  it('--dry-run writes nothing (database or file) and reports whether the target is empty', async () => {
    const a = await archiveOf(l, '1.3');
    const r = await rebuild({ archive: a, to: rethinkUrl(d, 'rb4'), dryRun: true, env: d.env() });
    assert.equal(r.dryRun, true);
    assert.equal(r.targetEmpty, true);
    assert.equal(r.written, null);
    assert.ok(r.plan.tables.assets !== null && r.plan.tables.metadata !== null, 'dry runs count every table');
    await assert.rejects(d.rows('rb4', 'bigchain'));
    const file = join(tmp, 'dry.tar.gz');
    await rebuild({ archive: a, to: file, dryRun: true });
    assert.equal(existsSync(file), false);
  });

  it('a failure in the middle of writing leaves the target marked incomplete', async () => {
    const a = await archiveOf(l, '1.3');
    const reporter = { ...noopReporter, progress: (p: { phase: string }) => { if (p.phase === 'write bigchain') d.dropConnections(); } };
    await assert.rejects(rebuild({ archive: a, to: rethinkUrl(d, 'rb5'), reporter, batch: 2, env: d.env() }), { code: 'LEDGER_TARGET' });
    assert.equal((await d.rows('rb5', MARKER_TABLE))[0]?.state, 'incomplete');
    assert.ok((await d.rows('rb5', 'bigchain')).length < l.blocks.length);
  });
}, { real: { password: 'rebuild-real-pw' } });

describe('rebuild to files', () => {
  let tmp: string;
  const l = targetLedger;
  before(() => { tmp = mkdtempSync(join(tmpdir(), 'la-rebuild-')); });
  after(() => { rmSync(tmp, { recursive: true, force: true }); });

  it('an interrupted rebuild is LEDGER_ABORTED and leaves no dump file', async () => {
    const a = await archiveOf(l, '1.3');
    const file = join(tmp, 'aborted.tar.gz');
    await assert.rejects(rebuild({ archive: a, to: file, signal: AbortSignal.abort() }), { code: 'LEDGER_ABORTED' });
    assert.equal(existsSync(file), false);
  });

  it('an unreachable target is LEDGER_TARGET', async () => {
    const a = await archiveOf(l, '1.3');
    await assert.rejects(rebuild({ archive: a, to: 'rethinkdb://127.0.0.1:1/x', timeoutSeconds: 2, env: {} }), { code: 'LEDGER_TARGET' });
  });

  it('dump file: restore structure, empty index lists; pulling from the file gives the same archive', async () => {
    for (const layout of ['1.3', '1.0', '0.9'] as const) {
      const a = await archiveOf(l, layout);
      const file = join(tmp, `rebuild-${layout}.tar.gz`);
      const r = await rebuild({ archive: a, to: file, keepUndecided: true, db: 'bigchain' });
      assert.equal(r.written?.bigchain, l.blocks.length);
      assert.equal(r.written?.backlog, 0);
      const back = await memoryArchive(federationOf(l));
      const p = await pull({ archive: back, from: file, ...W });
      assert.equal(p.summary.quarantined, 0, JSON.stringify(p.summary.findings.slice(0, 2)));
      // A file does not say its layout: pull records it only for blocks that needed rows put back.
      assert.equal(firstDifference(await comparable(a.db, true), await comparable(back.db, true)), 'none', layout);
      assert.deepEqual(await idsOf(back.db, 'b'), await idsOf(a.db, 'b'));
    }
  });
});
