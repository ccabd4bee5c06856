/**
 * The committed table of python-rapidjson 0.0.11's dumps (BigchainDB 0.10–1.3's pin) and
 * 1.4's (Debian's, the live oracle), on values with floats and keys equal up to a U+0000,
 * which the live oracle cannot judge (fixtures/vectors/rapidjson/README.md).
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { canonicalBytes } from '../../src/model/canonical.js';
import { parseJson } from '../../src/model/json.js';
import { json } from '../helpers/fixtures.js';
import { hasNulKeyCollision } from '../helpers/oracle-compare.js';

type Entry = [input: string, v0011: string | null, v14: string | null];
const table = json<{ entries: Entry[] }>('vectors', 'rapidjson', 'python-rapidjson-dumps.json').entries;

const refuses = (input: string): boolean => {
  try { canonicalBytes(parseJson(input)); return false; } catch (err) { return err instanceof TypeError; }
};

test('0.0.11 table: every serializable value without colliding keys gives 0.0.11\'s bytes exactly', () => {
  let compared = 0, floatDigitsDiffer = 0;
  for (const [input, v0011, v14] of table) {
    if (v0011 === null || hasNulKeyCollision(parseJson(input))) continue;
    assert.equal(canonicalBytes(parseJson(input)).toString('utf8'), v0011, input);
    compared++;
    if (v14 !== v0011) floatDigitsDiffer++;
  }
  assert.ok(compared > 350, `${compared} compared`);
  // Why floats are not compared live: 1.4 prints them differently (1e+16, 1e-06, other digits).
  assert.ok(floatDigitsDiffer > 50, `${floatDigitsDiffer} differ between 0.0.11 and 1.4`);
});

test('0.0.11 table: lone surrogates and keys equal up to a U+0000 are refused as hash preimages', () => {
  let lone = 0, collisions = 0;
  for (const [input, v0011] of table) {
    if (v0011 === null) { assert.ok(refuses(input), input); lone++; }
    else if (hasNulKeyCollision(parseJson(input))) { assert.ok(refuses(input), input); collisions++; }
  }
  assert.ok(lone > 10 && collisions > 10, `${lone} lone, ${collisions} colliding`);
});

test('0.0.11 table: keys equal up to a U+0000 come out in an order set by insertion order', () => {
  // The same object in two insertion orders (the table holds both): 0.0.11 writes such
  // keys in reverse insertion order (strcmp ties, stable insertion sort, then a stack).
  const out = new Map(table.map(([input, v0011]) => [input, v0011]));
  assert.equal(out.get('{"a":0,"a\\u0000b":1}'), '{"a\\u0000b":1,"a":0}');
  assert.equal(out.get('{"a\\u0000b":1,"a":0}'), '{"a":0,"a\\u0000b":1}');
  assert.equal(out.get('{"a\\u0000c":0,"a\\u0000b":1}'), '{"a\\u0000b":1,"a\\u0000c":0}');
});
