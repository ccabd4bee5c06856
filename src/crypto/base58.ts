/**
 * Base58 (Bitcoin alphabet) for keys and signatures (reference §1.3). Decoding is
 * strict: bad characters or a wrong decoded length return null, never throw, so a
 * caller can turn them into findings.
 */
import bs58 from 'bs58';

/** Decode base58 to exactly `length` bytes, or null when invalid. */
export function decodeBase58(s: unknown, length: number): Uint8Array | null {
  if (typeof s !== 'string' || s.length === 0 || s.length > 2 * length + 8) return null;
  let bytes: Uint8Array;
  try {
    bytes = bs58.decode(s);
  } catch {
    return null;
  }
  if (bytes.length !== length) return null;
  // Reject non-canonical encodings (e.g. extra leading '1's are length errors already).
  return bytes;
}

/** Encode bytes as base58. */
export function encodeBase58(bytes: Uint8Array): string {
  return bs58.encode(bytes);
}

// Public keys repeat (a handful of voters, the ledger's users): decode each once.
const keyCache = new Map<string, Uint8Array | null>();

/** Decode a 32-byte public key, or null. Results are cached (bounded). */
export function decodePublicKey(s: unknown): Uint8Array | null {
  if (typeof s !== 'string') return null;
  let k = keyCache.get(s);
  if (k === undefined) {
    k = decodeBase58(s, 32);
    if (keyCache.size >= 65536) keyCache.clear();
    keyCache.set(s, k);
  }
  return k;
}

/** Decode a 64-byte signature, or null. */
export function decodeSignature(s: unknown): Uint8Array | null {
  return decodeBase58(s, 64);
}
