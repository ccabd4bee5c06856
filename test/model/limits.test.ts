import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_LIMITS, jsonTextProblem, jsonValueProblem, limits, resetLimits, setLimits, type Limits } from '../../src/model/limits.js';

/** Reference measures, recursive (fine for the small values generated here). */
function depthOf(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  const items = Array.isArray(v) ? v : Object.values(v);
  return 1 + Math.max(0, ...items.map(depthOf));
}
function longestString(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (typeof v !== 'object' || v === null) return 0;
  const parts = Array.isArray(v) ? v : [...Object.keys(v), ...Object.values(v)];
  return Math.max(0, ...parts.map(longestString));
}

const at = (patch: Partial<Limits>): Limits => ({ ...DEFAULT_LIMITS, ...patch });

test('property: text and value checks agree on depth, and both find it exactly', () => {
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
    const text = JSON.stringify(v);
    const d = depthOf(v);
    assert.equal(jsonTextProblem(text, at({ maxDepth: Math.max(1, d) })), null);
    assert.equal(jsonValueProblem(v, at({ maxDepth: Math.max(1, d) })), null);
    if (d >= 2) {
      assert.equal(jsonTextProblem(text, at({ maxDepth: d - 1 }))?.limit, 'maxDepth');
      assert.equal(jsonValueProblem(v, at({ maxDepth: d - 1 }))?.limit, 'maxDepth');
    }
  }), { numRuns: 300 });
});

test('property: a string over the limit is found on the value, and then on its (escaped, never shorter) text', () => {
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
    const n = longestString(v);
    if (n === 0) return;
    const l = at({ maxStringLength: n - 1 });
    assert.equal(jsonValueProblem(v, l)?.limit, 'maxStringLength');
    assert.equal(jsonTextProblem(JSON.stringify(v), l)?.limit, 'maxStringLength');
    assert.equal(jsonValueProblem(v, at({ maxStringLength: n })), null);
  }), { numRuns: 300 });
});

test('values are counted over the whole document, brackets and commas inside strings are not', () => {
  const flat = JSON.stringify(Array.from({ length: 10 }, (_, i) => i));
  assert.equal(jsonTextProblem(flat, at({ maxElements: 11 })), null);
  assert.equal(jsonValueProblem(JSON.parse(flat), at({ maxElements: 10 })), null);
  assert.equal(jsonValueProblem(JSON.parse(flat), at({ maxElements: 9 }))?.limit, 'maxElements');
  const nested = JSON.stringify(Array.from({ length: 10 }, () => [1, 2, 3]));
  assert.equal(jsonTextProblem(nested, at({ maxElements: 20 }))?.limit, 'maxElements', 'nested arrays add up');
  assert.equal(jsonValueProblem(JSON.parse(nested), at({ maxElements: 20 }))?.limit, 'maxElements');
  const inString = JSON.stringify({ s: '[[[[,,,,{{{{"\\"' });
  assert.equal(jsonTextProblem(inString, at({ maxDepth: 1, maxElements: 2 })), null);
  assert.equal(jsonTextProblem('x'.repeat(11), at({ maxDocumentBytes: 10 }))?.limit, 'maxDocumentBytes');
  // Unterminated or broken text is the parser's business, not a limit.
  assert.equal(jsonTextProblem('["abc', at({})), null);
});

test('setLimits validates; the walk is iterative (1,000,000 levels)', () => {
  assert.throws(() => setLimits({ maxDepth: 0 }), RangeError);
  assert.throws(() => setLimits({ maxDepth: 1001 }), RangeError);
  assert.throws(() => setLimits({ maxElements: 1.5 }), RangeError);
  setLimits({ maxDepth: 7 });
  assert.equal(limits().maxDepth, 7);
  resetLimits();
  assert.deepEqual(limits(), DEFAULT_LIMITS);
  let deep: unknown = 1;
  for (let i = 0; i < 1_000_000; i++) deep = [deep];
  assert.equal(jsonValueProblem(deep)?.limit, 'maxDepth');
  assert.equal(jsonTextProblem('['.repeat(1_000_000))?.limit, 'maxDepth');
});
