/**
 * Batched range scans (SPEC.md §12): a for-await over a LevelDB iterator pays a
 * promise and a native call a key; `nextv` in batches of a thousand, with a read-ahead
 * of 1 MiB, pays them once a batch. Memory: one batch at a time.
 */
import type { LedgerDb } from './db.js';

/** Keys and values read per native call. */
const BATCH = 1000;
const HIGH_WATER = 1 << 20;

/** The keys in `bounds`, in order, a batch at a time. */
export async function* keyBatches(db: LedgerDb, bounds: { gt: string; lt: string }): AsyncGenerator<string[]> {
  const it = db.keys({ ...bounds, highWaterMarkBytes: HIGH_WATER } as typeof bounds);
  try {
    for (;;) {
      const batch = await it.nextv(BATCH);
      if (batch.length === 0) return;
      yield batch;
    }
  } finally {
    await it.close();
  }
}

/** The entries in `bounds`, in order, a batch at a time. */
export async function* entryBatches(db: LedgerDb, bounds: { gt: string; lt: string }): AsyncGenerator<[string, string][]> {
  const it = db.iterator({ ...bounds, highWaterMarkBytes: HIGH_WATER } as typeof bounds);
  try {
    for (;;) {
      const batch = await it.nextv(BATCH);
      if (batch.length === 0) return;
      yield batch as [string, string][];
    }
  } finally {
    await it.close();
  }
}
