/** Shape checks: each malformed shape gives exactly one DOC_MALFORMED naming the document and the field. */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { classifyDocument, parseAssetRow, parseBlock, parseMetadataRow, parseTransaction, parseVote, voteSchemaProblem } from '../../src/model/parse.js';
import type { Vote } from '../../src/model/types.js';
import { json } from '../helpers/fixtures.js';

type Doc = Record<string, unknown>;
const chain = json<Record<string, Doc>>('vectors', 'reference', 'derived-chain-v1.0.json');
const clone = <T>(v: T): T => structuredClone(v);
const ID = '78b9194e6f49e2827552b6f8ee5967b1911268ccf155f593455bf564d6e91254';

test('the reference blocks and votes pass', () => {
  for (const k of ['genesis_block', 'block1', 'block2']) assert.equal(parseBlock(chain[k], 'f:1').ok, true);
  for (const k of ['vote1', 'vote2']) assert.equal(parseVote(chain[k], 'f:1').ok, true);
});

test('malformed blocks: one DOC_MALFORMED naming the block and the field', () => {
  const cases: [string, (b: { [k: string]: any }) => unknown, string, string][] = [
    ['not an object', () => [1], 'f:7', 'is not an object'],
    ['id', (b) => { b.id = 'XYZ'; return b; }, 'XYZ', '"id"'],
    ['id missing', (b) => { delete b.id; return b; }, 'f:7', '"id"'],
    ['signature', (b) => { b.signature = 5; return b; }, ID, '"signature"'],
    ['block', (b) => { b.block = 'x'; return b; }, ID, '"block"'],
    ['timestamp', (b) => { b.block.timestamp = 1500000010; return b; }, ID, '"block.timestamp"'],
    ['timestamp text', (b) => { b.block.timestamp = 'soon'; return b; }, ID, '"block.timestamp"'],
    ['node_pubkey', (b) => { b.block.node_pubkey = null; return b; }, ID, '"block.node_pubkey"'],
    ['voters', (b) => { b.block.voters = [1]; return b; }, ID, '"block.voters"'],
    ['voters missing', (b) => { delete b.block.voters; return b; }, ID, '"block.voters"'],
    ['transactions', (b) => { b.block.transactions = []; return b; }, ID, '"block.transactions"'],
    ['transaction id', (b) => { b.block.transactions = [{ version: '1.0' }]; return b; }, ID, '"block.transactions[0]"'],
  ];
  for (const [name, mutate, doc, field] of cases) {
    const r = parseBlock(mutate(clone(chain.block1) as Doc & { block: Doc }), 'f:7');
    assert.equal(r.ok, false, name);
    if (r.ok) continue;
    assert.equal(r.findings.length, 1, name);
    const [f] = r.findings;
    assert.equal(f!.code, 'DOC_MALFORMED', name);
    assert.equal(f!.kind, 'block', name);
    assert.equal(f!.doc, doc, name);
    assert.ok(f!.message.includes(field), `${name}: ${f!.message}`);
    assert.equal(f!.data?.where, 'f:7');
  }
});

test('malformed votes: one DOC_MALFORMED naming the vote (<block>/<voter>) and the field', () => {
  const v = chain.vote1 as Doc & { vote: Doc };
  const named = `${(v.vote).voting_for_block}/${v.node_pubkey}`;
  const cases: [string, (x: { [k: string]: any }) => unknown, string, string][] = [
    ['not an object', () => 'vote', 'f:9', 'is not an object'],
    ['node_pubkey', (x) => { x.node_pubkey = 7; return x; }, 'f:9', '"node_pubkey"'],
    ['signature', (x) => { delete x.signature; return x; }, named, '"signature"'],
    ['vote', (x) => { x.vote = [1]; return x; }, 'f:9', '"vote"'],
    ['voting_for_block', (x) => { x.vote.voting_for_block = 'abc'; return x; }, `abc/${v.node_pubkey}`, '"vote.voting_for_block"'],
    ['row id', (x) => { x.id = 5; return x; }, named, '"id"'],
  ];
  for (const [name, mutate, doc, field] of cases) {
    const r = parseVote(mutate(clone(v)), 'f:9');
    assert.equal(r.ok, false, name);
    if (r.ok) continue;
    assert.equal(r.findings.length, 1, name);
    assert.equal(r.findings[0]!.code, 'DOC_MALFORMED');
    assert.equal(r.findings[0]!.kind, 'vote');
    assert.equal(r.findings[0]!.doc, doc, name);
    assert.ok(r.findings[0]!.message.includes(field), `${name}: ${r.findings[0]!.message}`);
  }
  assert.equal(parseVote({ ...clone(v), id: 'a-uuid' }, 'f').ok, true);
});

test('vote schema (BigchainDB 1.3 vote.yaml, unanchored RapidJSON patterns)', () => {
  const base = chain.vote1 as unknown as Vote;
  const withVote = (patch: Record<string, unknown>): Vote => ({ ...clone(base), vote: { ...clone(base.vote), ...patch } as Vote['vote'] });
  assert.equal(voteSchemaProblem(base), null);
  assert.equal(voteSchemaProblem({ ...clone(base), id: 'rethinkdb-uuid' }), null); // read .without('id')
  const passes: [string, Vote][] = [
    ['11-digit timestamp holds 10 digits', withVote({ timestamp: '15000000111' })],
    ['timestamp with a prefix holds 10 digits', withVote({ timestamp: 'x1500000011' })],
    ['invalid_reason string', withVote({ invalid_reason: 'bad tx', is_block_valid: false })],
    ['previous_block with 64 hex inside', withVote({ previous_block: `Z${'a'.repeat(64)}` })],
  ];
  for (const [name, v] of passes) assert.equal(voteSchemaProblem(v), null, name);
  const fails: [string, Vote, string][] = [
    ['9-digit timestamp', withVote({ timestamp: '150000001' }), 'timestamp'],
    ['number timestamp', withVote({ timestamp: 1500000011 }), 'timestamp'],
    ['digits after a NUL are not searched', withVote({ timestamp: '\u00001500000011' }), 'timestamp'],
    ['is_block_valid string', withVote({ is_block_valid: 'true' }), 'is_block_valid'],
    ['invalid_reason number', withVote({ invalid_reason: 0 }), 'invalid_reason'],
    ['invalid_reason missing', (() => { const v = clone(base); delete (v.vote as Record<string, unknown>).invalid_reason; return v; })(), 'invalid_reason'],
    ['previous_block short', withVote({ previous_block: 'a'.repeat(63) }), 'previous_block'],
    ['previous_block uppercase', withVote({ previous_block: 'A'.repeat(64) }), 'previous_block'],
    ['extra vote field', withVote({ extra: 1 }), 'vote.extra'],
    ['extra top-level field', { ...clone(base), extra: 1 } as Vote, 'extra'],
    ['42-char voter key', { ...clone(base), node_pubkey: base.node_pubkey.slice(0, 42) }, 'node_pubkey'],
    ['85-char signature', { ...clone(base), signature: base.signature.slice(0, 85) }, 'signature'],
  ];
  for (const [name, v, field] of fails) {
    const p = voteSchemaProblem(v);
    assert.ok(p !== null && p.includes(field), `${name}: ${p}`);
  }
});

test('assets, metadata, transactions: malformed rows name the row', () => {
  const r1 = parseAssetRow({ id: 'nope', data: 1 }, 'a:1');
  assert.ok(!r1.ok && r1.findings.length === 1 && r1.findings[0]!.doc === 'nope' && r1.findings[0]!.kind === 'asset');
  const r2 = parseMetadataRow({ id: ID }, 'm:1');
  assert.ok(!r2.ok && r2.findings.length === 1 && r2.findings[0]!.doc === ID && r2.findings[0]!.message.includes('"metadata"'));
  const r3 = parseTransaction([], 't:1');
  assert.ok(!r3.ok && r3.findings.length === 1 && r3.findings[0]!.doc === 't:1');
  assert.equal(parseAssetRow({ id: ID, data: null }, 'a').ok, true);
});

test('classifyDocument', () => {
  assert.equal(classifyDocument(chain.block1), 'block');
  assert.equal(classifyDocument(chain.vote1), 'vote');
  assert.equal(classifyDocument({ id: ID, data: {} }), 'asset');
  assert.equal(classifyDocument({ id: ID, metadata: {} }), 'metadata');
  assert.equal(classifyDocument({ id: ID, data: {} }, 'metadata'), 'metadata');
  assert.equal(classifyDocument(chain.create_tx), 'transaction');
  assert.equal(classifyDocument([1]), 'unknown');
  assert.equal(classifyDocument({ x: 1 }), 'unknown');
});
