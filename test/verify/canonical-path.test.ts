/**
 * The canonical-text fast path of verifyBlock/verifyVote (body bytes cut from the
 * document's text, transactions serialized by JSON.stringify) must give exactly the
 * findings of the serializer path, on good documents and on damaged ones.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { verifyBlock } from '../../src/verify/block.js';
import { verifyVote } from '../../src/verify/vote.js';
import { loadFederation } from '../../src/model/federation.js';
import { canonicalTextOf, parseJson, parseJsonExact } from '../../src/model/json.js';
import { classifyDocument, parseBlock, parseVote } from '../../src/model/parse.js';
import type { Finding } from '../../src/findings.js';

const dir = new URL('../../../fixtures/sample/', import.meta.url);
const lines = readFileSync(new URL('ledger.ndjson', dir), 'utf8').split('\n').filter((l) => l.length > 0);
const fed = loadFederation(new URL('federation.json', dir).pathname);

/** Findings of one document text through the fast path (parseJson) and the exact, unmarked path. */
function bothWays(text: string): { fast: Finding[]; slow: Finding[]; marked: boolean } | null {
  let doc: unknown, exact: unknown;
  try { doc = parseJson(text); exact = parseJsonExact(text); } catch { return null; }
  const kind = classifyDocument(doc);
  if (kind === 'block') {
    const a = parseBlock(doc, 'x'), b = parseBlock(exact, 'x');
    if (!a.ok || !b.ok) return null;
    return { fast: verifyBlock(a.value, fed), slow: verifyBlock(b.value, fed), marked: canonicalTextOf(doc) !== undefined };
  }
  if (kind === 'vote') {
    const a = parseVote(doc, 'x'), b = parseVote(exact, 'x');
    if (!a.ok || !b.ok) return null;
    return { fast: verifyVote(a.value, fed), slow: verifyVote(b.value, fed), marked: canonicalTextOf(doc) !== undefined };
  }
  return null;
}

test('sample ledger: every document takes the fast path and verifies the same', () => {
  let marked = 0;
  for (const l of lines.slice(0, 600)) {
    const r = bothWays(l);
    assert.ok(r !== null);
    assert.deepEqual(r.fast, r.slow);
    assert.deepEqual(r.fast, []);
    if (r.marked) marked++;
  }
  assert.ok(marked > 500, `${marked} marked`);
});

test('property: one changed character gives the same findings on both paths', () => {
  const alphabet = ['a', '1', '0', '.', ' ', '"', '\\', 'é', '\u0001', 'z', ',', '}', '5', 'A'];
  fc.assert(fc.property(fc.nat(lines.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...alphabet), (n, at, ch) => {
    const l = lines[n]!;
    const i = Math.min(l.length - 1, Math.floor(at * l.length));
    const text = l.slice(0, i) + ch + l.slice(i + 1);
    const r = bothWays(text);
    if (r !== null) assert.deepEqual(r.fast, r.slow, text.slice(Math.max(0, i - 40), i + 40));
  }), { numRuns: 400 });
});

test('a copy of a parsed tree is not canonical-known: the body is serialized again', () => {
  const l = lines.find((x) => x.startsWith('{"block"'))!;
  const doc = parseJson(l) as { block: { timestamp: string } };
  const copy = { ...doc, block: { ...doc.block, timestamp: '1' } };
  const p = parseBlock(copy, 'x');
  assert.ok(p.ok);
  assert.deepEqual(verifyBlock(p.value, fed).map((f) => f.code).sort(), ['BLOCK_BAD_SIGNATURE', 'BLOCK_ID_MISMATCH']);
  const v = lines.find((x) => x.includes('"vote":{'))!;
  const vote = parseJson(v) as { vote: { timestamp: string } };
  const pv = parseVote({ ...vote, vote: { ...vote.vote, timestamp: '9999999999' } }, 'x');
  assert.ok(pv.ok);
  assert.deepEqual(verifyVote(pv.value, fed).map((f) => f.code), ['VOTE_BAD_SIGNATURE']);
});
