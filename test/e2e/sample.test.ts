/**
 * End to end on the shipped sample ledger (fixtures/sample), both as NDJSON of original
 * documents and as the BigchainDB 1.3 `rethinkdb dump` (stored layout: bigchain before
 * assets and metadata): verify reports every block's expected status with zero findings;
 * init → ingest → status, gaps, show, check all agree with expected.json; a second ingest
 * is a no-op. And the newest block, before anyone has voted on it, is pending, not a gap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, json } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';
import { parseJson } from '../../src/model/json.js';
import { cli, blockStatuses, tally, workspace, WORKERS } from './helpers.js';

interface SampleExpected { counts: Record<'blocks' | 'votes' | 'transactions' | 'valid' | 'invalid' | 'undecided', number>; statuses: Record<string, string> }
interface Doc { id?: string; block?: { transactions: { id: string }[] }; vote?: { voting_for_block: string }; node_pubkey?: string }

const FED = fixture('sample', 'federation.json');
const expected = json<SampleExpected>('sample', 'expected.json');
const lines = readFileSync(fixture('sample', 'ledger.ndjson'), 'utf8').split('\n').filter((l) => l.trim() !== '');
const docs = lines.map((l) => parseJson(l) as Doc);
const blocks = docs.filter((d) => d.block !== undefined);
const votes = docs.filter((d) => d.vote !== undefined);
const ws = workspace('la-e2e-sample-');
test.after(() => ws.cleanup());

/** Transaction id → the blocks holding it (from the fixture, independently of the archive). */
const txBlocks = new Map<string, string[]>();
for (const b of blocks) for (const tx of b.block!.transactions) txBlocks.set(tx.id, [...(txBlocks.get(tx.id) ?? []), b.id!]);

test('the fixture agrees with expected.json (what the checks below compare against)', () => {
  assert.equal(blocks.length, expected.counts.blocks);
  assert.equal(votes.length, expected.counts.votes);
  // expected.json counts transactions in blocks after genesis (its GENESIS transaction aside).
  const genesis = blocks[0]!.id!;
  assert.equal([...txBlocks.values()].reduce((n, b) => n + b.filter((id) => id !== genesis).length, 0), expected.counts.transactions);
  assert.deepEqual(Object.keys(expected.statuses).sort(), blocks.map((b) => b.id!).sort());
  const t = tally(Object.values(expected.statuses));
  assert.deepEqual([t.valid, t.invalid, t.undecided], [expected.counts.valid, expected.counts.invalid, expected.counts.undecided]);
});

const SOURCES = [
  ['NDJSON', fixture('sample', 'ledger.ndjson')],
  ['dump (v1.3 stored layout)', fixture('sample', 'rethinkdb_dump_2017-11-06T10-00-00.tar.gz')],
] as const;

for (const [label, file] of SOURCES) {
  test(`sample ${label}: verify reports every block's expected status and zero findings`, async () => {
    const v = await cli('verify', file, '--federation', FED, '--workers', WORKERS);
    assert.equal(v.code, 0, v.stderr);
    assert.deepEqual(v.findings, []);
    assert.deepEqual(blockStatuses(v.events), expected.statuses);
    const s = v.summary as { counts: Record<string, { checked: number; verified: number }>; statuses: Record<string, number>; votesWithoutBlock: number; blocksNeedingRows: number };
    assert.deepEqual(s.counts.block, { checked: blocks.length, verified: blocks.length, withFindings: 0 });
    assert.deepEqual(s.counts.vote, { checked: votes.length, verified: votes.length, withFindings: 0 });
    assert.deepEqual(s.statuses, { valid: expected.counts.valid, invalid: expected.counts.invalid, undecided: expected.counts.undecided });
    assert.deepEqual([s.votesWithoutBlock, s.blocksNeedingRows], [0, 0]);
  });

  test(`sample ${label}: init → ingest → status, gaps, show, check; ingest again stores nothing`, async () => {
    const archive = join(ws.dir, label.split(' ')[0]!);
    assert.equal((await cli('init', '--archive', archive, '--federation', FED)).code, 0);
    const ing = await cli('ingest', file, '--archive', archive, '--workers', WORKERS);
    assert.equal(ing.code, 0, ing.stderr);
    assert.deepEqual(ing.findings, []);
    const is = ing.summary as { byKind: Record<string, { new: number }>; quarantined: number; conflicts: number };
    assert.deepEqual([is.byKind.block!.new, is.byKind.vote!.new, is.quarantined, is.conflicts], [blocks.length, votes.length, 0, 0]);

    const st = await cli('status', '--archive', archive, '--strict');
    assert.equal(st.code, 0, JSON.stringify(st.summary));
    const s = st.summary as { counts: Record<string, number>; statuses: Record<string, number>; gaps: { findings: number; pending: number }; warnings: unknown[]; sources: { name: string }[] };
    assert.deepEqual(s.counts, { blocks: expected.counts.blocks, votes: expected.counts.votes, duplicateVotes: 0, transactions: txBlocks.size, quarantined: 0, pendingBlocks: 0 });
    assert.deepEqual(s.statuses, { valid: expected.counts.valid, invalid: expected.counts.invalid, undecided: expected.counts.undecided, unelected: 0 });
    assert.deepEqual([s.gaps.findings, s.gaps.pending, s.warnings], [0, 0, []]);
    assert.equal(s.sources.length, 1);

    const g = await cli('gaps', '--archive', archive);
    assert.equal(g.code, 0);
    assert.deepEqual(g.findings, []);
    const gs = g.summary as { missingBlocks: unknown[]; missingVotes: unknown[]; forks: unknown[]; unreachable: unknown[]; pending: unknown[]; voters: { depth: number }[]; completeThroughTimestamp: string | null };
    assert.deepEqual([gs.missingBlocks, gs.missingVotes, gs.forks, gs.unreachable, gs.pending], [[], [], [], [], []]);
    assert.equal(gs.voters.length, 4);
    assert.notEqual(gs.completeThroughTimestamp, null);

    // show: every block that is not valid and a few valid ones, by their expected status.
    const ids = Object.keys(expected.statuses);
    const pick = [...ids.filter((id) => expected.statuses[id] !== 'valid'), ...ids.filter((id) => expected.statuses[id] === 'valid').slice(0, 4)];
    for (const id of pick) {
      const r = await cli('show', 'block', id, '--archive', archive);
      assert.equal(r.code, 0);
      const b = r.summary as { block: { id: string }; election: { status: string } | null; votes: unknown[] };
      assert.equal(b.block.id, id);
      assert.equal(b.election?.status ?? 'undecided', expected.statuses[id], id);
      assert.equal(b.votes.length, votes.filter((v) => v.vote!.voting_for_block === id).length);
    }
    const human = await runCli(['show', 'block', pick[0]!, '--archive', archive, '--canonical']);
    assert.equal(human.stdout.split('\n')[0], lines.find((l) => l.includes(`"id":"${pick[0]}"`) && l.startsWith('{"block"')));
    const v0 = votes[0]!;
    const sv = await cli('show', 'vote', `${v0.vote!.voting_for_block}/${v0.node_pubkey!}`, '--archive', archive);
    assert.equal(sv.code, 0);
    assert.deepEqual((sv.summary as { vote: { node_pubkey: string }; blockPresent: boolean }).blockPresent, true);
    // A transaction of an invalid block that landed again in the next block: valid, in two blocks.
    const [txId, holders] = [...txBlocks].find(([, bs]) => bs.length === 2 && bs.some((b) => expected.statuses[b] === 'invalid'))!;
    const tx = await cli('show', 'tx', txId, '--archive', archive);
    assert.equal(tx.code, 0);
    const ts = tx.summary as { status: string; blocks: { id: string; status: string }[] };
    assert.equal(ts.status, 'valid');
    assert.deepEqual(ts.blocks.map((b) => [b.id, b.status]).sort(), holders.map((b) => [b, expected.statuses[b]]).sort());
    assert.equal((await cli('show', 'tx', '0'.repeat(64), '--archive', archive)).code, 1, 'not held: exit 1');

    const ck = await cli('check', '--archive', archive, '--workers', WORKERS);
    assert.equal(ck.code, 0);
    assert.deepEqual(ck.findings, []);
    assert.equal((ck.summary as { ok: boolean }).ok, true);

    const again = await cli('ingest', file, '--archive', archive, '--workers', WORKERS);
    assert.equal(again.code, 0);
    assert.deepEqual(again.findings, []);
    const as = again.summary as { new: number; duplicate: number; quarantined: number; conflicts: number };
    assert.deepEqual([as.new, as.quarantined, as.conflicts], [0, 0, 0]);
    assert.ok(as.duplicate >= blocks.length + votes.length);
    const st2 = (await cli('status', '--archive', archive)).summary as { counts: Record<string, number> };
    assert.deepEqual(st2.counts, s.counts, 'the second ingest changed nothing');
  });
}

test('sample cut before anyone voted on its newest block: that block is pending, not a gap', async () => {
  const lastBlock = blocks.at(-1)!.id!;
  const cut = lines.filter((l, i) => !(docs[i]!.vote?.voting_for_block === lastBlock));
  const file = join(ws.dir, 'unvoted.ndjson');
  writeFileSync(file, `${cut.join('\n')}\n`);
  const archive = join(ws.dir, 'unvoted');
  assert.equal((await cli('init', '--archive', archive, '--federation', FED)).code, 0);
  assert.equal((await cli('ingest', file, '--archive', archive, '--workers', WORKERS)).code, 0);
  const g = await cli('gaps', '--archive', archive);
  assert.equal(g.code, 0);
  assert.deepEqual(g.findings, []);
  assert.deepEqual((g.summary as { pending: string[]; unreachable: string[] }).pending, [lastBlock]);
  assert.deepEqual((g.summary as { unreachable: string[] }).unreachable, []);
  const st = await cli('status', '--archive', archive, '--strict');
  assert.equal(st.code, 0, 'pending is normal on a live ledger: no warning');
  assert.equal((st.summary as { gaps: { pending: number } }).gaps.pending, 1);
  const human = await runCli(['status', '--archive', archive]);
  assert.match(human.stdout, /1 newest block\(s\) pending/);
});
