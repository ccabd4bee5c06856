/**
 * Base58 (Bitcoin alphabet) for keys and signatures (reference §1.3). Decoding is
 * strict: bad characters or a wrong decoded length return null, never throw, so a
 * caller can turn them into findings.
 */
import bs58 from 'bs58';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charCodeAt(i)] = i;
const POW58 = [1, 58, 58 ** 2, 58 ** 3, 58 ** 4];

/**
 * Decode base58 to exactly `length` bytes, or null when invalid. Same result as
 * `bs58.decode` with a length check (tested against it), but without its
 * byte-at-a-time inner loop: four digits at a time into 24-bit limbs, whose
 * products stay exact in doubles. Signatures are decoded once per document.
 */
export function decodeBase58(s: unknown, length: number): Uint8Array | null {
  if (typeof s !== 'string' || s.length === 0 || s.length > 2 * length + 8) return null;
  let zeros = 0;
  while (zeros < s.length && s.charCodeAt(zeros) === 0x31) zeros++; // each leading '1' is a 0x00 byte
  const size = length - zeros; // bytes the rest must take, its first one non-zero
  if (size < 0) return null;
  const limbs = new Array<number>(Math.ceil(size / 3) + 1).fill(0); // little-endian, 24 bits each
  let used = 0;
  for (let i = zeros; i < s.length;) {
    const g = Math.min(4, s.length - i);
    let add = 0;
    for (let j = 0; j < g; j++, i++) {
      const c = s.charCodeAt(i);
      const d = c < 128 ? DIGIT[c]! : -1;
      if (d < 0) return null;
      add = add * 58 + d;
    }
    let carry = add;
    const mul = POW58[g]!;
    let k = 0;
    for (; k < used || carry !== 0; k++) {
      if (k === limbs.length) return null; // longer than `length` bytes
      const t = limbs[k]! * mul + carry;
      limbs[k] = t % 0x1000000;
      carry = Math.floor(t / 0x1000000);
    }
    used = Math.max(used, k);
  }
  const out = new Uint8Array(length);
  for (let k = 0, at = length - 1; k < limbs.length; k++) {
    let v = limbs[k]!;
    for (let b = 0; b < 3; b++, at--) {
      if (at < zeros) { if (v !== 0) return null; continue; }
      out[at] = v & 0xff;
      v >>>= 8;
    }
  }
  return size === 0 || out[zeros] !== 0 ? out : null;
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
