/**
 * Ed25519: libsodium (PyNaCl's engine, so BigchainDB's truth) vs the node (OpenSSL)
 * and tweetnacl backends, which run libsodiumPrecheck first. RFC 8032 vectors, a
 * differential property, and recorded edge cases.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { hasBackend, keyPairFromSeed, libsodiumPrecheck, RAW_BACKENDS_FOR_TESTS, signEd25519, verifyEd25519,
  type Ed25519Backend } from '../../src/crypto/ed25519.js';
import { decodeBase58, decodePublicKey, decodeSignature, encodeBase58 } from '../../src/crypto/base58.js';
import { json } from '../helpers/fixtures.js';

const BACKENDS: Ed25519Backend[] = ['sodium', 'node', 'tweetnacl'];
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

test('sodium-native loads here (the fast path is libsodium)', () => {
  assert.equal(hasBackend('sodium'), true);
});

test('RFC 8032 section 7.1 vectors: keys, deterministic signatures, verification on every backend', () => {
  const { vectors } = json<{ vectors: Record<string, string>[] }>('vectors', 'ed25519', 'rfc8032.json');
  assert.equal(vectors.length, 4);
  for (const v of vectors) {
    const kp = keyPairFromSeed(hex(v.secret!));
    assert.equal(Buffer.from(kp.publicKey).toString('hex'), v.public, v.name);
    assert.equal(Buffer.from(signEd25519(kp.secretKey, hex(v.message!))).toString('hex'), v.signature, v.name);
    for (const b of BACKENDS) {
      assert.equal(verifyEd25519(hex(v.public!), hex(v.message!), hex(v.signature!), b), true, `${v.name} ${b}`);
      assert.equal(verifyEd25519(hex(v.public!), Buffer.concat([hex(v.message!), Buffer.from([0])]), hex(v.signature!), b), false);
    }
  }
});

const verdicts = (pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean[] => BACKENDS.map((b) => verifyEd25519(pk, msg, sig, b));

test('property: the three backends agree on honest signatures and on any one changed byte', () => {
  fc.assert(fc.property(
    fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 200 }),
    fc.constantFrom('none', 'sig', 'msg', 'key'), fc.nat(), fc.integer({ min: 1, max: 255 }),
    (seed, msg, where, pos, delta) => {
      const kp = keyPairFromSeed(seed);
      const pk = Buffer.from(kp.publicKey), m = Buffer.from(msg), sig = Buffer.from(signEd25519(kp.secretKey, m));
      const target = where === 'sig' ? sig : where === 'key' ? pk : where === 'msg' ? m : null;
      if (target !== null && target.length > 0) target[pos % target.length] = (target[pos % target.length]! + delta) & 0xff;
      const got = verdicts(pk, m, sig);
      assert.deepEqual(got, [got[0], got[0], got[0]], `${where}: ${got.join(',')}`);
      const changed = target !== null && target.length > 0;
      assert.equal(got[0], !changed, where);
    }), { numRuns: 400 });
});

test('property: random bytes as key and signature never verify, and never throw', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 64, maxLength: 64 }),
    fc.uint8Array({ maxLength: 64 }), (pk, sig, msg) => {
      assert.deepEqual(verdicts(pk, msg, sig), [false, false, false]);
    }), { numRuns: 300 });
});

type Edge = { name: string; why: string; public: string; message: string; signature: string;
  libsodium: boolean; openssl_raw: boolean; tweetnacl_raw: boolean };

test('edge cases: libsodium verdicts are recorded; node and tweetnacl agree with it through the precheck', () => {
  const { cases } = json<{ cases: Edge[] }>('vectors', 'ed25519', 'edge-cases.json');
  for (const c of cases) {
    const pk = hex(c.public), msg = hex(c.message), sig = hex(c.signature);
    assert.equal(verifyEd25519(pk, msg, sig, 'sodium'), c.libsodium, `${c.name}: libsodium`);
    assert.equal(verifyEd25519(pk, msg, sig, 'node'), c.libsodium, `${c.name}: node`);
    assert.equal(verifyEd25519(pk, msg, sig, 'tweetnacl'), c.libsodium, `${c.name}: tweetnacl`);
    // Disagreements of the raw libraries, kept as a record of why the precheck exists:
    // OpenSSL accepts the small-order key forgeries (all-zero and identity key, R =
    // identity, S = 0); tweetnacl accepts those and S + L (it never checks S < L).
    assert.equal(RAW_BACKENDS_FOR_TESTS.node(pk, msg, sig), c.openssl_raw, `${c.name}: raw OpenSSL`);
    assert.equal(RAW_BACKENDS_FOR_TESTS.tweetnacl(pk, msg, sig), c.tweetnacl_raw, `${c.name}: raw tweetnacl`);
  }
  const byName = new Map(cases.map((c) => [c.name, c]));
  assert.equal(byName.get('valid')!.libsodium, true);
  for (const n of ['S + L', 'all-zero key forgery', 'identity key forgery', 'small-order R']) assert.equal(byName.get(n)!.libsodium, false, n);
  assert.equal(byName.get('all-zero key forgery')!.openssl_raw, true); // the disagreement the precheck fixes
  assert.equal(byName.get('S + L')!.tweetnacl_raw, true);
});

test('libsodiumPrecheck: honest signatures pass', () => {
  const kp = keyPairFromSeed(Buffer.alloc(32, 1));
  assert.equal(libsodiumPrecheck(kp.publicKey, signEd25519(kp.secretKey, Buffer.from('x'))), true);
});

test('wrong lengths give false, never throw', () => {
  const kp = keyPairFromSeed(Buffer.alloc(32, 2));
  const sig = signEd25519(kp.secretKey, Buffer.from('m'));
  for (const b of BACKENDS) {
    assert.equal(verifyEd25519(kp.publicKey.subarray(0, 31), Buffer.from('m'), sig, b), false);
    assert.equal(verifyEd25519(kp.publicKey, Buffer.from('m'), sig.subarray(0, 63), b), false);
    assert.equal(verifyEd25519(new Uint8Array(0), Buffer.from('m'), new Uint8Array(0), b), false);
  }
});

test('base58: published BigchainDB test keys; bad input and wrong lengths give null', () => {
  const pairs: [string, string][] = [
    ['5G2kE1zJAgTajkVSbPAQWo4c2izvtwqaNHYsaNpbbvxX', 'DngBurxfeNVKZWCEcDnLj1eMPAS7focUZTE5FndFGuHT'],
    ['CfdqtD7sS7FgkMoGPXw55MVGGFwQLAoHYTcBhZDtF99Z', '4K9sWUMFwTgaDGPfdynrbxWqWS6sWmKbZoTjxLtVUibD'],
    ['3AeWpPdhEZzWLYfkfYHBfMFC2r1f8HEaGS9NtbbKssya', '3yfQPHeWAa1MxTX9Zf9176QqcpcnWcanVZZbaHb8B3h9'],
  ];
  for (const [seed, pub] of pairs) {
    assert.equal(encodeBase58(keyPairFromSeed(decodeBase58(seed, 32)!).publicKey), pub);
  }
  const good = pairs[0]![1];
  for (const bad of ['', '0OIl', `${good}0`, `${good}1`, `1${good}`, 'x'.repeat(200), 42, null, undefined, {}]) {
    assert.equal(decodePublicKey(bad), null, String(bad));
  }
  assert.equal(decodeSignature(good), null); // 32 bytes is not a signature
  assert.equal(decodePublicKey('1'.repeat(32))?.length, 32); // 32 zero bytes: a length-valid key...
  assert.equal(verifyEd25519(decodePublicKey('1'.repeat(32))!, Buffer.alloc(0), new Uint8Array(64)), false); // ...that never verifies
});

test('property: base58 round trip; decoding never throws', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (b) => {
    assert.deepEqual(Buffer.from(decodePublicKey(encodeBase58(b))!), Buffer.from(b));
  }), { numRuns: 300 });
  fc.assert(fc.property(fc.string(), (s) => {
    const r = decodeBase58(s, 32);
    assert.ok(r === null || r.length === 32);
  }), { numRuns: 300 });
});
