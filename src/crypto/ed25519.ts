/**
 * Ed25519 verification (SPEC.md §4). BigchainDB signed and verified with PyNaCl,
 * i.e. libsodium, so libsodium's rules are the truth: the fast path is
 * sodium-native; Node's own crypto (OpenSSL) is the fallback where it cannot
 * load; tweetnacl is the portable reference the others are tested against.
 * Verification returns a boolean and never throws on bad input.
 */
import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';
import { loadSodium } from './sodium.js';

/** Names of the available verification backends. */
export type Ed25519Backend = 'sodium' | 'node' | 'tweetnacl';

type VerifyFn = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

interface Sodium {
  crypto_sign_verify_detached(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean;
  crypto_sign_seed_keypair(pk: Uint8Array, sk: Uint8Array, seed: Uint8Array): void;
  crypto_sign_detached(sig: Uint8Array, msg: Uint8Array, sk: Uint8Array): void;
}

const sodium = loadSodium<Sodium>();

// SPKI prefix for a raw 32-byte Ed25519 public key (RFC 8410).
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keyCache = new Map<string, KeyObject>();

function nodeKey(publicKey: Uint8Array): KeyObject {
  const hex = Buffer.from(publicKey).toString('hex');
  let key = keyCache.get(hex);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (keyCache.size > 4096) keyCache.clear();
    keyCache.set(hex, key);
  }
  return key;
}

// libsodium's ge25519_has_small_order blocklist (1.0.16+): y-encodings of points of
// order 1, 2, 4, 8 (and non-canonical aliases); the sign bit of byte 31 is ignored.
const SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((h) => Buffer.from(h, 'hex'));
// The group order L, little-endian (sc25519_is_canonical).
const L = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');

function hasSmallOrder(p: Uint8Array): boolean {
  return SMALL_ORDER.some((b) => {
    for (let i = 0; i < 31; i++) if (p[i] !== b[i]) return false;
    return (p[31]! & 0x7f) === b[31];
  });
}

function scalarIsCanonical(s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) if (s[i] !== L[i]) return s[i]! < L[i]!;
  return false; // S = L
}

/** ge25519_is_canonical: the y-coordinate is below p = 2^255 - 19. */
function pointIsCanonical(p: Uint8Array): boolean {
  if ((p[31]! & 0x7f) !== 0x7f) return true;
  for (let i = 30; i > 0; i--) if (p[i] !== 0xff) return true;
  return p[0]! < 0xed;
}

/**
 * The checks libsodium (1.0.16+, the fast path here) makes before the curve
 * equation: S < L, R and A not of small order, A canonical. OpenSSL checks only
 * S < L and tweetnacl none of them, so without this the fallbacks accept, e.g., a
 * signature by the all-zero key with R = identity and S = 0 on a quarter of all
 * messages (test/crypto/ed25519.test.ts). BigchainDB's PyNaCl (libsodium
 * 1.0.11–1.0.15) already rejected S ≥ L, small-order R and the all-zero key; it
 * accepted other small-order or non-canonical keys, which no real federation key is.
 */
export function libsodiumPrecheck(publicKey: Uint8Array, signature: Uint8Array): boolean {
  return scalarIsCanonical(signature.subarray(32)) && !hasSmallOrder(signature.subarray(0, 32))
    && pointIsCanonical(publicKey) && !hasSmallOrder(publicKey);
}

const BACKENDS: Record<Ed25519Backend, VerifyFn | null> = {
  sodium: sodium === null ? null : (pk, msg, sig) => sodium.crypto_sign_verify_detached(sig, msg, pk),
  node: (pk, msg, sig) => libsodiumPrecheck(pk, sig) && nodeVerify(null, msg, nodeKey(pk), sig),
  tweetnacl: (pk, msg, sig) => libsodiumPrecheck(pk, sig) && nacl.sign.detached.verify(msg, sig, pk),
};

/** The backends without libsodium's prechecks, to show in tests why they are needed. */
export const RAW_BACKENDS_FOR_TESTS: Readonly<Record<'node' | 'tweetnacl', VerifyFn>> = {
  node: (pk, msg, sig) => { try { return nodeVerify(null, msg, nodeKey(pk), sig); } catch { return false; } },
  tweetnacl: (pk, msg, sig) => nacl.sign.detached.verify(msg, sig, pk),
};

/** The backend {@link verifyEd25519} uses: sodium when it loads, else node. */
export const defaultBackend: Ed25519Backend = sodium !== null ? 'sodium' : 'node';

/** True when the named backend can run here. */
export function hasBackend(name: Ed25519Backend): boolean {
  return BACKENDS[name] !== null;
}

/**
 * Verify a detached Ed25519 signature (no pre-hash).
 * @param publicKey 32 bytes; @param signature 64 bytes; wrong lengths give false
 * @param backend defaults to the fastest available
 * @returns true only for a valid signature; false for anything else, including malformed keys
 */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array,
  backend: Ed25519Backend = defaultBackend): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const fn = BACKENDS[backend];
  if (fn === null) throw new RangeError(`ed25519 backend ${backend} is not available`);
  try {
    return fn(publicKey, message, signature);
  } catch {
    return false; // e.g. OpenSSL refusing a key that is not a curve point
  }
}

/** A key pair from a 32-byte seed (fixtures and tests; tweetnacl, deterministic). */
export function keyPairFromSeed(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array } {
  return nacl.sign.keyPair.fromSeed(seed);
}

/** Sign a message with a 64-byte tweetnacl/libsodium secret key (fixtures and tests). */
export function signEd25519(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  if (sodium !== null) {
    const sig = Buffer.alloc(64);
    sodium.crypto_sign_detached(sig, message, secretKey);
    return sig;
  }
  return nacl.sign.detached(message, secretKey);
}
