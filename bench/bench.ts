/**
 * `npm run bench`: benchmarks, not tests (SPEC.md §17). Prints a table on stdout
 * and one JSON line per section; generated ledgers are cached in bench/.cache/.
 * BENCH_BLOCKS / BENCH_SECTIONS (comma list) narrow a run.
 */
import { availableParallelism, cpus } from 'node:os';
import { sodiumVerifyRate } from './calibrate.js';
import { defaultWorkers } from '../src/verify/pool.js';
import { cachedLedger } from './ledger-cache.js';
import { benchVerify } from './verify-bench.js';
import { extraSections } from './sections.js';

const log = (s: string): void => { process.stderr.write(`${s}\n`); };
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const only = process.env.BENCH_SECTIONS?.split(',');
  const want = (s: string): boolean => only === undefined || only.includes(s);
  const cores = availableParallelism();
  log(`machine: ${cores} cores, ${cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version}`);
  const calibration = sodiumVerifyRate(2);
  console.log(`calibration: bare libsodium verify, one core: ${fmt(calibration)} signatures/s`);
  console.log(JSON.stringify({ section: 'calibration', signaturesPerSecondPerCore: calibration, cores }));
  if (want('verify')) {
    const blocks = Number(process.env.BENCH_BLOCKS ?? 20000);
    const ledger = await cachedLedger(`verify-${blocks}`, { blocks, txsPerBlock: [1, 10], seed: 'bench', undecided: [2, 1, 0] }, log);
    const f = await benchVerify(ledger, defaultWorkers());
    const ratio = f.signaturesPerSecond / (calibration * cores);
    console.log(`verify: ${fmt(f.blocks)} blocks, ${fmt(f.votes)} votes, ${fmt(f.signatures)} signatures in ${f.seconds.toFixed(1)} s`
      + ` → ${fmt(f.signaturesPerSecond)} signatures/s, ${fmt(f.blocksPerSecond)} blocks/s, peak RSS ${f.peakRssMb.toFixed(0)} MB,`
      + ` ${(ratio * 100).toFixed(0)}% of calibration × ${cores} cores (goal ≥ 85%), findings ${f.findings}`);
    console.log(JSON.stringify({ section: 'verify', ...f, ratioOfCalibration: ratio }));
  }
  for (const section of extraSections) {
    if (!want(section.name)) continue;
    await section.run({ log, fmt, calibration, cores });
  }
}

main().catch((err: unknown) => { console.error(err); process.exitCode = 1; });
