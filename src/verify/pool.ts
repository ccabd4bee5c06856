/**
 * Parallel verification (SPEC.md §7.6). Signature checks dominate the cost, so
 * documents are checked in worker threads in batches; results come back in input
 * order, with a bounded number of batches in flight so memory stays flat.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { federationToJson, type Federation } from '../model/federation.js';
import { limits } from '../model/limits.js';
import type { RawDoc } from '../model/documents.js';
import { safeCheck, type CheckedDoc } from './document.js';
import { loadPostStep } from './post-step.js';
import { slimVerdict } from './slim.js';

/** Options of {@link checkDocuments}. */
export interface PoolOptions {
  federation: Federation;
  /** Worker threads; 0 checks inline. Default: {@link defaultWorkers}. */
  workers?: number;
  /** Documents per batch (default 32). */
  batchSize?: number;
  /** Keep whole documents in block verdicts (verify does not need them). */
  keepDocs?: boolean;
  /** URL of a post-step module run on each verdict in the worker (verify/post-step.ts). */
  post?: string;
  signal?: AbortSignal;
}

/**
 * The default number of workers: two per available core, at most 8. Measured on the 2-core
 * machine (20,000-block ledger, SPEC.md §7.6): 2 workers ~13,000 signatures/s, 3 ~14,000,
 * 4 ~15,500, 6 ~14,500, 8 ~12,800 — while one worker waits on a message the other keeps the core.
 */
export function defaultWorkers(): number {
  return Math.min(8, Math.max(1, 2 * availableParallelism()));
}

/**
 * Check a stream of raw documents, yielding one verdict per document, in order.
 * @example for await (const v of checkDocuments(docs, { federation })) ...
 */
export async function* checkDocuments(docs: AsyncIterable<RawDoc> | Iterable<RawDoc>, opts: PoolOptions): AsyncGenerator<CheckedDoc> {
  const workers = opts.workers ?? defaultWorkers();
  const batchSize = opts.batchSize ?? 32;
  if (workers === 0) {
    const post = await loadPostStep(opts.post);
    for await (const raw of docs) {
      opts.signal?.throwIfAborted();
      yield slimVerdict(safeCheck(raw, opts.federation, post), opts.keepDocs === true);
    }
    return;
  }
  const pool = startWorkers(workers, opts);
  const inFlight: Promise<CheckedDoc[]>[] = [];
  try {
    let batch: RawDoc[] = [];
    for await (const raw of docs) {
      opts.signal?.throwIfAborted();
      batch.push(raw);
      if (batch.length < batchSize) continue;
      inFlight.push(pool.submit(batch));
      batch = [];
      if (inFlight.length >= workers * DEPTH) yield* await inFlight.shift()!;
    }
    if (batch.length > 0) inFlight.push(pool.submit(batch));
    while (inFlight.length > 0) yield* await inFlight.shift()!;
  } finally {
    await pool.close();
  }
}

// Batches in flight per worker. Results are consumed in input order, so a deeper queue keeps
// every worker busy while the oldest batch is still being checked (measured: 2 workers on
// 2 cores went from ~11,400 to ~13,000+ signatures/s between depths 3 and 8).
const DEPTH = 8;

// A small young generation per worker: what a worker allocates per document dies with its
// batch, so a 4 MB nursery collects as well as V8's default (16 MB semi-spaces) and each
// isolate's resident memory stays smaller. Measured (issue 13, 9,881-document ledger, 4
// workers): ingest peak RSS 313 → 274 MB, CPU 4.2 → 3.9 s; verify (2 workers) 170 → 137 MB.
// Only the nursery is bounded: the old generation keeps V8's default, so no document within
// the input limits (SPEC.md §21) can exhaust a worker.
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 };

interface Pool { submit(docs: RawDoc[]): Promise<CheckedDoc[]>; close(): Promise<void> }

function startWorkers(n: number, opts: PoolOptions): Pool {
  const url = new URL('./worker.js', import.meta.url);
  const waiting = new Map<number, { resolve: (v: CheckedDoc[]) => void; reject: (e: unknown) => void }>();
  let seq = 0;
  const fail = (err: unknown): void => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  const outstanding = new Array<number>(n).fill(0);
  const threads = Array.from({ length: n }, (_, i) => {
    const w = new Worker(url, { resourceLimits: WORKER_LIMITS, workerData: { federation: federationToJson(opts.federation), limits: { ...limits() }, keepDocs: opts.keepDocs === true, post: opts.post } });
    w.on('message', (m: { seq: number; out: CheckedDoc[] }) => {
      const p = waiting.get(m.seq);
      waiting.delete(m.seq);
      outstanding[i]!--;
      p?.resolve(m.out);
    });
    w.on('error', fail);
    w.on('exit', (code) => { if (code !== 0) fail(new Error(`verification worker exited with code ${code}`)); });
    return w;
  });
  return {
    // To the least busy worker: batches differ in cost (blocks vs votes), so round-robin
    // lets one worker's queue grow while another idles.
    submit(docs) {
      let i = 0;
      for (let j = 1; j < n; j++) if (outstanding[j]! < outstanding[i]!) i = j;
      outstanding[i]!++;
      const s = seq++;
      const p = new Promise<CheckedDoc[]>((resolve, reject) => {
        waiting.set(s, { resolve, reject });
        threads[i]!.postMessage({ seq: s, docs });
      });
      // Batches behind the one awaited may fail too (a worker that died fails them all): their
      // rejection is seen when they are awaited, or never — it must not crash the process.
      p.catch(() => undefined);
      return p;
    },
    async close() {
      await Promise.all(threads.map((t) => t.terminate()));
    },
  };
}
