/** parseJson: exact where JSON.parse loses information, identical to JSON.parse elsewhere. */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { JsonFloat, MAX_NESTING, parseJson } from '../../src/model/json.js';
import { isLimitError, limits, resetLimits, setLimits } from '../../src/model/limits.js';

test('property: agrees with JSON.parse on JSON without floats or unsafe integers', () => {
  const safe = fc.jsonValue().filter((v) => !/[.eE]|\d{16}/.test(JSON.stringify(v)));
  fc.assert(fc.property(safe, fc.constantFrom('', ' ', '\n\t '), (v, ws) => {
    const text = JSON.stringify(v, null, ws.length > 1 ? ws : undefined);
    assert.deepStrictEqual(parseJson(text), JSON.parse(text));
    // The exact parser (forced by a float somewhere) agrees too, on the same value.
    const forced = parseJson(`[1.5,${text}]`) as unknown[];
    assert.deepStrictEqual(forced[1], JSON.parse(text));
  }), { numRuns: 1000 });
});

test('floats become JsonFloat, wherever they stand', () => {
  assert.deepEqual(parseJson('1.0'), new JsonFloat(1));
  assert.deepEqual(parseJson(' \n-2.5e3'), new JsonFloat(-2500));
  assert.deepEqual(parseJson('{"a":100.0,"b":[1e2, 1E-7 ,0.5],"c":1}'),
    { a: new JsonFloat(100), b: [new JsonFloat(100), new JsonFloat(1e-7), new JsonFloat(0.5)], c: 1 });
  assert.deepEqual(parseJson('{"s":"1.5 is text: [2.5]"}'), { s: '1.5 is text: [2.5]' });
  assert.ok(Object.is(Number((parseJson('[-0.0]') as JsonFloat[])[0]!), -0));
  assert.deepEqual(parseJson('[1e999]'), [new JsonFloat(Infinity)]); // Python: float('inf')
});

test('property: every double survives as JsonFloat', () => {
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
    const text = (Object.is(d, -0) ? "-" : "") + d.toExponential(); // always a float token: "1e+21", "-0e+0"
    const v = parseJson(`{"x":${text}}`) as { x: JsonFloat };
    assert.ok(v.x instanceof JsonFloat, text);
    assert.ok(Object.is(Number(v.x), d), text);
  }), { numRuns: 500 });
});

test('integers: safe ones are numbers, others bigint, at any position and length', () => {
  assert.equal(parseJson('9007199254740991'), 9007199254740991);
  assert.equal(parseJson('9007199254740992'), 9007199254740992n);
  assert.deepEqual(parseJson('{"amount":9000000000000000000}'), { amount: 9000000000000000000n });
  assert.deepEqual(parseJson('[-9007199254740993]'), [-9007199254740993n]);
  const long = '7'.repeat(600);
  assert.deepEqual(parseJson(`[${long}]`), [BigInt(long)]);
  assert.equal(parseJson('123456789012345'), 123456789012345); // 15 digits: fast path, safe
});

test('property: bigint round trip through text', () => {
  fc.assert(fc.property(fc.bigInt({ min: -(2n ** 128n), max: 2n ** 128n }), (b) => {
    const v = (parseJson(`{"n":${b}}`) as { n: number | bigint }).n;
    assert.equal(BigInt(v), b);
    assert.equal(typeof v, Number.isSafeInteger(Number(b)) && BigInt(Number(b)) === b ? 'number' : 'bigint');
  }), { numRuns: 500 });
});

test('errors are SyntaxError, on both paths', () => {
  const bad = ['', '{', '[1,]', '{"a":1,}', '[01]', '[1.]', '[.5]', '[-]', '[1.5', '{"a" 1.5}', '[1.5]x',
    '"\\x"', '[1.5,"\u0001"]', 'nul', '[1.5, tru]', '{"a":1.5,"b"}', '[1e]', '{1.5:2}', '["a\\'];
  for (const text of bad) assert.throws(() => parseJson(text), SyntaxError, JSON.stringify(text));
});

test('deep nesting: maxDepth levels parse on both paths; deeper is a LimitError before any parse', () => {
  const deep = (n: number, leaf: string): string => '['.repeat(n) + leaf + ']'.repeat(n);
  const max = limits().maxDepth;
  let v = parseJson(deep(max, '1.5'));
  for (let i = 0; i < max; i++) v = (v as unknown[])[0] as typeof v;
  assert.deepEqual(v, new JsonFloat(1.5));
  assert.ok(Array.isArray(parseJson(deep(max, '1'))));
  assert.throws(() => parseJson(deep(max + 1, '1.5')), (e: unknown) => isLimitError(e) && e.problem.limit === 'maxDepth');
  assert.throws(() => parseJson(`{"a":${deep(max, '1.5')}}`), (e: unknown) => isLimitError(e));
  // Very deep input never reaches a recursion limit, on either path.
  assert.throws(() => parseJson(deep(100_000, '1.5')), (e: unknown) => isLimitError(e));
  assert.throws(() => parseJson(deep(100_000, '1')), (e: unknown) => isLimitError(e));
  // Brackets inside strings do not count.
  assert.deepEqual(parseJson(`["${'['.repeat(5000)}"]`), ['['.repeat(5000)]);
  // With the ceiling allowed, the exact parser still returns a value.
  setLimits({ maxDepth: MAX_NESTING });
  try {
    assert.ok(Array.isArray(parseJson(deep(MAX_NESTING, '1.5'))));
  } finally { resetLimits(); }
});

test('__proto__ keys stay own data properties, on both paths', () => {
  for (const text of ['{"__proto__":{"x":1},"y":2}', '{"__proto__":{"x":1.5},"y":2}']) {
    const v = parseJson(text) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepEqual(Object.keys(v), ['__proto__', 'y']);
    assert.equal((v as { x?: unknown }).x, undefined);
    assert.ok(Object.prototype.hasOwnProperty.call(v, '__proto__'));
  }
});

test('duplicate keys: the last wins, as in JSON.parse and Python', () => {
  assert.deepEqual(parseJson('{"a":1,"a":2.5}'), { a: new JsonFloat(2.5) });
  assert.deepEqual(parseJson('{"a":1,"a":2}'), { a: 2 });
});

test('strings: escapes decoded exactly, lone surrogate escapes kept', () => {
  assert.deepEqual(parseJson('[1.5,"\\u00e9\\n\\/\\ud83d\\ude00"]'), [new JsonFloat(1.5), 'é\n/😀']);
  assert.deepEqual(parseJson('[1.5,"\\ud800"]'), [new JsonFloat(1.5), '\ud800']);
});
