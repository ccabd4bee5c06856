/**
 * End to end on fixtures/damaged (its README): every damaged ledger yields EXACTLY its one
 * expected finding through the whole pipeline — init → ingest → gaps — and nothing else;
 * `verify` (no archive, no chain walk) yields it too when the verifier is the judge, and
 * nothing when the gap detector is. The good chain yields none anywhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, json, jsonl } from '../helpers/fixtures.js';
import { cli, blockStatuses, fid, tally, workspace, WORKERS } from './helpers.js';

interface Expected { finding: string | null; doc: string | null; layer?: 'verifier' | 'gap detector'; data?: Record<string, string>; statuses?: Record<string, string> }

const FED = fixture('damaged', 'federation.json');
const NAMES = readdirSync(fixture('damaged')).filter((d) => statSync(fixture('damaged', d)).isDirectory() && d !== 'good').sort();
const ws = workspace('la-e2e-damaged-');
test.after(() => ws.cleanup());

/** init → ingest → gaps → check on a fresh archive; the findings of every step. */
async function pipeline(name: string) {
  const archive = join(ws.dir, name);
  const init = await cli('init', '--archive', archive, '--federation', FED);
  assert.equal(init.code, 0, init.stderr);
  const ingest = await cli('ingest', fixture('damaged', name, 'ledger.ndjson'), '--archive', archive, '--workers', WORKERS);
  const gaps = await cli('gaps', '--archive', archive);
  const check = await cli('check', '--archive', archive, '--workers', '0');
  const status = await cli('status', '--archive', archive);
  return { archive, ingest, gaps, check, status };
}

test('the damaged set is the eight damages of the issue', () => {
  assert.deepEqual(NAMES, ['bad-block-signature', 'bad-vote-signature', 'duplicate-vote', 'forked-vote-chain',
    'missing-block', 'missing-vote', 'vote-outside-federation', 'wrong-block-id']);
});

test('good: verify gives every expected status and no finding; the pipeline gives none', async () => {
  const exp = json<Expected>('damaged', 'good', 'expected.json');
  const v = await cli('verify', fixture('damaged', 'good', 'ledger.ndjson'), '--federation', FED, '--workers', WORKERS);
  assert.equal(v.code, 0, v.stderr);
  assert.deepEqual(v.findings, []);
  assert.deepEqual(blockStatuses(v.events), exp.statuses);
  const p = await pipeline('good');
  assert.deepEqual([...p.ingest.findings, ...p.gaps.findings, ...p.check.findings].map(fid), []);
  assert.deepEqual([p.ingest.code, p.gaps.code, p.check.code, p.status.code], [0, 0, 0, 0]);
  const s = p.status.summary as { statuses: Record<string, number>; counts: { blocks: number; votes: number }; warnings: { code: string }[] };
  const want = tally(Object.values(exp.statuses!));
  assert.deepEqual([s.statuses.valid, s.statuses.invalid, s.statuses.undecided], [want.valid ?? 0, want.invalid ?? 0, want.undecided ?? 0]);
  const docs = jsonl<Record<string, unknown>>('damaged', 'good', 'ledger.ndjson');
  assert.deepEqual([s.counts.blocks, s.counts.votes], [docs.filter((d) => 'block' in d).length, docs.filter((d) => 'vote' in d).length]);
  assert.deepEqual(s.warnings.map((w) => w.code), []);
});

for (const name of NAMES) {
  const exp = json<Expected>('damaged', name, 'expected.json');
  test(`${name}: exactly ${exp.finding} ${exp.doc} through init → ingest → gaps, and from verify when the verifier judges`, async () => {
    const verifierLevel = exp.layer === 'verifier';
    // verify: documents and elections, no chain walk.
    const v = await cli('verify', fixture('damaged', name, 'ledger.ndjson'), '--federation', FED, '--workers', WORKERS);
    assert.deepEqual(v.findings.map(fid), verifierLevel ? [fid(exp)] : [], 'verify findings');
    assert.equal(v.code, verifierLevel ? 1 : 0, v.stderr);

    // The whole pipeline: one finding in all, from the layer that judges it.
    const p = await pipeline(name);
    const all = [...p.ingest.findings, ...p.gaps.findings, ...p.check.findings];
    assert.deepEqual(all.map(fid), [fid(exp)], 'pipeline findings');
    const judge = verifierLevel ? p.ingest : p.gaps;
    assert.equal(judge.findings.length, 1, `${exp.layer} reports it`);
    assert.equal(p.ingest.code, verifierLevel ? 1 : 0, p.ingest.stderr);
    assert.equal(p.gaps.code, verifierLevel ? 0 : 1, p.gaps.stderr);
    assert.equal(p.check.code, 0, 'the archive is consistent at rest');
    assert.equal(p.status.code, 0);

    // What the finding says about the damage.
    const f = all[0] as { data?: Record<string, unknown> };
    if (exp.data?.computed !== undefined) assert.equal(f.data?.computed, exp.data.computed);
    if (exp.finding === 'GAP_MISSING_VOTE') assert.deepEqual([f.data?.block, f.data?.voter], [exp.data!.block, exp.data!.voter]);
    if (exp.finding === 'GAP_FORK') {
      assert.equal(f.data?.voter, exp.data!.voter);
      assert.equal(f.data?.previous, exp.data!.previous_block);
      assert.deepEqual(f.data?.next, exp.data!.votes!.split(' ').map((x) => x.split('/')[0]).sort());
    }
    if (exp.finding === 'GAP_MISSING_BLOCK') assert.ok(Array.isArray(f.data?.namedBy) && (f.data.namedBy as unknown[]).length > 0);

    // The archive's state says the rest without a second finding: quarantine, duplicate votes.
    const g = p.gaps.summary as { duplicates: unknown[]; forks: unknown[]; unreachable: unknown[]; pending: unknown[] };
    const s = p.status.summary as { counts: { quarantined: number; duplicateVotes: number }; warnings: { code: string }[] };
    if (name === 'duplicate-vote') {
      assert.equal(p.ingest.findings[0]!.code, 'VOTE_DUPLICATE', 'ingest reports the duplicate, not a STORE_CONFLICT');
      assert.equal(g.duplicates.length, 1, 'gaps lists the duplicate');
      assert.equal(g.forks.length, 0, 'two votes on one block are no fork');
      assert.equal(s.counts.duplicateVotes, 1, 'both votes are kept');
    }
    const quarantines = ['BLOCK_BAD_SIGNATURE', 'BLOCK_ID_MISMATCH', 'VOTE_BAD_SIGNATURE', 'VOTE_UNKNOWN_VOTER'].includes(exp.finding!);
    assert.equal(s.counts.quarantined, quarantines ? 1 : 0);
    assert.deepEqual([g.unreachable, g.pending], [[], []]);
    assert.deepEqual(s.warnings.map((w) => w.code).sort(), [
      ...(quarantines ? ['QUARANTINE_NOT_EMPTY'] : []), ...(verifierLevel ? [] : ['GAPS_PRESENT'])].sort());

    // Again: idempotent — nothing new is stored and nothing new is found.
    const again = await cli('ingest', fixture('damaged', name, 'ledger.ndjson'), '--archive', p.archive, '--workers', '0');
    assert.equal((again.summary as { new: number }).new, 0);
    assert.deepEqual(again.findings.map(fid), quarantines ? [fid(exp)] : [], 'a quarantined document is refused again, nothing else');
  });
}
