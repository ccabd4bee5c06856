/**
 * fast-check arbitraries for the serializer oracle, aimed at where a canonical JSON
 * writer can go wrong (SPEC.md §2.1): backslashes before `u`, every escape and control
 * character, U+2028/U+2029, BOM, non-BMP characters and lone surrogates, keys that sort
 * next to each other (code point vs UTF-16 order, keys equal up to a U+0000), integers
 * around ±2^53, ±2^63, ±2^64 and beyond, empty containers, nesting up to MAX_NESTING.
 * No floats: python-rapidjson 1.x prints them unlike BigchainDB's 0.0.11 (committed
 * tables cover them, fixtures/vectors/rapidjson).
 */
import fc from 'fast-check';
import { MAX_NESTING, type JsonValue } from '../../src/model/json.js';

const CONTROLS = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i));
/** Single characters (UTF-16 units or pairs) at the edges of escaping and ordering. */
const EDGE_CHARS = [
  ...CONTROLS, '"', '\\', '/', 'u', 'U', '0', '1', 'f', 'F', 'a', 'A', 'z', ' ', '\u007f', '\u0080', '\u00e9', '\u00ff',
  '\u07ff', '\u0800', '\u2028', '\u2029', '\ufeff', '\ufffe', '\uffff', '\ue000', '\ud7ff',
  '\ud800\udc00', '\ud83c\udf89', '\udbff\udfff', 'e\u0301',
];
/** Multi-character pieces: escape look-alikes and broken surrogate pairs. */
const EDGE_PIECES = [
  '\\u', '\\u001f', '\\u001F', '\\u00e9', '\\u0000', '\\\\u001f', '\\"', 'u00', '\\b', '\\n', '\\/', '\\\\',
  '\ud800', '\udfff', '\udc00\ud800', '\ud83c', '\udf89',
];

/** Strings built from edge characters and pieces, with some plain and arbitrary text. */
export const edgeString: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...EDGE_CHARS) }, { weight: 1, arbitrary: fc.constantFrom(...EDGE_PIECES) }), { maxLength: 8 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);

/**
 * Keys that sort next to each other: prefixes of one another, differing in one
 * character, U+E000..U+FFFF against non-BMP (UTF-16 and code point order disagree),
 * equal up to a U+0000, numeric-looking (JavaScript enumerates those first).
 */
const NEIGHBOUR_KEYS = [
  '', 'a', 'aa', 'ab', 'a\u0000', 'a\u0000b', 'a\u0000c', 'a\u0001', 'a ', 'A', 'b', 'B', '\u0000', '\u0000\u0000',
  '\ue000', '\uffff', '\ufeff', '\ud83c\udf89', '\ud800\udc00', '\udbff\udfff', '\u0080', '\u00e9', 'e\u0301', '\u007f',
  '0', '1', '9', '10', '01', '-1', '4294967294', '4294967295', '__proto__', 'id', 'Id', 'ID', 'a"', 'a\\', '\\u0061',
];
export const edgeKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NEIGHBOUR_KEYS) },
  { weight: 2, arbitrary: edgeString },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NEIGHBOUR_KEYS), fc.constantFrom(...EDGE_CHARS)).map(([a, b]) => a + b) },
);

const POW = [53n, 63n, 64n, 80n, 128n];
/** Integers as parseJson gives them (safe: number; beyond 2^53: bigint), around the limits. */
export const edgeInteger: fc.Arbitrary<number | bigint> = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -0, 1, -1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
  fc.tuple(fc.constantFrom(...POW), fc.integer({ min: -3, max: 3 }), fc.boolean()).map(([p, d, neg]) => {
    const b = (neg ? -1n : 1n) * (2n ** p) + BigInt(d);
    return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
  }),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map((b) => (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b)),
);

/** Integral doubles beyond 2^53 as plain numbers (values built directly, not parsed). */
const unsafeIntegralNumber = fc.constantFrom(2 ** 53, -(2 ** 53), 2 ** 53 + 2, 2 ** 63, 2 ** 64, -(2 ** 64), 1e21, 1e300);

const scalar: fc.Arbitrary<JsonValue> = fc.oneof(
  { weight: 4, arbitrary: edgeString },
  { weight: 3, arbitrary: edgeInteger },
  { weight: 1, arbitrary: fc.constantFrom<JsonValue>(null, true, false) },
);

/** A JSON value (no floats) of a few levels, objects keyed with {@link edgeKey}. */
export const { value: edgeValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(edgeKey, tie('value'), { maxKeys: 6, noNullPrototype: true }),
    fc.constantFrom<JsonValue>([], {}, [[]], [{}], { '': {} })),
})) as { value: fc.Arbitrary<JsonValue> };

/** A value wrapped in up to MAX_NESTING containers (arrays and objects alternating by a mask). */
export const deepValue: fc.Arbitrary<JsonValue> = fc.tuple(scalar, fc.integer({ min: 1, max: MAX_NESTING }), fc.integer({ min: 0, max: 7 }), edgeKey)
  .map(([leaf, depth, mask, key]) => {
    let v: JsonValue = leaf;
    for (let i = 1; i < depth; i++) v = (mask >> (i % 3)) & 1 ? [v] : { [key]: v };
    return [v]; // the outermost container makes `depth` levels in all
  });

/** What the oracle compares: mostly edge values, some deep ones, some built with plain-number big integers. */
export const oracleValue: fc.Arbitrary<JsonValue> = fc.oneof(
  { weight: 20, arbitrary: edgeValue },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: fc.array(unsafeIntegralNumber, { minLength: 1, maxLength: 3 }) as fc.Arbitrary<JsonValue> },
);
