/**
 * The `steps` section (issue 13, "Bench"): at each ledger size of BENCH_STEP_BLOCKS
 * (default 20000,100000) — verify, ingest of the NDJSON, pull from a `rethinkdb dump` file,
 * pull from the real RethinkDB server (../shared/rethinkdb/, started here on 127.0.0.1 with
 * a fresh data dir, loaded by `rebuild` from the ingested archive, stopped after), check,
 * export, rebuild into a dump file and audit (issue 15: ≤ 1.5× verify's time). Each step is a child process of its own, so its peak
 * RSS (maxRSS) and CPU time (user + sys, all threads) are its own; the CPU time is also split
 * into the main thread's and the other threads' (workers, libuv, LevelDB, GC) from /proc, and
 * peak RSS beside the peak of anonymous RSS (sampled; the rest is LevelDB's mapped tables).
 *
 * The ratios the issue's goals name are of CPU time (the machine is shared: wall time follows
 * the load), beside wall time; verify's share of the ceiling is signatures per CPU second over
 * bare libsodium per CPU second, both measured in this run (calibrate.ts).
 * Run alone: node dist/bench/steps-bench.js   (child: steps-bench.js MODE ARGS...)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDocuments } from '../src/cli/open-documents.js';
import { loadFederation } from '../src/model/federation.js';
import { audit } from '../src/ops/audit.js';
import { check } from '../src/ops/check.js';
import { exportArchive } from '../src/ops/export.js';
import { ingest } from '../src/ops/ingest.js';
import { pull } from '../src/ops/pull.js';
import { rebuild } from '../src/ops/rebuild.js';
import { verifyDocuments } from '../src/ops/verify.js';
import { noopReporter } from '../src/report/reporter.js';
import { closeArchive, initArchive, openArchive } from '../src/store/archive.js';
import { findRethinkdb, startRealRethinkdb } from '../test/helpers/real-rethinkdb.js';
import { calibrate } from './calibrate.js';
import { cachedLedger } from './ledger-cache.js';
import { cachedDump } from './pull-bench.js';
import type { BenchContext, BenchSection } from './sections.js';
import { countSignatures } from './verify-bench.js';

const SELF = fileURLToPath(import.meta.url);

/** What a child step reports. */
interface Step { seconds: number; cpuSeconds: number; mainCpuSeconds: number; maxRssMb: number; peakAnonMb: number; documents: number }

/**
 * Anonymous resident memory now, in MB (Linux /proc; NaN elsewhere). The rest of RSS is
 * file-backed: LevelDB maps its table files, so those pages (page cache, reclaimable)
 * count in maxRSS and grow with the archive; anonymous memory is the process's own.
 */
function rssAnonMb(): number {
  try {
    const m = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m === null ? Number.NaN : Number(m[1]) / 1024;
  } catch { return Number.NaN; }
}

/** CPU seconds of this process's main thread (Linux /proc; NaN elsewhere). */
function mainThreadCpu(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100 on Linux)
  } catch { return Number.NaN; }
}

/** Child: run one step and print its figures as one JSON line. */
async function child(mode: string, args: string[]): Promise<void> {
  const [a, b, c] = args as [string, string, string];
  let peakAnon = rssAnonMb();
  const sampler = setInterval(() => { peakAnon = Math.max(peakAnon, rssAnonMb()); }, 50);
  const cpu0 = process.cpuUsage(), main0 = mainThreadCpu(), t0 = performance.now();
  let documents = 0;
  if (mode === 'verify') {
    const r = await verifyDocuments({ docs: openDocuments([a]), federation: loadFederation(b) });
    documents = r.counts.block.checked + r.counts.vote.checked;
  } else if (mode === 'ingest' || mode === 'pull') {
    // a = input, b = federation, c = a fresh archive dir (init takes milliseconds)
    await initArchive({ dir: c, federation: loadFederation(b) });
    const archive = await openArchive({ dir: c });
    const s = mode === 'ingest' ? await ingest({ archive, docs: openDocuments([a]) })
      : (await pull({ archive, from: a, selection: { all: true }, env: {} })).summary;
    documents = s.new;
    await closeArchive(archive);
  } else {
    // Read-only, as the CLI opens the archive for these commands (a private copy, SPEC.md §15.1).
    const archive = await openArchive({ dir: a, readOnly: true });
    if (mode === 'check') { const r = await check({ archive }); documents = r.documents.blocks + r.documents.votes; }
    else if (mode === 'export') documents = Object.values((await exportArchive({ archive, out: b })).counts).reduce((x, y) => x + y, 0);
    else if (mode === 'audit') { const r = await audit({ archive, reporter: noopReporter }); documents = r.blocks + r.votes; }
    else { const r = await rebuild({ archive, to: b, keepUndecided: true, force: true, env: {} }); documents = Object.values(r.written ?? {}).reduce((x, y) => x + (y ?? 0), 0); }
    await closeArchive(archive);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  const out: Step = { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, mainCpuSeconds: mainThreadCpu() - main0, maxRssMb: process.resourceUsage().maxRSS / 1024,
    peakAnonMb: Math.max(peakAnon, rssAnonMb()), documents };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function run(args: string[]): Step {
  const r = spawnSync(process.execPath, [SELF, ...args], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`steps-bench ${args[0]} exited with ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Step;
}

/** One ledger size: every step, then the table. */
async function benchSize(blocks: number, ctx: BenchContext): Promise<void> {
  // The verify section's shape (4 voters, 1–10 transactions per block: the figures), with
  // plain payloads: rich ones hold integers beyond 2^53, which RethinkDB (doubles) cannot store.
  const ledger = await cachedLedger(`steps-${blocks}`, { blocks, txsPerBlock: [1, 10], seed: 'bench', undecided: [2, 1, 0], richData: false }, ctx.log);
  // BENCH_STEPS (optional): only these steps (verify, ingest, pull, check, export, rebuild, audit,
  // rethinkdb: the two steps with the real server); check, export, rebuild and audit read the
  // ingested archive, so they need ingest.
  const only = process.env.BENCH_STEPS?.split(',');
  const dump = only === undefined || only.includes('pull') ? await cachedDump(ledger, ctx) : '';
  const signatures = await countSignatures(ledger.file);
  const tmp = mkdtempSync(join(tmpdir(), 'la-steps-bench-'));
  const steps: Record<string, Step> = {};
  const step = (name: string, args: string[]): void => {
    const id = name.includes('RethinkDB') ? 'rethinkdb' : name.split(' ')[0]!;
    if (only !== undefined && !only.includes(id)) return;
    ctx.log(`  ${blocks} blocks: ${name}`);
    try {
      const s = run(args);
      steps[name] = s;
      ctx.log(`    ${s.seconds.toFixed(1)} s wall, ${s.cpuSeconds.toFixed(1)} s CPU (main ${s.mainCpuSeconds.toFixed(1)}), peak ${s.maxRssMb.toFixed(0)} MB (anonymous ${s.peakAnonMb.toFixed(0)} MB), ${s.documents} documents`);
    } catch (err) { console.log(`steps ${blocks} blocks: ${name} failed: ${(err as Error).message}`); }
  };
  try {
    const cal = calibrate(2);
    step('verify', ['verify', ledger.file, ledger.federation]);
    step('ingest', ['ingest', ledger.file, ledger.federation, join(tmp, 'ingested')]);
    step('pull dump', ['pull', dump, ledger.federation, join(tmp, 'pulled-dump')]);
    step('check', ['check', join(tmp, 'ingested')]);
    step('export', ['export', join(tmp, 'ingested'), join(tmp, 'out.lae')]);
    step('rebuild', ['rebuild', join(tmp, 'ingested'), join(tmp, 'rebuilt.tar.gz')]);
    step('audit', ['audit', join(tmp, 'ingested')]);
    const found = only !== undefined && !only.includes('rethinkdb') ? { skip: 'not in BENCH_STEPS' } : findRethinkdb();
    if ('skip' in found) console.log(`steps: real RethinkDB skipped: ${found.skip}`);
    else {
      const server = await startRealRethinkdb();
      try {
        const url = `rethinkdb://admin@127.0.0.1:${server.port}/bigchain`;
        step('rebuild → RethinkDB (load)', ['rebuild', join(tmp, 'ingested'), url]);
        step('pull RethinkDB', ['pull', url, ledger.federation, join(tmp, 'pulled-rdb')]);
      } finally { await server.close(); }
    }
    const v = steps.verify;
    if (v === undefined) return;
    const sigCpu = signatures / v.cpuSeconds;
    console.log(`steps ${ctx.fmt(blocks)} blocks, ${ctx.fmt(signatures)} signatures; calibration ${ctx.fmt(cal.perCpuSecond)} verifies per CPU s, one core`);
    console.log(`  verify: ${ctx.fmt(signatures / v.seconds)} signatures/s wall, ${ctx.fmt(sigCpu)} per CPU s = ${(sigCpu / cal.perCpuSecond * 100).toFixed(0)}% of the ceiling`
      + ` (calibration × ${ctx.cores} cores over ${ctx.cores} cores' CPU; goal ≥ 85%); by wall: ${(signatures / v.seconds / (cal.perSecond * ctx.cores) * 100).toFixed(0)}%`);
    console.log('  step                        wall s   CPU s  main CPU s  other CPU s  ×verify CPU  ×verify wall  peak MB  anon MB  documents');
    for (const [name, s] of Object.entries(steps)) {
      console.log(`  ${name.padEnd(26)} ${s.seconds.toFixed(1).padStart(7)} ${s.cpuSeconds.toFixed(1).padStart(7)} ${s.mainCpuSeconds.toFixed(1).padStart(11)}`
        + ` ${(s.cpuSeconds - s.mainCpuSeconds).toFixed(1).padStart(12)} ${(s.cpuSeconds / v.cpuSeconds).toFixed(2).padStart(12)} ${(s.seconds / v.seconds).toFixed(2).padStart(13)}`
        + ` ${s.maxRssMb.toFixed(0).padStart(8)} ${s.peakAnonMb.toFixed(0).padStart(8)} ${ctx.fmt(s.documents).padStart(10)}`);
    }
    console.log('  goals: ingest, pull dump, pull RethinkDB ≤ 1.15× verify; audit ≤ 1.5× verify; peak ≤ 250 MB per step, flat across sizes');
    console.log(JSON.stringify({ section: 'steps', blocks, signatures, calibration: cal, signaturesPerCpuSecond: sigCpu, ratioOfCeilingCpu: sigCpu / cal.perCpuSecond, steps }));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The section as the runner lists it. */
export const stepsSection: BenchSection = {
  name: 'steps',
  async run(ctx) {
    for (const n of (process.env.BENCH_STEP_BLOCKS ?? '20000,100000').split(',')) await benchSize(Number(n), ctx);
  },
};

if (process.argv[1] === SELF) {
  const [mode, ...args] = process.argv.slice(2);
  if (mode !== undefined) await child(mode, args);
  else await stepsSection.run({ log: (s) => process.stderr.write(`${s}\n`), fmt: (n) => Math.round(n).toLocaleString('en-US'), calibration: 1, cores: availableParallelism() });
}
