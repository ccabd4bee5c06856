/**
 * Calibration measured in the same run as the benchmark: a bare libsodium
 * Ed25519 verify loop on one core (no parsing, no hashing, one fixed message of
 * 1,200 bytes: about a canonical transaction, the median signed message of the
 * benchmark ledger; blocks sign ~6 KB, votes ~300 B). Reported both per wall
 * second and per CPU second of this thread: on a machine shared with other work,
 * wall time varies with load; CPU time much less.
 */
import { createRequire } from 'node:module';

interface Sodium {
  crypto_sign_verify_detached(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean;
  crypto_sign_keypair(pk: Uint8Array, sk: Uint8Array): void;
  crypto_sign_detached(sig: Uint8Array, msg: Uint8Array, sk: Uint8Array): void;
}

/** Bytes of the calibration message. */
export const CALIBRATION_MESSAGE_BYTES = 1200;

/** Verifications per wall second and per CPU second of bare libsodium on this thread. */
export interface Calibration { perSecond: number; perCpuSecond: number; messageBytes: number }

/** CPU seconds used by this process so far (all threads). */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Measure bare libsodium verification on this thread for `seconds` (wall). */
export function calibrate(seconds = 2): Calibration {
  const sodium = createRequire(import.meta.url)('sodium-native') as Sodium;
  const pk = Buffer.alloc(32), sk = Buffer.alloc(64), sig = Buffer.alloc(64);
  const msg = Buffer.alloc(CALIBRATION_MESSAGE_BYTES, 7);
  sodium.crypto_sign_keypair(pk, sk);
  sodium.crypto_sign_detached(sig, msg, sk);
  let n = 0;
  const c0 = cpuSeconds(), t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 200; i++) if (!sodium.crypto_sign_verify_detached(sig, msg, pk)) throw new Error('calibration: bad signature');
    n += 200;
  }
  const wall = (performance.now() - t0) / 1000, cpu = cpuSeconds() - c0;
  return { perSecond: n / wall, perCpuSecond: n / cpu, messageBytes: CALIBRATION_MESSAGE_BYTES };
}

/** Verifications per second of bare libsodium on this thread, over `seconds`. */
export function sodiumVerifyRate(seconds = 2): number {
  return calibrate(seconds).perSecond;
}
