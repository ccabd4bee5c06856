/**
 * The one place sodium-native is loaded (SPEC.md §4). It is optional: when it cannot
 * load, or `LEDGER_ARCHIVE_NO_SODIUM=1` asks to do without, callers fall back to
 * node:crypto or tweetnacl.
 */
import { createRequire } from 'node:module';

let loaded: unknown;

/**
 * sodium-native typed as the caller's view of it, or null when unavailable.
 * @example const s = loadSodium<{ crypto_sign_verify_detached(...): boolean }>()
 */
export function loadSodium<T>(): T | null {
  if (process.env.LEDGER_ARCHIVE_NO_SODIUM === '1') return null;
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('sodium-native');
    } catch {
      loaded = null;
    }
  }
  return loaded as T | null;
}
