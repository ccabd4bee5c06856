/**
 * The vote judgements of SPEC.md §24.4 as properties over generated block audits, and the
 * decision time of §24.2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { judgeVote, type BlockAudit } from '../../src/audit/judge-vote.js';
import { decidedAt } from '../../src/audit/ledger-index.js';
import type { Conflict, OtherBlock, TxAudit, TxProblem } from '../../src/audit/check-tx.js';
import type { Vote } from '../../src/model/types.js';

const status = fc.constantFrom('valid' as const, 'invalid' as const, 'undecided' as const);
const other = fc.record({ block: fc.string({ minLength: 4, maxLength: 4 }), status, ts: fc.integer({ min: 0, max: 100 }), decidedAt: fc.option(fc.integer({ min: 0, max: 100 })) }) as fc.Arbitrary<OtherBlock>;
const conflict = fc.tuple(other, fc.constantFrom('spend' as const, 'holding' as const)).map(([o, kind]): Conflict => ({ ...o, kind, tx: 'x', output: 'c:0' }));
const always = fc.constantFrom('AUDIT_AMOUNT_MISMATCH' as const, 'AUDIT_ASSET_MISMATCH' as const, 'AUDIT_CONDITION_MISMATCH' as const, 'AUDIT_CLIENT_GENESIS' as const)
  .map((code): TxProblem => ({ code, tx: 'x', message: code, always: true, evidence: {} }));
const audit = (txs: TxAudit[], selective = false): BlockAudit => ({ id: 'b', status: 'valid', txs, selective, unreplayable: 0 });
const t = fc.integer({ min: 0, max: 100 });

test('a block breaking a rule whatever the moment: VALID is contradicted, INVALID agrees', () => {
  fc.assert(fc.property(always, fc.array(conflict, { maxLength: 3 }), t, (p, cs, at) => {
    const a = audit([{ problems: [p], conflicts: cs, inputBlocks: [] }]);
    assert.equal(judgeVote(a, true, at).verdict, 'contradicted');
    assert.equal(judgeVote(a, false, at).verdict, 'agrees');
  }), { numRuns: 200 });
});

test('a block keeping the rules with inputs decided before the vote and no conflict: VALID agrees, INVALID is contradicted', () => {
  fc.assert(fc.property(fc.array(other, { maxLength: 3 }), t, (inputs, at) => {
    const decided = inputs.map((i) => ({ ...i, status: 'valid' as const, decidedAt: Math.min(i.decidedAt ?? 0, at - 1) }));
    const a = audit([{ problems: [], conflicts: [], inputBlocks: decided }]);
    assert.equal(judgeVote(a, true, at).verdict, 'agrees');
    assert.equal(judgeVote(a, false, at).verdict, 'contradicted');
    // The same block in a selective archive: an INVALID vote is only timing-dependent.
    assert.equal(judgeVote(audit(a.txs, true), false, at).verdict, 'timing');
  }), { numRuns: 200 });
});

test('an INVALID vote is timing-dependent exactly when an input was decided at or after it or a conflicting block existed', () => {
  fc.assert(fc.property(fc.array(other, { maxLength: 3 }), fc.array(conflict, { maxLength: 3 }), t, (inputs, cs, at) => {
    const v = judgeVote(audit([{ problems: [], conflicts: cs, inputBlocks: inputs }]), false, at).verdict;
    const explained = cs.some((c) => c.ts <= at) || inputs.some((i) => i.decidedAt === null || i.decidedAt >= at);
    assert.equal(v, explained ? 'timing' : 'contradicted');
  }), { numRuns: 300 });
});

test('a VALID vote is contradicted by a conflicting block created before it that never was INVALID, never by a later one', () => {
  fc.assert(fc.property(conflict, t, (c, at) => {
    const v = judgeVote(audit([{ problems: [], conflicts: [c], inputBlocks: [] }]), true, at).verdict;
    assert.equal(v, c.ts < at && c.status !== 'invalid' ? 'contradicted' : 'agrees');
  }), { numRuns: 300 });
});

const vote = (voter: string, valid: boolean, ts: number, previous = 'p'): Vote => ({
  node_pubkey: voter, signature: '', vote: { voting_for_block: 'b', previous_block: previous, is_block_valid: valid, invalid_reason: null, timestamp: String(ts) },
});

test('decided at: the vote that made the majority, ignoring votes outside the group or the voters', () => {
  const votes = [vote('a', true, 50), vote('b', true, 10), vote('c', true, 30, 'other'), vote('d', true, 20), vote('e', true, 5)];
  const el = { status: 'valid' as const, nVoters: 4, nValid: 3, nInvalid: 1, previousBlock: 'p', findings: [] };
  // Group agreeing on 'p' among voters a–d: 10, 20, 50; the third (⌊4/2⌋+1) is 50.
  assert.equal(decidedAt(el, votes, ['a', 'b', 'c', 'd']), 50);
  const inv = { status: 'invalid' as const, nVoters: 4, nValid: 1, nInvalid: 2, previousBlock: 'p', findings: [] };
  assert.equal(decidedAt(inv, [vote('a', false, 40), vote('b', false, 15), vote('c', true, 1)], ['a', 'b', 'c', 'd']), 40);
  assert.equal(decidedAt({ ...el, status: 'undecided' }, votes, ['a']), null);
  assert.equal(decidedAt(null, votes, ['a']), null);
});
