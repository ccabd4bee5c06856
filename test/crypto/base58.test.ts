/** The fixed-length base58 decoder agrees with bs58 (the reference) on every input. */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import bs58 from 'bs58';
import { decodeBase58, encodeBase58 } from '../../src/crypto/base58.js';

/** bs58's answer with the same length rule: the bytes when they are exactly `length`, else null. */
function reference(s: string, length: number): Uint8Array | null {
  if (s.length === 0 || s.length > 2 * length + 8) return null;
  try {
    const b = bs58.decode(s);
    return b.length === length ? b : null;
  } catch {
    return null;
  }
}

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

test('property: same as bs58 on base58-ish strings of any length, for 32 and 64 bytes', () => {
  const chars = fc.constantFrom(...ALPHABET, '1', '1', '0', 'O', 'l', 'I', ' ', 'é', '\u{1F389}');
  fc.assert(fc.property(fc.array(chars, { maxLength: 140 }).map((a) => a.join('')), fc.constantFrom(32, 64, 1, 3), (s, n) => {
    assert.deepEqual(decodeBase58(s, n), reference(s, n), s);
  }), { numRuns: 3000 });
});

test('property: round trip of random bytes, with leading zeros, and their neighbours', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 70 }), fc.nat(3), fc.nat(60), (b, z, flip) => {
    const bytes = new Uint8Array([...new Uint8Array(Math.min(z, b.length)), ...b]).subarray(0, b.length);
    const s = encodeBase58(bytes);
    assert.deepEqual(decodeBase58(s, bytes.length), bytes);
    for (const n of [bytes.length - 1, bytes.length + 1]) assert.deepEqual(decodeBase58(s, n), reference(s, n));
    const i = flip % s.length;
    const t = s.slice(0, i) + ALPHABET[(ALPHABET.indexOf(s[i]!) + 1) % 58] + s.slice(i + 1);
    assert.deepEqual(decodeBase58(t, bytes.length), reference(t, bytes.length));
  }), { numRuns: 2000 });
  assert.deepEqual(decodeBase58('1'.repeat(32), 32), new Uint8Array(32));
  assert.equal(decodeBase58('1'.repeat(33), 32), null);
  assert.equal(decodeBase58(encodeBase58(new Uint8Array(64).fill(255)), 64)?.every((x) => x === 255), true);
});
