/**
 * Verification benchmark (issue 2, item 12): the whole pipeline — read, parse,
 * canonical bytes, hashes, signatures, elections — over a generated ledger,
 * beside the bare-libsodium calibration of the same run.
 */
import { createReadStream } from 'node:fs';
import { defaultWorkers } from '../src/verify/pool.js';
import { calibrate, cpuSeconds } from './calibrate.js';
import { loadFederation } from '../src/model/federation.js';
import { verifyDocuments } from '../src/ops/verify.js';
import type { RawDoc } from '../src/model/documents.js';
import type { CachedLedger } from './ledger-cache.js';

/** Figures of one verification run. */
export interface VerifyFigures {
  blocks: number; votes: number; signatures: number; seconds: number;
  signaturesPerSecond: number; blocksPerSecond: number; peakRssMb: number; findings: number; workers: number;
  /** CPU seconds of the whole process (main thread and workers) during the run. */
  cpuSeconds: number;
  signaturesPerCpuSecond: number;
  /** Bare libsodium verifications per CPU second, measured just before the run. */
  calibrationPerCpuSecond: number;
  /** signaturesPerCpuSecond / calibrationPerCpuSecond: the load-independent share of bare libsodium. */
  ratioOfCalibrationCpu: number;
}

/** Lines of an NDJSON file, read in 1 MiB chunks (readline costs several times more per line). */
async function* lines(file: string): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const parts = (rest + (chunk as string)).split('\n');
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest.length > 0) yield rest;
}

/** Stream an NDJSON file as raw documents carrying their text (parsed in the workers). */
export async function* ndjsonDocs(file: string): AsyncGenerator<RawDoc> {
  let line = 0;
  for await (const raw of lines(file)) {
    line++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.length > 0) yield { table: null, doc: undefined, text, origin: `${file}:${line}` };
  }
}

/** Signatures in an NDJSON ledger: one per block and per vote, one per input fulfillment. */
export async function countSignatures(file: string): Promise<number> {
  let n = 0;
  for await (const text of lines(file)) {
    if (text.length === 0) continue;
    n += 1 + (text.match(/"fulfillment":"/g)?.length ?? 0);
  }
  return n;
}

/**
 * Verify a cached ledger with `workers` threads and measure. Besides wall-clock
 * rates it reports CPU time of the whole process (main thread + workers) against a
 * CPU-time calibration of bare libsodium: on a shared machine wall time follows the
 * load, while signatures per CPU second compare the pipeline's work with libsodium's.
 * With the cores to itself, wall ratio ≈ CPU ratio when the workers keep every core busy.
 */
export async function benchVerify(ledger: CachedLedger, workers = defaultWorkers()): Promise<VerifyFigures> {
  const federation = loadFederation(ledger.federation);
  const signatures = await countSignatures(ledger.file);
  const cal = calibrate(1);
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 100);
  const t0 = performance.now(), c0 = cpuSeconds();
  const report = await verifyDocuments({ docs: ndjsonDocs(ledger.file), federation, workers });
  const seconds = (performance.now() - t0) / 1000, cpu = cpuSeconds() - c0;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(`verify, CPU time: ${cpu.toFixed(1)} CPU s (main thread + ${workers} workers) → ${Math.round(signatures / cpu)} signatures per CPU second,`
    + ` ${(signatures / cpu / cal.perCpuSecond * 100).toFixed(0)}% of bare libsodium's ${Math.round(cal.perCpuSecond)} per CPU second (${cal.messageBytes}-byte message)`);
  return {
    blocks: report.counts.block.checked, votes: report.counts.vote.checked, signatures, seconds,
    signaturesPerSecond: signatures / seconds, blocksPerSecond: report.counts.block.checked / seconds,
    peakRssMb: peak / 2 ** 20, findings: report.findings, workers, cpuSeconds: cpu, signaturesPerCpuSecond: signatures / cpu,
    calibrationPerCpuSecond: cal.perCpuSecond, ratioOfCalibrationCpu: signatures / cpu / cal.perCpuSecond,
  };
}
