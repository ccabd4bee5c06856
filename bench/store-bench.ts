/**
 * Archive benchmark section (issue 3): ingest a generated ledger of BENCH_STORE_BLOCKS
 * (default 100,000) blocks × 4 voters into a fresh on-disk archive (documents/s), then
 * `gaps` and `check` on it, each in its own process so peak RSS is theirs alone.
 * Goals: gaps < 20 s and < 300 MB peak RSS on the 2-core machine.
 * Run alone: node dist/bench/store-bench.js   (child mode: store-bench.js gaps|check DIR)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFederation } from '../src/model/federation.js';
import { closeArchive, initArchive, openArchive } from '../src/store/archive.js';
import { ingest } from '../src/ops/ingest.js';
import { findGaps } from '../src/ops/gaps.js';
import { check } from '../src/ops/check.js';
import { openDocuments } from '../src/cli/open-documents.js';
import { cachedLedger } from './ledger-cache.js';
import type { BenchSection } from './sections.js';

const SELF = fileURLToPath(import.meta.url);

async function child(mode: string, dir: string): Promise<void> {
  const a = await openArchive({ dir });
  const t0 = performance.now();
  const r = mode === 'gaps' ? await findGaps({ archive: a }) : await check({ archive: a });
  const seconds = (performance.now() - t0) / 1000;
  await closeArchive(a);
  process.stdout.write(JSON.stringify({ seconds, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), findings: r.findings.length }));
}

/** The archive section: ingest, gaps, check. */
export const storeSection: BenchSection = {
  name: 'archive',
  async run({ log, fmt }) {
    const blocks = Number(process.env.BENCH_STORE_BLOCKS ?? 100_000);
    const ledger = await cachedLedger(`store-${blocks}`, { blocks, txsPerBlock: [1, 2], seed: 'bench-store', richData: false, federationSize: 4 }, log);
    const tmp = mkdtempSync(join(tmpdir(), 'la-bench-'));
    const dir = join(tmp, 'archive');
    try {
      await initArchive({ dir, federation: loadFederation(ledger.federation) });
      const a = await openArchive({ dir });
      const t0 = performance.now();
      const s = await ingest({ archive: a, docs: openDocuments([ledger.file]) });
      const sec = (performance.now() - t0) / 1000;
      await closeArchive(a);
      const docs = s.new + s.duplicate + s.quarantined + s.conflicts;
      log(`archive: ingest ${fmt(docs)} documents (${fmt(s.byKind.block.new)} blocks) in ${sec.toFixed(1)} s = ${fmt(Math.round(docs / sec))} docs/s; quarantined ${s.quarantined}`);
      for (const mode of ['gaps', 'check']) {
        const r = spawnSync(process.execPath, [SELF, mode, dir], { encoding: 'utf8', maxBuffer: 1 << 24 });
        const out = JSON.parse(r.stdout) as { seconds: number; maxRssMB: number; findings: number };
        log(`archive: ${mode} ${out.seconds.toFixed(1)} s, peak RSS ${out.maxRssMB} MB, ${out.findings} findings`);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};

const [mode, dir] = process.argv.slice(2);
if (process.argv[1] === SELF) {
  if (mode !== undefined && dir !== undefined) await child(mode, dir);
  else await storeSection.run({ log: (s) => process.stderr.write(`${s}\n`), fmt: (n) => n.toLocaleString('en-US'), calibration: 1, cores: 2 });
}
