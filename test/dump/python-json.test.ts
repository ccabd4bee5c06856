import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { JsonFloat, parseJson } from '../../src/model/json.js';
import { pythonFloatRepr, pythonJsonDumps } from '../../src/dump/python-json.js';

// Expected strings are CPython 3 `json.dumps` / `repr` outputs (checked with python3 -c).
const FLOATS: [number, string][] = [
  [1e21, '1e+21'], [1e-7, '1e-07'], [100, '100.0'], [1e16, '1e+16'], [1e15, '1000000000000000.0'],
  [123456789012345678, '1.2345678901234568e+17'], [0.0001, '0.0001'], [0.00001, '1e-05'], [-0, '-0.0'],
  [0.1, '0.1'], [1.5e300, '1.5e+300'], [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'],
  [Infinity, 'Infinity'], [-Infinity, '-Infinity'], [NaN, 'NaN'], [2.5, '2.5'], [-1234.5678, '-1234.5678'],
  [1e22, '1e+22'], [12345678901234567890, '1.2345678901234567e+19'], [9007199254740993, '9007199254740992.0'],
];

test('floats print as Python repr', () => {
  for (const [x, want] of FLOATS) {
    assert.equal(pythonFloatRepr(x), want, `repr(${x})`);
    assert.equal(pythonJsonDumps(new JsonFloat(x)), want);
  }
});

test('escapes, separators and ints match json.dumps', () => {
  const v = { a: [1, new JsonFloat(2), null, true, false], b: 'é\u2028😀\x00\x1f\x7f"\\/\n\r\t\b\f', '': {} };
  assert.equal(pythonJsonDumps(v),
    '{"a": [1, 2.0, null, true, false], "b": "\\u00e9\\u2028\\ud83d\\ude00\\u0000\\u001f\\u007f\\"\\\\/\\n\\r\\t\\b\\f", "": {}}');
  assert.equal(pythonJsonDumps([[], {}, '', 10n ** 30n]), '[[], {}, "", 1000000000000000000000000000000]');
  assert.equal(pythonJsonDumps(1.5), '1.5'); // a non-integral JS number is a Python float
  assert.equal(pythonJsonDumps(-0), '0'); // an integral JS number is a Python int
  assert.equal(pythonJsonDumps({ z: 1, a: 2 }), '{"z": 1, "a": 2}'); // insertion order kept
});

test('unencodable values throw TypeError', () => {
  assert.throws(() => pythonJsonDumps(undefined), TypeError);
  assert.throws(() => pythonJsonDumps({ a: () => 1 }), TypeError);
  assert.throws(() => pythonJsonDumps(new Date()), TypeError);
});

const plainJson = fc.jsonValue({ maxDepth: 4 });

test('property: JSON.parse(pythonJsonDumps(v)) deep-equals v, output is ASCII', () => {
  fc.assert(fc.property(plainJson, (v) => {
    const s = pythonJsonDumps(v);
    assert.match(s, /^[\x20-\x7e]*$/);
    // fc.jsonValue has -0, which JSON cannot keep apart from 0 as an int.
    assert.deepEqual(JSON.parse(s), JSON.parse(JSON.stringify(v)));
  }), { numRuns: 300 });
});

test('property: floats round-trip through parseJson exactly', () => {
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
    // Wrapped in an array: parseJson's fast path only sees floats after `[`, `:` or `,`.
    const back = (parseJson(`[${pythonJsonDumps(new JsonFloat(x))}]`) as unknown[])[0];
    assert.ok(back instanceof JsonFloat && Object.is(Number(back), x), `${x}`);
  }), { numRuns: 1000 });
});

const hasPython = spawnSync('python3', ['-c', 'print(1)']).status === 0;

test('cross-check against python3 json.dumps on random values', { skip: !hasPython && 'no python3' }, () => {
  const values = fc.sample(fc.oneof(plainJson, fc.double({ noNaN: true, noDefaultInfinity: true })
    .map((x) => [new JsonFloat(x)]), fc.string({ unit: 'binary' })), { numRuns: 200, seed: 42 });
  // Hand Python a JSON list it parses back to the same values (floats as floats, with repr digits).
  const input = '[' + values.map((v) => pythonJsonDumps(v)).join(', ') + ']';
  const py = spawnSync('python3', ['-c',
    'import json,sys\nfor v in json.loads(sys.stdin.read()): print(json.dumps(v))'], { input, encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const lines = py.stdout.trimEnd().split('\n');
  assert.equal(lines.length, values.length);
  values.forEach((v, i) => assert.equal(pythonJsonDumps(v), lines[i]));
});
