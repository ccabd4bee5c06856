/**
 * Content hashes for ids (SPEC.md §3, reference §1.2): FIPS-202 SHA3-256, or the
 * original Keccak-256 (padding 0x01) that pysha3 0.3 computed for ledgers started
 * on BigchainDB ≤ 0.8.0. The choice is per federation/ledger, never per document.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';

/** The hash functions a federation can pin. */
export type HashName = 'sha3-256' | 'keccak-256';

/** All hash names, in the order `detectHash` tries them. */
export const HASH_NAMES: readonly HashName[] = ['sha3-256', 'keccak-256'];

/**
 * Hash bytes and return 64 lowercase hex characters.
 * @example hashHex('sha3-256', Buffer.from('hello world')) // '644bcc7e…3938'
 */
export function hashHex(name: HashName, data: Uint8Array): string {
  if (name === 'sha3-256') return sha3Hex(data);
  if (name === 'keccak-256') return Buffer.from(keccak_256(data)).toString('hex');
  throw new TypeError(`unknown hash function: ${String(name)}`);
}

// crypto.hash (Node ≥ 20.12) is a one-shot without a Hash object per call: ids are
// hashed a dozen times per block, so the per-call setup of createHash shows.
const oneShot = (nodeCrypto as { hash?: (alg: string, data: string | Uint8Array, enc: 'hex') => string }).hash;

/**
 * SHA3-256 of bytes, or of a string's UTF-8 (no Buffer made), as 64 lowercase hex.
 * @example sha3Hex('') // 'a7ffc6f8…434a'
 */
export function sha3Hex(data: string | Uint8Array): string {
  if (oneShot !== undefined) return oneShot('sha3-256', data, 'hex');
  return createHash('sha3-256').update(data).digest('hex');
}

/** SHA-256 (for crypto-condition fingerprints and export trailers). */
export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** True when `s` is a lowercase 64-hex-digit id. */
export function isHexId(s: unknown): s is string {
  return typeof s === 'string' && s.length === 64 && /^[0-9a-f]{64}$/.test(s);
}
