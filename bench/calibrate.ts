/**
 * Calibration measured in the same run as the benchmark: a bare libsodium
 * Ed25519 verify loop on one core (no parsing, no hashing, one fixed message).
 */
import { createRequire } from 'node:module';

interface Sodium {
  crypto_sign_verify_detached(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean;
  crypto_sign_keypair(pk: Uint8Array, sk: Uint8Array): void;
  crypto_sign_detached(sig: Uint8Array, msg: Uint8Array, sk: Uint8Array): void;
}

/** Verifications per second of bare libsodium on this thread, over `seconds`. */
export function sodiumVerifyRate(seconds = 2): number {
  const sodium = createRequire(import.meta.url)('sodium-native') as Sodium;
  const pk = Buffer.alloc(32), sk = Buffer.alloc(64), sig = Buffer.alloc(64);
  const msg = Buffer.alloc(1200, 7); // about one canonical transaction
  sodium.crypto_sign_keypair(pk, sk);
  sodium.crypto_sign_detached(sig, msg, sk);
  let n = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 200; i++) if (!sodium.crypto_sign_verify_detached(sig, msg, pk)) throw new Error('calibration: bad signature');
    n += 200;
  }
  return n / seconds;
}
