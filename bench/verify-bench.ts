/**
 * Verification benchmark (issue 2, item 12): the whole pipeline — read, parse,
 * canonical bytes, hashes, signatures, elections — over a generated ledger,
 * beside the bare-libsodium calibration of the same run.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { availableParallelism } from 'node:os';
import { loadFederation } from '../src/model/federation.js';
import { verifyDocuments } from '../src/ops/verify.js';
import type { RawDoc } from '../src/sources/source.js';
import type { CachedLedger } from './ledger-cache.js';

/** Figures of one verification run. */
export interface VerifyFigures {
  blocks: number; votes: number; signatures: number; seconds: number;
  signaturesPerSecond: number; blocksPerSecond: number; peakRssMb: number; findings: number; workers: number;
}

/** Stream an NDJSON file as raw documents carrying their text (parsed in the workers). */
export async function* ndjsonDocs(file: string): AsyncGenerator<RawDoc> {
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    line++;
    if (text.length > 0) yield { table: null, doc: undefined, text, origin: `${file}:${line}` };
  }
}

/** Signatures in an NDJSON ledger: one per block and per vote, one per input fulfillment. */
export async function countSignatures(file: string): Promise<number> {
  let n = 0;
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (text.length === 0) continue;
    n += 1 + (text.match(/"fulfillment":"/g)?.length ?? 0);
  }
  return n;
}

/** Verify a cached ledger with `workers` threads and measure. */
export async function benchVerify(ledger: CachedLedger, workers = availableParallelism()): Promise<VerifyFigures> {
  const federation = loadFederation(ledger.federation);
  const signatures = await countSignatures(ledger.file);
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 100);
  const t0 = performance.now();
  const report = await verifyDocuments({ docs: ndjsonDocs(ledger.file), federation, workers });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return {
    blocks: report.counts.block.checked, votes: report.counts.vote.checked, signatures, seconds,
    signaturesPerSecond: signatures / seconds, blocksPerSecond: report.counts.block.checked / seconds,
    peakRssMb: peak / 2 ** 20, findings: report.findings, workers,
  };
}
