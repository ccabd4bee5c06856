/**
 * NaCl secretbox (XSalsa20-Poly1305) for sealed exports. tweetnacl is the reference
 * (and the fallback); libsodium (sodium-native) computes the same bytes — its
 * `crypto_secretbox_easy` output is tweetnacl's `secretbox` output, tag first — several
 * times faster, and is used when it loads (as for Ed25519, src/crypto/ed25519.ts).
 * `LEDGER_ARCHIVE_NO_SODIUM=1` forces tweetnacl.
 */
import nacl from 'tweetnacl';
import { loadSodium } from '../crypto/sodium.js';

interface SodiumBox {
  crypto_secretbox_easy(c: Uint8Array, m: Uint8Array, n: Uint8Array, k: Uint8Array): void;
  crypto_secretbox_open_easy(m: Uint8Array, c: Uint8Array, n: Uint8Array, k: Uint8Array): boolean;
}

/** Bytes a box adds to its message (the Poly1305 tag). */
export const BOX_OVERHEAD = nacl.secretbox.overheadLength;

const sodium = loadSodium<SodiumBox>();

/** A secretbox implementation. */
export interface SecretboxBackend {
  name: 'sodium' | 'tweetnacl';
  seal(plain: Uint8Array, nonce: Uint8Array, key: Uint8Array): Buffer;
  /** The plaintext, or null when the box does not authenticate. */
  open(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Buffer | null;
}

const tweetnacl: SecretboxBackend = {
  name: 'tweetnacl',
  seal: (m, n, k) => { const b = nacl.secretbox(m, n, k); return Buffer.from(b.buffer, b.byteOffset, b.length); },
  open: (c, n, k) => { const m = nacl.secretbox.open(c, n, k); return m === null ? null : Buffer.from(m.buffer, m.byteOffset, m.length); },
};

const fast: SecretboxBackend | null = sodium === null ? null : {
  name: 'sodium',
  seal: (m, n, k) => { const c = Buffer.allocUnsafe(m.length + BOX_OVERHEAD); sodium.crypto_secretbox_easy(c, m, n, k); return c; },
  open: (c, n, k) => {
    if (c.length < BOX_OVERHEAD) return null;
    const m = Buffer.allocUnsafe(c.length - BOX_OVERHEAD);
    return sodium.crypto_secretbox_open_easy(m, c, n, k) ? m : null;
  },
};

/** Every available backend (tests compare them). */
export const SECRETBOX_BACKENDS: readonly SecretboxBackend[] = fast === null ? [tweetnacl] : [fast, tweetnacl];

/** The backend sealed exports use: sodium when it loads, else tweetnacl. */
export const secretbox: SecretboxBackend = fast ?? tweetnacl;
