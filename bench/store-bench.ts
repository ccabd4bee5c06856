/**
 * Archive benchmark section (issue 3): on a generated ledger of BENCH_STORE_BLOCKS
 * (default 100,000) blocks × 4 voters — verification alone (the yardstick ingest must
 * keep up with), ingest into a fresh on-disk archive (documents/s), then `gaps` and
 * `check` on it; plus ingest of the shipped sample dump (stored layout, re-coupling).
 * Each step runs in its own process so peak RSS and CPU time (user+sys, all threads)
 * are its own: the machine is shared, so CPU time is the comparable figure.
 * Goals: ingest ≈ verification; gaps < 20 s and < 300 MB peak RSS on the 2-core machine.
 * Run alone: node dist/bench/store-bench.js   (child mode: store-bench.js MODE DIR [LEDGER FEDERATION])
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFederation } from '../src/model/federation.js';
import { closeArchive, initArchive, openArchive } from '../src/store/archive.js';
import { ingest } from '../src/ops/ingest.js';
import { findGaps } from '../src/ops/gaps.js';
import { check } from '../src/ops/check.js';
import { checkDocuments } from '../src/verify/pool.js';
import { openDocuments } from '../src/cli/open-documents.js';
import { cachedLedger } from './ledger-cache.js';
import type { BenchSection } from './sections.js';

const SELF = fileURLToPath(import.meta.url);
const SAMPLE = fileURLToPath(new URL('../../fixtures/sample/', import.meta.url));

/** What a child step reports. `rssAnonMB`/`rssFileMB`: at the end (Linux); file pages are LevelDB's mmapped tables (page cache). */
interface StepResult { seconds: number; cpuSeconds: number; maxRssMB: number; rssAnonMB?: number; rssFileMB?: number; docs: number; findings: number }

/** Current anonymous and file-backed RSS in MB (Linux /proc), or nothing elsewhere. */
function rssSplit(): { rssAnonMB?: number; rssFileMB?: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const mb = (name: string): number | undefined => { const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status); return m === null ? undefined : Math.round(Number(m[1]) / 1024); };
    return { rssAnonMB: mb('RssAnon'), rssFileMB: mb('RssFile') };
  } catch {
    return {};
  }
}

async function child(mode: string, dir: string, ledger?: string, federationFile?: string): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let docs = 0;
  let findings = 0;
  if (mode === 'verify') {
    for await (const v of checkDocuments(openDocuments([ledger!]), { federation: loadFederation(federationFile!) })) {
      docs++;
      findings += v.findings.length;
    }
  } else if (mode === 'ingest') {
    await initArchive({ dir, federation: loadFederation(federationFile!) });
    const a = await openArchive({ dir });
    const s = await ingest({ archive: a, docs: openDocuments([ledger!]) });
    await closeArchive(a);
    docs = s.new + s.duplicate + s.quarantined + s.conflicts + s.ignored;
    findings = s.findingsTotal;
  } else {
    const a = await openArchive({ dir });
    const r = mode === 'gaps' ? await findGaps({ archive: a }) : await check({ archive: a });
    await closeArchive(a);
    findings = r.findings.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const out: StepResult = { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), ...rssSplit(), docs, findings };
  process.stdout.write(JSON.stringify(out));
}

function runChild(args: string[]): StepResult {
  const r = spawnSync(process.execPath, [SELF, ...args], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`store-bench ${args[0]} failed with status ${r.status}`);
  return JSON.parse(r.stdout) as StepResult;
}

/** The archive section: verification alone, ingest, gaps, check; sample-dump ingest. */
export const storeSection: BenchSection = {
  name: 'archive',
  async run({ log, fmt }) {
    const blocks = Number(process.env.BENCH_STORE_BLOCKS ?? 100_000);
    const ledger = await cachedLedger(`store-${blocks}`, { blocks, txsPerBlock: [1, 2], seed: 'bench-store', richData: false, federationSize: 4 }, log);
    const tmp = mkdtempSync(join(tmpdir(), 'la-bench-'));
    const dir = join(tmp, 'archive');
    const line = (what: string, r: StepResult, rate: boolean): string => `archive: ${what} ${r.seconds.toFixed(1)} s wall, ${r.cpuSeconds.toFixed(1)} s CPU`
      + (rate ? `, ${fmt(r.docs)} documents = ${fmt(Math.round(r.docs / r.seconds))} docs/s (${fmt(Math.round(r.docs / r.cpuSeconds))} per CPU-second)` : '')
      + `, peak RSS ${r.maxRssMB} MB` + (r.rssAnonMB !== undefined ? ` (at end: ${r.rssAnonMB} MB anonymous, ${r.rssFileMB ?? '?'} MB file-backed)` : '') + `, ${fmt(r.findings)} findings`;
    try {
      const steps: Record<string, StepResult> = {};
      steps.verify = runChild(['verify', dir, ledger.file, ledger.federation]);
      log(line('verify only (no storage)', steps.verify, true));
      steps.ingest = runChild(['ingest', dir, ledger.file, ledger.federation]);
      log(line('ingest', steps.ingest, true));
      for (const mode of ['gaps', 'check']) {
        steps[mode] = runChild([mode, dir]);
        log(line(mode, steps[mode]!, false));
      }
      steps.sampleDump = runChild(['ingest', join(tmp, 'sample'), join(SAMPLE, 'rethinkdb_dump_2017-11-06T10-00-00.tar.gz'), join(SAMPLE, 'federation.json')]);
      log(line('sample dump ingest (stored layout)', steps.sampleDump, true));
      console.log(JSON.stringify({ section: 'archive', blocks, ...steps }));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};

const [mode, dir, ledgerFile, fedFile] = process.argv.slice(2);
if (process.argv[1] === SELF) {
  if (mode !== undefined && dir !== undefined) await child(mode, dir, ledgerFile, fedFile);
  else await storeSection.run({ log: (s) => process.stderr.write(`${s}\n`), fmt: (n) => n.toLocaleString('en-US'), calibration: 1, cores: 2 });
}
