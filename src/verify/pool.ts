/**
 * Parallel verification (SPEC.md §7.6). Signature checks dominate the cost, so
 * documents are checked in worker threads in batches; results come back in input
 * order, with a bounded number of batches in flight so memory stays flat.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { federationToJson, type Federation } from '../model/federation.js';
import type { RawDoc } from '../sources/source.js';
import { checkDocument, type CheckedDoc } from './document.js';
import { loadPostStep } from './post-step.js';
import { slimVerdict } from './slim.js';

/** Options of {@link checkDocuments}. */
export interface PoolOptions {
  federation: Federation;
  /** Worker threads; 0 checks inline. Default: available cores (max 8). */
  workers?: number;
  /** Documents per batch (default 32). */
  batchSize?: number;
  /** Keep whole documents in block verdicts (verify does not need them). */
  keepDocs?: boolean;
  /** URL of a post-step module run on each verdict in the worker (verify/post-step.ts). */
  post?: string;
  signal?: AbortSignal;
}

/** The default number of workers: one per available core, at most 8. */
export function defaultWorkers(): number {
  return Math.min(8, Math.max(1, availableParallelism()));
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
      yield slimVerdict(post(checkDocument(raw, opts.federation), raw), opts.keepDocs === true);
    }
    return;
  }
  const pool = startWorkers(workers, opts);
  const inFlight: Promise<CheckedDoc[]>[] = [];
  let next = 0;
  try {
    let batch: RawDoc[] = [];
    for await (const raw of docs) {
      opts.signal?.throwIfAborted();
      batch.push(raw);
      if (batch.length < batchSize) continue;
      inFlight.push(pool.submit(batch, next++ % workers));
      batch = [];
      if (inFlight.length >= workers * 3) yield* await inFlight.shift()!;
    }
    if (batch.length > 0) inFlight.push(pool.submit(batch, next++ % workers));
    while (inFlight.length > 0) yield* await inFlight.shift()!;
  } finally {
    await pool.close();
  }
}

interface Pool { submit(docs: RawDoc[], worker: number): Promise<CheckedDoc[]>; close(): Promise<void> }

function startWorkers(n: number, opts: PoolOptions): Pool {
  const url = new URL('./worker.js', import.meta.url);
  const waiting = new Map<number, { resolve: (v: CheckedDoc[]) => void; reject: (e: unknown) => void }>();
  let seq = 0;
  const fail = (err: unknown): void => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  const threads = Array.from({ length: n }, () => {
    const w = new Worker(url, { workerData: { federation: federationToJson(opts.federation), keepDocs: opts.keepDocs === true, post: opts.post } });
    w.on('message', (m: { seq: number; out: CheckedDoc[] }) => {
      const p = waiting.get(m.seq);
      waiting.delete(m.seq);
      p?.resolve(m.out);
    });
    w.on('error', fail);
    w.on('exit', (code) => { if (code !== 0) fail(new Error(`verification worker exited with code ${code}`)); });
    return w;
  });
  return {
    submit(docs, i) {
      const s = seq++;
      return new Promise((resolve, reject) => {
        waiting.set(s, { resolve, reject });
        threads[i]!.postMessage({ seq: s, docs });
      });
    },
    async close() {
      await Promise.all(threads.map((t) => t.terminate()));
    },
  };
}
