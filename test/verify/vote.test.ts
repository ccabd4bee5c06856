/** verifyVote over the derived chain's votes: signature over canonical vote.vote only. */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { verifyVote, voteEligibility } from '../../src/verify/vote.js';
import { federationFromJson } from '../../src/model/federation.js';
import { canonicalize } from '../../src/model/canonical.js';
import { parseJson } from '../../src/model/json.js';
import { parseVote } from '../../src/model/parse.js';
import type { Vote } from '../../src/model/types.js';
import { json } from '../helpers/fixtures.js';
import { OTHER, blocks, chain, codes, fed, votes } from '../helpers/derived-chain.js';

const ALPHABET = [...'0123456789abcdefABCDEFxyz"{}[],:.\\ -_é'];

function mutate(text: string, pos: number, ch: string): string | null {
  const i = pos % text.length;
  return text[i] === ch ? null : text.slice(0, i) + ch + text.slice(i + 1);
}

test('the real v1.3 vote and the derived votes verify', () => {
  const real = json<Vote>('vectors', 'reference', 'real-vote-v1.3.json');
  assert.deepEqual(verifyVote(real, federationFromJson({ keys: [real.node_pubkey] })), []);
  for (const v of votes) assert.deepEqual(verifyVote(v, fed), []);
});

test('unknown voter, malformed vote', () => {
  assert.deepEqual(codes(verifyVote(votes[0]!, federationFromJson({ keys: [OTHER] }))), ['VOTE_UNKNOWN_VOTER']);
  const v = structuredClone(votes[0]!);
  v.vote.timestamp = '15';
  assert.deepEqual(codes(verifyVote(v, fed)).sort(), ['VOTE_BAD_SIGNATURE', 'VOTE_MALFORMED']);
});

test('voteEligibility: a voter missing from block.voters', () => {
  assert.deepEqual(voteEligibility(votes[0]!, blocks[1]!), []);
  const b = { ...blocks[1]!, block: { ...blocks[1]!.block, voters: [OTHER] } };
  assert.deepEqual(codes(voteEligibility(votes[0]!, b)), ['VOTE_INELIGIBLE']);
});

test('property: change any character of a vote document → rejected (parse, shape, or VOTE_BAD_SIGNATURE)', () => {
  const docs = votes.map((v) => canonicalize(v));
  fc.assert(fc.property(fc.nat(1), fc.nat(), fc.constantFrom(...ALPHABET), (which, pos, ch) => {
    const changed = mutate(docs[which]!, pos, ch);
    if (changed === null) return;
    let doc: unknown;
    try { doc = parseJson(changed); } catch (err) { assert.ok(err instanceof SyntaxError); return; }
    const parsed = parseVote(doc, 'mutated');
    if (!parsed.ok) { assert.equal(parsed.findings[0]!.code, 'DOC_MALFORMED'); return; }
    const got = codes(verifyVote(parsed.value, fed));
    assert.ok(got.includes('VOTE_BAD_SIGNATURE'), `char ${pos % docs[which]!.length} -> ${JSON.stringify(ch)}: ${got.join()}`);
  }), { numRuns: 1500 });
});

test('the RethinkDB row id of a vote is not signed', () => {
  assert.deepEqual(verifyVote({ ...votes[0]!, id: 'f5f1b3a2-0000-4000-8000-000000000000' }, fed), []);
});
