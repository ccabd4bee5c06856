/**
 * The `report` section (issue 16): `report` of a generated archive — the time to gather and write
 * the HTML, its size, and the time chromium takes to open it (load event), when chromium is
 * there. BENCH_REPORT_BLOCKS (default 100,000) sizes it; the ledger is shared with `verify`.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFederation } from '../src/model/federation.js';
import { ingest } from '../src/ops/ingest.js';
import { gatherReport } from '../src/ops/report.js';
import { renderReport } from '../src/html/page.js';
import { closeArchive, initArchive, openArchive } from '../src/store/archive.js';
import { cachedLedger } from './ledger-cache.js';
import { ndjsonDocs } from './verify-bench.js';
import type { BenchContext, BenchSection } from './sections.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function run(ctx: BenchContext): Promise<void> {
  const blocks = Number(process.env.BENCH_REPORT_BLOCKS ?? 100_000);
  const ledger = await cachedLedger(`verify-${blocks}`, { blocks, txsPerBlock: [1, 10], seed: 'bench', undecided: [2, 1, 0] }, ctx.log);
  const dir = mkdtempSync(join(tmpdir(), 'la-report-bench-'));
  try {
    await initArchive({ dir: join(dir, 'a'), federation: loadFederation(ledger.federation) });
    const archive = await openArchive({ dir: join(dir, 'a') });
    ctx.log(`  ingesting ${blocks} blocks (setup)`);
    await ingest({ archive, docs: ndjsonDocs(ledger.file) });
    const t = performance.now();
    const html = renderReport(await gatherReport({ archive }));
    const out = join(dir, 'report.html');
    writeFileSync(out, html);
    const writeSeconds = (performance.now() - t) / 1000;
    await closeArchive(archive);
    let openSeconds: number | null = null;
    if (existsSync(CHROMIUM)) {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
      const page = await browser.newPage();
      const o = performance.now();
      await page.goto(`file://${out}`, { waitUntil: 'load' });
      openSeconds = (performance.now() - o) / 1000;
      await browser.close();
    } else ctx.log(`  chromium not at ${CHROMIUM}: open time not measured`);
    const kb = Buffer.byteLength(html) / 1024;
    console.log(`report: ${ctx.fmt(blocks)} blocks → ${kb.toFixed(0)} KB HTML written in ${writeSeconds.toFixed(1)} s (goal < 30 s),`
      + ` opened by chromium in ${openSeconds === null ? 'n/a' : `${openSeconds.toFixed(2)} s`} (goal < 5 s)`);
    console.log(JSON.stringify({ section: 'report', blocks, htmlKb: kb, writeSeconds, openSeconds }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The section for bench/sections.ts. */
export const reportSection: BenchSection = { name: 'report', run };
