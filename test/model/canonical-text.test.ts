/**
 * parseJson's canonical-text fast path (model/json.ts `canonicalTextOf`): it must
 * give exactly what the exact parser gives, and mark a document canonical only when
 * the canonical serializer reproduces its text byte for byte.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { adoptCanonical, canonicalTextOf, JsonFloat, parseJson, parseJsonExact, type JsonValue } from '../../src/model/json.js';
import { canonicalBytes, canonicalize } from '../../src/model/canonical.js';

const { value: jsonValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(),
    fc.integer().map((n) => (n === 0 ? 0 : n)),
    fc.constantFrom(-0, 0.5, 100, 1e21, 1e-7, 2 ** 53, 15.375),
    fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((b) => (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b)),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => new JsonFloat(d)),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('\u0001', 'a\u001fb', '\\u0041', '\ud83c\udf89', '\uffff', '\ue000'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.constantFrom('\ud83c\udf89', '\uffff', '\ue000', '10', '9', '__proto__')),
      tie('value'), { maxKeys: 4, noNullPrototype: true })),
})) as { value: fc.Arbitrary<JsonValue> };

/** Soundness: marked ⇒ canonical(exact parse) is the text; always ⇒ same value as the exact parser. */
function checkText(text: string): void {
  let exact: JsonValue;
  try { exact = parseJsonExact(text); } catch { return; }
  const v = parseJson(text);
  assert.deepStrictEqual(v, exact, text);
  const marked = canonicalTextOf(v);
  if (marked !== undefined) {
    // The text itself, or (a differently spaced/escaped text) the canonical form of its value.
    assert.equal(marked, canonicalize(exact), `marked with a text that is not its canonical form: ${text}`);
    // What the fast verifiers rely on: JSON.stringify of the tree (when it has no bigint) is the canonical text.
    let s: string | undefined;
    try { s = JSON.stringify(v); } catch { s = undefined; }
    if (s !== undefined) assert.equal(s, marked);
  }
}

test('property: canonical texts parse exactly; marked ones reproduce byte for byte', () => {
  fc.assert(fc.property(jsonValue, (x) => {
    const text = canonicalize(x);
    checkText(text);
    const v = parseJson(text);
    // Texts JSON.parse + JSON.stringify reproduce (no unsafe integers, integral floats,
    // \u escapes or Grisu2-vs-shortest digits) take the fast path.
    if (typeof JSON.parse(text) === 'object' && v !== null && !text.includes('\\u') && !/\d{16}/.test(text) && JSON.stringify(JSON.parse(text)) === text) {
      assert.notEqual(canonicalTextOf(v), undefined, text);
    }
  }), { numRuns: 2000 });
});

test('property: non-canonical texts (spacing, key order, escapes, number forms) are never marked wrongly', () => {
  const variant = fc.tuple(jsonValue, fc.constantFrom('spaced', 'reversed', 'escaped', 'numbers')).map(([x, how]) => {
    const text = canonicalize(x);
    if (how === 'spaced') return JSON.stringify(JSON.parse(text), null, 1);
    if (how === 'reversed') return text.replace(/\{("[^"\\]*"):([^{}[\],]*),("[^"\\]*"):/g, '{$3:$2,$1:');
    if (how === 'escaped') return text.replace(/\\u00([0-9A-F]{2})/g, (_m, h: string) => `\\u00${h.toLowerCase()}`).replace(/a/g, '\\u0061');
    return text.replace(/(\d)(?=[,\]}])/g, '$1.0');
  });
  fc.assert(fc.property(variant, checkText), { numRuns: 2000 });
  for (const t of ['{"a":1,"a":2}', '{"b":1,"a":2}', '{"a":-0}', '{"a":1.0}', '{"a":1e2}', '{"a":1E+21}', '[12345678901234567890]',
    '[9007199254740992]', '[0.1]', '[1e-7]', '{"10":1,"9":2}', '{"\ue000":1,"\ud83c\udf89":2}', '{"\ud83c\udf89":1,"\ue000":2}', '["\\u001F"]', '["\\/"]']) {
    checkText(t);
  }
  assert.equal(canonicalTextOf(parseJson('{"a":[0.1,15.375]}')), '{"a":[0.1,15.375]}');
  // Unsafe integers: their digits are read from the text, outside strings only.
  const big = '{"a":"x:12345678901234567890,\\"","b":[12345678901234567891,1.5,-98765432109876543210],"c":"]9007199254740993"}';
  assert.equal(canonicalTextOf(parseJson(big)), big);
  assert.deepStrictEqual(parseJson(big), parseJsonExact(big));
  assert.deepStrictEqual(parseJson('{"a":[0.1,15.375]}'), { a: [new JsonFloat(0.1), new JsonFloat(15.375)] });
});

test('every line of the sample ledger is marked canonical and parses exactly', () => {
  const lines = readFileSync(new URL('../../../fixtures/sample/ledger.ndjson', import.meta.url), 'utf8').split('\n').filter((l) => l.length > 0);
  let marked = 0;
  for (const l of lines) { checkText(l); if (canonicalTextOf(parseJson(l)) !== undefined) marked++; }
  assert.ok(marked > lines.length / 2, `${marked} of ${lines.length}`);
});

// What a database driver hands over: plain JSON values (JS numbers only, keys in any order).
const { plain: plainValue } = fc.letrec((tie) => ({
  plain: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), fc.integer(),
    fc.constantFrom(-0, 0.5, 100, 1e21, 1e-7, 2 ** 53, 2 ** 60, 123456789012345680000, 15.375, 1.2e300),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }),
    fc.constantFrom('\u0001', '\\u0041', '\ud83c\udf89', '\uffff', '\ue000'),
    fc.array(tie('plain'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.constantFrom('\ud83c\udf89', '\uffff', '\ue000', '10', '9')),
      tie('plain'), { maxKeys: 4, noNullPrototype: true })),
})) as { plain: fc.Arbitrary<unknown> };

test('property: adoptCanonical never changes a driver value\'s canonical bytes; adopted ones carry their text', () => {
  let adoptedCount = 0;
  fc.assert(fc.property(fc.oneof(fc.array(plainValue, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), plainValue, { maxKeys: 4, noNullPrototype: true })), (x) => {
    let expected: Buffer | null;
    try { expected = canonicalBytes(x); } catch { expected = null; }
    const adopted = adoptCanonical(x);
    if (adopted === undefined) return;
    // Adopted only when it is exactly the object path's canonical text, value for value.
    assert.notEqual(expected, null);
    assert.equal(canonicalTextOf(adopted), expected!.toString('utf8'));
    assert.deepEqual(canonicalBytes(adopted), expected);
    adoptedCount++;
  }), { numRuns: 2000 });
  assert.ok(adoptedCount > 200, `only ${adoptedCount} of 2000 values took the fast path`);
});

test('adoptCanonical: sorted plain rows are adopted; unsorted keys, big integral doubles and non-plain values are not', () => {
  const row = { a: 1, b: [0.5, 'x', null, true], c: { d: 2 } };
  assert.equal(canonicalTextOf(adoptCanonical(row)), '{"a":1,"b":[0.5,"x",null,true],"c":{"d":2}}');
  assert.equal(adoptCanonical({ b: 1, a: 2 }), undefined);
  assert.equal(adoptCanonical({ a: 123456789012345680000 }), undefined); // canonical.ts prints BigInt digits
  assert.equal(adoptCanonical({ a: new JsonFloat(1) }), undefined);
  assert.equal(adoptCanonical({ a: new Date(0) }), undefined);
  assert.equal(adoptCanonical({ a: [1, , 2] }), undefined); // a hole: JSON.stringify would write null
  assert.equal(adoptCanonical('text'), undefined);
  // -0 is the integer 0 on both paths
  assert.equal(canonicalTextOf(adoptCanonical({ a: -0 })), '{"a":0}');
});

test('texts spaced and escaped as Python\'s json.dumps writes them (rethinkdb dump) are marked with their canonical form', () => {
  assert.equal(canonicalTextOf(parseJson('{"a": [1, 2], "b": "\\u00e9\\ud83c\\udf89", "c": null}')), '{"a":[1,2],"b":"é🎉","c":null}');
  assert.equal(canonicalTextOf(parseJson('{"b": 1, "a": 2}')), undefined); // key order is part of the bytes
  assert.equal(canonicalTextOf(parseJson('{"a": "\\u0001"}')), undefined); // RapidJSON writes \u0001 uppercase-hex, JSON.stringify lowercase
  assert.equal(canonicalTextOf(parseJson('{"a": "\\ud800"}')), undefined); // a lone surrogate: no canonical form
  assert.equal(canonicalTextOf(parseJson('{"a": 1.0}')), undefined); // floats take the exact parser
});
