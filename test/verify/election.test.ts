/** Block elections: BigchainDB v1.3 voting.py's decision rule, as tables. */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { decide, electBlock, transactionStatus, type CheckedVote } from '../../src/verify/election.js';
import { verifyVote } from '../../src/verify/vote.js';
import { federationFromJson } from '../../src/model/federation.js';
import { canonicalBytes } from '../../src/model/canonical.js';
import { encodeBase58 } from '../../src/crypto/base58.js';
import { keyPairFromSeed, signEd25519 } from '../../src/crypto/ed25519.js';
import type { Block, Vote } from '../../src/model/types.js';
import { json } from '../helpers/fixtures.js';

const BLOCK = 'b'.repeat(64), PREV_A = 'a'.repeat(64), PREV_B = 'c'.repeat(64);
const nodes = [1, 2, 3, 4, 5, 6].map((i) => keyPairFromSeed(Buffer.alloc(32, i)));
const key = (i: number): string => encodeBase58(nodes[i]!.publicKey);

/** A correctly signed vote by node `i`. */
function vote(i: number, valid: boolean, prev = PREV_A, patch: Record<string, unknown> = {}): Vote {
  const body = { voting_for_block: BLOCK, previous_block: prev, is_block_valid: valid,
    invalid_reason: valid ? null : 'bad', timestamp: '1500000000', ...patch } as Vote['vote'];
  return { node_pubkey: key(i), vote: body, signature: encodeBase58(signEd25519(nodes[i]!.secretKey, canonicalBytes(body))) };
}
const ok = (v: Vote): CheckedVote => ({ vote: v, signatureOk: true });
const fed = (...ix: number[]) => federationFromJson({ keys: ix.map(key) });
const keys = (...ix: number[]): string[] => ix.map(key);

test('decide: tie counts as INVALID; strict majority for VALID', () => {
  const table: [number, number, number, string][] = [
    [4, 2, 2, 'invalid'], [4, 3, 1, 'valid'], [4, 2, 0, 'undecided'], [4, 3, 0, 'valid'],
    [3, 2, 1, 'valid'], [3, 1, 1, 'undecided'], [3, 0, 2, 'invalid'], [1, 0, 0, 'undecided'],
    [1, 1, 0, 'valid'], [1, 0, 1, 'invalid'], [0, 0, 0, 'invalid'], [5, 2, 2, 'undecided'], [5, 3, 2, 'valid'],
  ];
  for (const [n, v, i, want] of table) assert.equal(decide(n, v, i), want, `${n}/${v}/${i}`);
});

test('property: decide follows voting.py decide_votes for all small counts', () => {
  fc.assert(fc.property(fc.nat(20), fc.nat(20), fc.nat(20), (n, v, i) => {
    const s = decide(n, v, i);
    if (2 * i >= n) assert.equal(s, 'invalid');
    else if (2 * v > n) assert.equal(s, 'valid');
    else assert.equal(s, 'undecided');
  }));
});

test('election table', () => {
  type Row = { name: string; voters: string[]; fed: number[]; votes: CheckedVote[]; status: string; nVoters: number;
    nValid: number; nInvalid: number; findings?: string[]; prev?: string | null };
  const rows: Row[] = [
    { name: '3 of 4 valid', voters: keys(0, 1, 2, 3), fed: [0, 1, 2, 3], votes: [ok(vote(0, true)), ok(vote(1, true)), ok(vote(2, true))],
      status: 'valid', nVoters: 4, nValid: 3, nInvalid: 0, prev: PREV_A },
    { name: 'tie 2-2 is invalid', voters: keys(0, 1, 2, 3), fed: [0, 1, 2, 3],
      votes: [ok(vote(0, true)), ok(vote(1, true)), ok(vote(2, false)), ok(vote(3, false))], status: 'invalid', nVoters: 4, nValid: 2, nInvalid: 2 },
    { name: '2 of 4 valid, rest silent', voters: keys(0, 1, 2, 3), fed: [0, 1, 2, 3], votes: [ok(vote(0, true)), ok(vote(1, true))],
      status: 'undecided', nVoters: 4, nValid: 2, nInvalid: 0 },
    { name: 'n_voters = block.voters ∩ federation (a voter outside the federation does not count)',
      voters: keys(0, 1, 2, 5), fed: [0, 1, 2], votes: [ok(vote(0, true)), ok(vote(1, true))], status: 'valid', nVoters: 3, nValid: 2, nInvalid: 0 },
    { name: 'federation members not in block.voters are not voters', voters: keys(0, 1), fed: [0, 1, 2, 3],
      votes: [ok(vote(0, true)), ok(vote(1, true))], status: 'valid', nVoters: 2, nValid: 2, nInvalid: 0 },
    { name: 'ineligible votes (federation member not listed, or outsider) are set aside and reported',
      voters: keys(0, 1, 2), fed: [0, 1, 2, 3], votes: [ok(vote(0, true)), ok(vote(3, false)), ok(vote(4, false)), ok(vote(5, false))],
      status: 'undecided', nVoters: 3, nValid: 1, nInvalid: 0, findings: ['VOTE_INELIGIBLE', 'VOTE_INELIGIBLE', 'VOTE_INELIGIBLE'] },
    { name: 'badly signed votes do not count (and are reported by verifyVote, not here)', voters: keys(0, 1, 2), fed: [0, 1, 2],
      votes: [ok(vote(0, true)), { vote: vote(1, false), signatureOk: false }, { vote: vote(2, false), signatureOk: false }],
      status: 'undecided', nVoters: 3, nValid: 1, nInvalid: 0, findings: [] },
    { name: 'a malformed counted vote counts invalid, even when it says valid', voters: keys(0, 1), fed: [0, 1],
      votes: [ok(vote(0, true)), ok(vote(1, true, PREV_A, { timestamp: '15' }))], status: 'invalid', nVoters: 2, nValid: 1, nInvalid: 1 },
    { name: 'valid votes split 2/2 across previous_block: the minority counts invalid', voters: keys(0, 1, 2, 3), fed: [0, 1, 2, 3],
      votes: [ok(vote(0, true, PREV_A)), ok(vote(1, true, PREV_A)), ok(vote(2, true, PREV_B)), ok(vote(3, true, PREV_B))],
      status: 'invalid', nVoters: 4, nValid: 2, nInvalid: 2 },
    { name: 'valid votes split 3/2 across previous_block', voters: keys(0, 1, 2, 3, 4), fed: [0, 1, 2, 3, 4],
      votes: [ok(vote(0, true, PREV_B)), ok(vote(1, true, PREV_A)), ok(vote(2, true, PREV_A)), ok(vote(3, true, PREV_A)), ok(vote(4, true, PREV_B))],
      status: 'valid', nVoters: 5, nValid: 3, nInvalid: 2, prev: PREV_A },
    { name: 'duplicate votes are reported; the voter counts once', voters: keys(0, 1, 2), fed: [0, 1, 2],
      votes: [ok(vote(0, true)), ok(vote(0, true, PREV_A, { timestamp: '1500000001' })), ok(vote(1, true))],
      status: 'valid', nVoters: 3, nValid: 2, nInvalid: 0, findings: ['VOTE_DUPLICATE'] },
    { name: 'conflicting duplicates count invalid', voters: keys(0, 1, 2), fed: [0, 1, 2],
      votes: [ok(vote(0, true)), ok(vote(0, false)), ok(vote(1, true))],
      status: 'undecided', nVoters: 3, nValid: 1, nInvalid: 1, findings: ['VOTE_DUPLICATE'] },
    { name: 'votes for another block are ignored', voters: keys(0), fed: [0],
      votes: [ok(vote(0, false, PREV_A, { voting_for_block: PREV_B }))], status: 'undecided', nVoters: 1, nValid: 0, nInvalid: 0, findings: [] },
    { name: 'no eligible voters at all', voters: keys(5), fed: [0], votes: [], status: 'invalid', nVoters: 0, nValid: 0, nInvalid: 0 },
  ];
  for (const r of rows) {
    const e = electBlock(BLOCK, r.voters, r.votes, fed(...r.fed));
    assert.deepEqual({ status: e.status, nVoters: e.nVoters, nValid: e.nValid, nInvalid: e.nInvalid },
      { status: r.status, nVoters: r.nVoters, nValid: r.nValid, nInvalid: r.nInvalid }, r.name);
    if (r.findings !== undefined) assert.deepEqual(e.findings.map((f) => f.code), r.findings, r.name);
    if (r.prev !== undefined) assert.equal(e.previousBlock, r.prev, r.name);
  }
});

test('the votes used in the table really are signed (so signatureOk: true is honest)', () => {
  const f = fed(0, 1, 2, 3, 4, 5);
  for (const i of [0, 3, 5]) assert.deepEqual(verifyVote(vote(i, true), f), []);
});

test('derived chain, single voter: genesis UNDECIDED, both blocks VALID', () => {
  const chain = json<Record<string, unknown>>('vectors', 'reference', 'derived-chain-v1.0.json');
  const federation = federationFromJson({ keys: ['DngBurxfeNVKZWCEcDnLj1eMPAS7focUZTE5FndFGuHT'] });
  const votes = (['vote1', 'vote2'] as const).map((k) => chain[k] as Vote);
  const checked = votes.map((v) => ({ vote: v, signatureOk: verifyVote(v, federation).length === 0 }));
  assert.ok(checked.every((c) => c.signatureOk));
  const status = (k: string): string => {
    const b = chain[k] as Block;
    return electBlock(b.id, b.block.voters, checked, federation).status;
  };
  assert.equal(status('genesis_block'), 'undecided');
  assert.equal(status('block1'), 'valid');
  assert.equal(status('block2'), 'valid');
  const b2 = chain.block2 as Block;
  assert.equal(electBlock(b2.id, b2.block.voters, checked, federation).previousBlock, (chain.block1 as Block).id);
});

test('transactionStatus: the best status among the blocks holding it', () => {
  assert.equal(transactionStatus([]), null);
  assert.equal(transactionStatus(['invalid', 'undecided']), 'undecided');
  assert.equal(transactionStatus(['invalid', 'valid', 'undecided']), 'valid');
  assert.equal(transactionStatus(['invalid']), 'invalid');
});
