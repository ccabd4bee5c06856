/**
 * Parallel verification (SPEC.md §7.6). Signature checks dominate the cost, so
 * documents are checked in worker threads in batches; results come back in input
 * order, with a bounded number of batches in flight so memory stays flat.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { federationToJson, type Federation } from '../model/federation.js';
import { limits } from '../model/limits.js';
import { noteDocumentHandled } from '../model/large-documents.js';
import { docSize, type RawDoc } from '../model/documents.js';
import { safeCheck, type CheckedDoc } from './document.js';
import { loadPostStep, type PostStep } from './post-step.js';
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
  /**
   * Workers to use instead of starting (and at the end stopping) a pool of its own: a caller
   * that also checks documents beside the stream (ingest's re-coupled blocks) shares them.
   */
  pool?: VerifyPool;
}

/** Verification workers, shared by whoever holds them (see {@link openVerifyPool}). */
export interface VerifyPool {
  /** Check a batch of documents; verdicts in the same order. */
  submit(docs: RawDoc[], large?: boolean): Promise<CheckedDoc[]>;
  /** Stop the workers (batches still waiting are rejected). */
  close(): Promise<void>;
  /** Worker threads (0: every batch is checked inline, on the caller's thread). */
  readonly workers: number;
}

/** One document checked on this thread, as a worker would check it (verify/worker.ts). */
function checkHere(raw: RawDoc, opts: PoolOptions, post: PostStep): CheckedDoc {
  return slimVerdict(safeCheck(raw, opts.federation, post), opts.keepDocs === true);
}

/**
 * Start verification workers (`workers`, default {@link defaultWorkers}; 0 checks inline).
 * @example const pool = openVerifyPool({ federation }); await pool.submit(docs); await pool.close()
 */
export function openVerifyPool(opts: PoolOptions): VerifyPool {
  const workers = opts.workers ?? defaultWorkers();
  if (workers > 0) return startWorkers(workers, opts);
  let post: Promise<PostStep> | null = null;
  return {
    workers: 0,
    async submit(docs) {
      const p = await (post ??= loadPostStep(opts.post));
      return docs.map((raw) => checkHere(raw, opts, p));
    },
    async close() { /* nothing runs */ },
  };
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
  const workers = opts.pool?.workers ?? opts.workers ?? defaultWorkers();
  const batchSize = opts.batchSize ?? 32;
  if (workers === 0) {
    const post = await loadPostStep(opts.post);
    for await (const raw of docs) {
      opts.signal?.throwIfAborted();
      yield checkHere(raw, opts, post);
      noteDocumentHandled(docSize(raw));
    }
    return;
  }
  const pool = opts.pool ?? startWorkers(workers, opts);
  const inFlight: Promise<CheckedDoc[]>[] = [];
  // Bytes in flight are bounded too (SPEC.md §21): a few large documents, each copied to a
  // worker and parsed there, must not add up past the memory goal.
  const sizes: number[] = [];
  let inFlightBytes = 0;
  const maxBytes = Math.max(limits().maxDocumentBytes, MIN_IN_FLIGHT_BYTES);
  try {
    let batch: RawDoc[] = [];
    let batchBytes = 0;
    for await (const raw of docs) {
      opts.signal?.throwIfAborted();
      batch.push(raw);
      batchBytes += docSize(raw);
      if (batch.length < batchSize && batchBytes < MAX_BATCH_BYTES) continue;
      // Wait for room first: the oldest batches are drained until this one fits the byte budget.
      while (inFlight.length >= workers * DEPTH || (inFlight.length > 0 && inFlightBytes + batchBytes > maxBytes)) {
        inFlightBytes -= sizes.shift()!;
        yield* await inFlight.shift()!;
      }
      inFlight.push(pool.submit(batch, batchBytes >= MAX_BATCH_BYTES));
      sizes.push(batchBytes);
      inFlightBytes += batchBytes;
      batch = [];
      batchBytes = 0;
    }
    if (batch.length > 0) inFlight.push(pool.submit(batch));
    while (inFlight.length > 0) yield* await inFlight.shift()!;
  } finally {
    if (opts.pool === undefined) await pool.close();
  }
}

// Batches in flight per worker. Results are consumed in input order, so a deeper queue keeps
// every worker busy while the oldest batch is still being checked (measured: 2 workers on
// 2 cores went from ~11,400 to ~13,000+ signatures/s between depths 3 and 8).
const DEPTH = 8;
// A batch is cut at this much document text (and is then "large"); in flight at most the
// document limit (or this floor).
const MAX_BATCH_BYTES = 1 << 20;
const MIN_IN_FLIGHT_BYTES = 16 << 20;

/**
 * A worker's heap limits. Old generation: enough for the largest document allowed (its text,
 * parse and canonical copies: measured under 16× its size for dense documents), and small
 * enough that V8 collects instead of growing — without it, four workers each kept ~100 MB of
 * garbage (SPEC.md §21). Young generation: what a worker allocates per document dies with its
 * batch, so a 4 MB nursery collects as well as V8's default (16 MB semi-spaces) and each
 * isolate's resident memory stays smaller. Measured (issue 13, 9,881-document ledger, 4
 * workers): ingest peak RSS 313 → 274 MB, CPU 4.2 → 3.9 s; verify (2 workers) 170 → 137 MB.
 */
function workerLimits(): { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number } {
  return { maxOldGenerationSizeMb: 64 + 16 * Math.ceil(limits().maxDocumentBytes / (1 << 20)), maxYoungGenerationSizeMb: 4 };
}

function startWorkers(n: number, opts: PoolOptions): VerifyPool {
  const url = new URL('./worker.js', import.meta.url);
  const waiting = new Map<number, { resolve: (v: CheckedDoc[]) => void; reject: (e: unknown) => void; docs: RawDoc[]; worker: number }>();
  let seq = 0;
  let closing = false;
  // A worker that dies (out of memory, a bug) loses no verdict and crashes nothing: its batches,
  // and later ones when no worker is left, are checked here, inline (SPEC.md §7.6).
  const dead = new Set<number>();
  let inlinePost: Promise<PostStep> | null = null;
  const inline = async (docs: RawDoc[]): Promise<CheckedDoc[]> => {
    const post = await (inlinePost ??= loadPostStep(opts.post));
    return docs.map((raw) => checkHere(raw, opts, post));
  };
  const lost = (i: number): void => {
    if (dead.has(i)) return;
    dead.add(i);
    for (const [s, w] of waiting) {
      if (w.worker !== i) continue;
      waiting.delete(s);
      if (closing) w.reject(new Error('verification pool closed'));
      else inline(w.docs).then(w.resolve, w.reject);
    }
  };
  const outstanding = new Array<number>(n).fill(0);
  const threads = Array.from({ length: n }, (_, i) => {
    const w = new Worker(url, { resourceLimits: workerLimits(), workerData: { federation: federationToJson(opts.federation), limits: { ...limits() }, keepDocs: opts.keepDocs === true, post: opts.post } });
    w.on('message', (m: { seq: number; out: CheckedDoc[] }) => {
      const p = waiting.get(m.seq);
      waiting.delete(m.seq);
      outstanding[i]!--;
      p?.resolve(m.out);
    });
    w.on('error', () => lost(i));
    w.on('exit', (code) => { if (code !== 0 || !closing) lost(i); });
    return w;
  });
  return {
    workers: n,
    // To the least busy worker: batches differ in cost (blocks vs votes), so round-robin
    // lets one worker's queue grow while another idles.
    // A batch of large documents always goes to the first live worker, so one heap, not every
    // worker's, grows to the size such documents need (SPEC.md §21).
    submit(docs, large = false) {
      let i = -1;
      for (let j = 0; j < n; j++) {
        if (dead.has(j)) continue;
        if (i < 0) { i = j; if (large) break; } else if (outstanding[j]! < outstanding[i]!) i = j;
      }
      if (i < 0) return inline(docs);
      outstanding[i]!++;
      const s = seq++;
      const p = new Promise<CheckedDoc[]>((resolve, reject) => {
        waiting.set(s, { resolve, reject, docs, worker: i });
        threads[i]!.postMessage({ seq: s, docs });
      });
      // Batches abandoned by a caller that stopped early may be rejected at close: never unhandled.
      p.catch(() => undefined);
      return p;
    },
    async close() {
      closing = true;
      await Promise.all(threads.map((t) => t.terminate()));
    },
  };
}
