import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { ElectionTracker } from '../../src/verify/election-tracker.js';
import { buildLedger, makeVote, signer } from '../helpers/store-ledger.js';

// The tracker forgets a decided block's votes but not who voted (compactly): a later vote by
// one of them is a duplicate, by anyone else it is not (SPEC.md §7.5).
test('late votes on decided blocks: duplicates by the voters counted, none by others, in any order', () => {
  const l = buildLedger({ voters: 3, blocks: 4 });
  const all = l.blocks; // (the builder's genesis has no votes)
  fc.assert(fc.property(fc.shuffledSubarray([...all.map((b) => ({ b })), ...l.votes.map((v) => ({ v }))], { minLength: all.length + l.votes.length }), (order) => {
    const t = new ElectionTracker(l.federation);
    let decided = 0;
    for (const x of order) {
      if ('b' in x) decided += t.addBlock(x.b.id, x.b.block.voters, x.b.block.timestamp) === null ? 0 : 1;
      else decided += t.addVote(x.v, true).decided === null ? 0 : 1;
    }
    assert.equal(decided, all.length);
    for (const b of all) {
      // a second vote by a counted voter (another verdict, so other bytes)
      const again = makeVote(l.signers[1]!, b.id, b.id, false);
      assert.deepEqual(t.addVote(again, true).late.map((f) => [f.code, f.data?.voter]), [['VOTE_DUPLICATE', l.signers[1]!.key]]);
      assert.deepEqual(t.addVote(again, false).late, [], 'a vote whose signature fails is not counted');
      const outsider = signer('outsider');
      assert.deepEqual(t.addVote(makeVote(outsider, b.id, b.id), true).late, []);
      assert.equal(t.addBlock(b.id, b.block.voters, b.block.timestamp), null, 'a decided block is not opened again');
    }
  }), { numRuns: 30 });
});

test('voters outside the federation with a good signature are remembered too', () => {
  const l = buildLedger({ voters: 2, blocks: 1 });
  const b = l.blocks[0]!;
  const outsider = signer('outsider');
  const t = new ElectionTracker(l.federation);
  t.addBlock(b.id, b.block.voters, b.block.timestamp);
  t.addVote(makeVote(outsider, b.id, b.id), true);
  for (const v of l.votes.filter((v) => v.vote.voting_for_block === b.id)) t.addVote(v, true);
  assert.deepEqual(t.addVote(makeVote(outsider, b.id, b.id, false), true).late.map((f) => f.code), ['VOTE_DUPLICATE']);
});
