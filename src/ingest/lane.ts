/**
 * Documents checked beside ingest's main stream (SPEC.md §7.6, §12.4): re-coupled
 * stored-layout blocks go back to the same verification workers, batched, and their
 * verdicts come back as promises. The caller applies them between documents (the
 * re-coupler's `settle`), so a LevelDB batch still holds whole documents only.
 */
import type { RawDoc } from '../model/documents.js';
import type { CheckedDoc } from '../verify/document.js';
import type { VerifyPool } from '../verify/pool.js';

interface Job { raw: RawDoc; resolve: (v: CheckedDoc) => void; reject: (e: unknown) => void }

/** Batches documents onto a verification pool. */
export class CheckLane {
  private batch: Job[] = [];
  private readonly pool: VerifyPool;
  private readonly batchSize: number;

  /** `batchSize` documents per message to a worker (default 16: a block costs ~100× a message). */
  constructor(pool: VerifyPool, batchSize = 16) {
    this.pool = pool;
    this.batchSize = batchSize;
  }

  /** Queue one document; it goes out with a full batch or at the next {@link send}. */
  check(raw: RawDoc): Promise<CheckedDoc> {
    return new Promise<CheckedDoc>((resolve, reject) => {
      this.batch.push({ raw, resolve, reject });
      if (this.batch.length >= this.batchSize) this.send();
    });
  }

  /** Send what is queued now (before waiting on a verdict, so none waits for a full batch). */
  send(): void {
    if (this.batch.length === 0) return;
    const jobs = this.batch;
    this.batch = [];
    this.pool.submit(jobs.map((j) => j.raw)).then(
      (out) => jobs.forEach((j, i) => j.resolve(out[i]!)),
      (err: unknown) => jobs.forEach((j) => j.reject(err)));
  }
}
