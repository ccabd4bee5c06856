/**
 * Differential inside the project (issue 8): on signed blocks, votes and transactions
 * full of odd strings, the canonical-text fast path (model/canonical-text.ts) and the
 * object serializer (model/canonical.ts) give the same bytes and the same verdicts, and
 * the fast path never accepts a text that is not canonical: mutated texts (whitespace,
 * key order, escapes, number forms) are either refused by it or serialize to themselves.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { canonicalBytes, canonicalize } from '../../src/model/canonical.js';
import { canonicalTextOf, isJsonFloat, parseJson, parseJsonExact, type JsonValue } from '../../src/model/json.js';
import { federationFromJson } from '../../src/model/federation.js';
import { verifyBlock } from '../../src/verify/block.js';
import { verifyVote } from '../../src/verify/vote.js';
import { verifyTransaction } from '../../src/verify/transaction.js';
import { buildLedger } from '../helpers/ledger-builder.js';
import type { Block, Vote } from '../../src/model/types.js';

const ledger = buildLedger({ seed: 'canonical-differential', blocks: 12, txsPerBlock: [2, 6], federationSize: 3, richData: 'odd', undecided: [1, 0] });
const federation = federationFromJson(ledger.federation);
const texts = [...ledger.blocks, ...ledger.votes].map((d) => canonicalize(d));
// Texts with a \u escape (control characters): where a lowercase-hex mutation can slip through.
const escaped = texts.filter((t) => /\\u00(0[BEF]|1[A-F])/.test(t));
const isBlock = (d: unknown): d is Block => typeof d === 'object' && d !== null && 'block' in d;

/** The verdict on a document: block (with its transactions) or vote findings, codes only. */
function verdict(doc: unknown): string[] {
  const findings = isBlock(doc) ? verifyBlock(doc, federation) : verifyVote(doc as Vote, federation);
  return findings.map((f) => `${f.code} ${f.doc}`).sort();
}

test('odd-string ledger: fast path and serializer give the same bytes and verify every document', () => {
  let marked = 0;
  for (const text of texts) {
    const fast: unknown = parseJson(text);
    const exact: unknown = parseJsonExact(text);
    assert.deepStrictEqual(fast, exact);
    assert.equal(canonicalBytes(exact).toString('utf8'), text, 'the serializer reproduces its own text');
    if (canonicalTextOf(fast) !== undefined) {
      marked++;
      assert.equal(canonicalTextOf(fast), text);
      // What the fast verifiers hash: JSON.stringify of a sub-tree is its canonical bytes.
      const body = isBlock(fast) ? fast.block : (fast as Vote).vote;
      const exactBody = isBlock(exact) ? exact.block : (exact as Vote).vote;
      assert.equal(JSON.stringify(body), canonicalBytes(exactBody).toString('utf8'));
      if (isBlock(fast) && isBlock(exact)) {
        fast.block.transactions.forEach((tx, i) => assert.equal(JSON.stringify(tx), canonicalize(exact.block.transactions[i])));
      }
    }
    // Fast path (marked tree) and serializer path (exact tree, never marked) agree: both verify.
    assert.deepEqual(verdict(fast), [], text.slice(0, 120));
    assert.deepEqual(verdict(exact), []);
  }
  // Texts with a control character hold a \u escape, which the fast path leaves to the serializer.
  assert.ok(marked > 0 && marked < texts.length, `${marked} of ${texts.length} marked canonical`);
  for (const b of ledger.blocks) for (const tx of b.block.transactions) assert.deepEqual(verifyTransaction(tx as unknown as Record<string, unknown>, { hash: 'sha3-256' }), []);
});

/** Canonical-looking text of `v` with one object's keys written in reverse order. */
function withReversedKeys(v: JsonValue, target: number): string {
  let n = 0;
  const write = (x: JsonValue): string => {
    if (Array.isArray(x)) return `[${x.map(write).join(',')}]`;
    if (typeof x !== 'object' || x === null || isJsonFloat(x)) return canonicalize(x);
    const keys = Object.keys(x).sort();
    if (n++ === target && keys.length > 1) keys.reverse();
    return `{${keys.map((k) => `${canonicalize(k)}:${write(x[k]!)}`).join(',')}}`;
  };
  return write(v);
}

const hex4 = (c: number): string => c.toString(16).padStart(4, '0');
/** Mutations of a canonical text; each keeps it valid JSON of (nearly) the same value. */
const mutations: Array<(text: string, at: number) => string> = [
  (t, at) => { const i = t.indexOf(',', at % t.length); return i < 0 ? ` ${t}` : `${t.slice(0, i + 1)} ${t.slice(i + 1)}`; },
  (t, at) => { const i = t.indexOf(':', at % t.length); return i < 0 ? `${t}\n` : `${t.slice(0, i)} :\t${t.slice(i + 1)}`; },
  (t, at) => withReversedKeys(parseJsonExact(t), at % 40),
  // A character of a string written as a \u escape (lower- or uppercase hex), or "/" as "\/".
  (t, at) => t.replace(/[a-zé🎉]/u, (c) => (at % 2 ? `\\u${hex4(c.charCodeAt(0))}` : `\\u${hex4(c.charCodeAt(0)).toUpperCase()}`)),
  (t) => t.replace('/', '\\/'),
  (t) => t.replace(/\\u00(0[BEF]|1[A-F])/g, (_m, h: string) => `\\u00${h.toLowerCase()}`),
  (t) => t.replace(/\\n/, '\\u000A'),
  // Number forms: an integer as a float, with an exponent, with a sign; -0.
  (t, at) => t.replace(/([:[,])(\d+)([,\]}])/, (_m, a: string, d: string, b: string) => `${a}${[`${d}.0`, `${d}e0`, `${d}E+0`, `-0`][at % 4]}${b}`),
];

test('property: a mutated canonical text is refused by the fast path or marked with its canonical form, with the same verdict', () => {
  let refused = 0, accepted = 0;
  const text = fc.oneof(fc.constantFrom(...texts), fc.constantFrom(...escaped));
  fc.assert(fc.property(text, fc.integer({ min: 0, max: mutations.length - 1 }), fc.nat(), (text, m, at) => {
    const mutated = mutations[m]!(text, at);
    let exact: JsonValue;
    try { exact = parseJsonExact(mutated); } catch { return; }
    const fast = parseJson(mutated);
    assert.deepStrictEqual(fast, exact);
    const marked = canonicalTextOf(fast);
    if (marked === undefined) { refused++; } else {
      accepted++;
      // The mutated text itself when it is canonical; else (spacing, escapes) its value's canonical form.
      assert.equal(marked, canonicalize(exact), `fast path marked a text that is not the canonical form: ${mutated.slice(0, 200)}`);
    }
    assert.deepEqual(verdict(fast), verdict(exact));
  }), { numRuns: 600 });
  assert.ok(escaped.length > 3 && refused > 100, `${escaped.length} escaped texts, ${refused} refused, ${accepted} accepted`);
});
