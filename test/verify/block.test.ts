/**
 * verifyBlock / verifyVote over the derived chain: it verifies as is, and any one
 * changed character of the id, body or signature is caught.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { verifyBlock } from '../../src/verify/block.js';
import { verifyVote } from '../../src/verify/vote.js';
import { federationFromJson } from '../../src/model/federation.js';
import { canonicalize } from '../../src/model/canonical.js';
import { parseJson } from '../../src/model/json.js';
import { parseBlock } from '../../src/model/parse.js';
import type { Block } from '../../src/model/types.js';
import type { FindingCode } from '../../src/findings.js';
import { json } from '../helpers/fixtures.js';
import { NODE, OTHER, blocks, chain, codes, fed, votes } from '../helpers/derived-chain.js';


test('the derived chain verifies: blocks (with their transactions) and votes', () => {
  for (const b of blocks) assert.deepEqual(verifyBlock(b, fed), [], b.id);
  for (const v of votes) assert.deepEqual(verifyVote(v, fed), []);
});

test('the v0.7 placeholder block fails both id and signature', () => {
  const b = json<Block>('vectors', 'reference', 'negative-placeholder-block-v0.7.json');
  const f = federationFromJson({ keys: [b.block.node_pubkey], hash: 'keccak-256' });
  const got = codes(verifyBlock(b, f, { transactions: false }));
  assert.ok(got.includes('BLOCK_ID_MISMATCH') && got.includes('BLOCK_BAD_SIGNATURE'), got.join());
});

test('unknown creator and unknown voters are findings', () => {
  const other = federationFromJson({ keys: [OTHER] });
  const got = verifyBlock(blocks[1]!, other, { transactions: false });
  assert.deepEqual(codes(got).sort(), ['BLOCK_UNKNOWN_CREATOR', 'BLOCK_UNKNOWN_VOTER']);
  assert.equal(got.find((f) => f.code === 'BLOCK_UNKNOWN_VOTER')!.data?.voter, NODE);
  assert.equal(got[0]!.doc, blocks[1]!.id);
  assert.deepEqual(codes(verifyVote(votes[0]!, other)), ['VOTE_UNKNOWN_VOTER']);
});

test('a block or vote holding a value BigchainDB cannot serialize gives findings, not a throw', () => {
  const b = structuredClone(blocks[1]!);
  (b.block as Record<string, unknown>).note = '\ud800';
  assert.deepEqual(codes(verifyBlock(b, fed, { transactions: false })), ['BLOCK_ID_MISMATCH', 'BLOCK_BAD_SIGNATURE']);
  const v = structuredClone(votes[0]!);
  v.vote.invalid_reason = '\udfff';
  assert.ok(codes(verifyVote(v, fed)).includes('VOTE_BAD_SIGNATURE'));
});

/** Characters to put in; shared idea with vote.test.ts. */
const ALPHABET = [...'0123456789abcdefABCDEFxyz"{}[],:.\\ -_é'];

/** Replace the character at `pos` of `text`; null when it would not change anything. */
function mutate(text: string, pos: number, ch: string): string | null {
  const i = pos % text.length;
  return text[i] === ch ? null : text.slice(0, i) + ch + text.slice(i + 1);
}

test('property: change any character of a block document → rejected (parse, shape, or finding)', () => {
  const docs = blocks.map((b) => canonicalize({ block: b.block, id: b.id, signature: b.signature }));
  fc.assert(fc.property(fc.nat(2), fc.nat(), fc.constantFrom(...ALPHABET), (which, pos, ch) => {
    const text = docs[which]!;
    const changed = mutate(text, pos, ch);
    if (changed === null) return;
    const i = pos % text.length;
    let doc: unknown;
    try { doc = parseJson(changed); } catch (err) { assert.ok(err instanceof SyntaxError); return; }
    const parsed = parseBlock(doc, 'mutated');
    if (!parsed.ok) { assert.equal(parsed.findings[0]!.code, 'DOC_MALFORMED'); return; }
    const got = codes(verifyBlock(parsed.value, fed, { transactions: false }));
    const idStart = text.indexOf('"id":"') + 6, sigStart = text.indexOf('"signature":"') + 13;
    const expected: FindingCode = i >= sigStart ? 'BLOCK_BAD_SIGNATURE' : i >= idStart ? 'BLOCK_ID_MISMATCH' : 'BLOCK_ID_MISMATCH';
    assert.ok(got.includes(expected), `char ${i} -> ${JSON.stringify(ch)}: ${got.join()}`);
    if (i < idStart - 6) assert.ok(got.includes('BLOCK_BAD_SIGNATURE'), `body change must break the signature too: ${got.join()}`);
  }), { numRuns: 1500 });
});
