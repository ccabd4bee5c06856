/**
 * Rebuild benchmark (issue 5, item 7): a ≥ 100,000-block archive rebuilt into a dump file
 * and into the RethinkDB test double, in documents (rows) per second. The ledger and the
 * archive made from it (verified ingest) are cached under bench/.cache/, so repeated runs
 * measure the rebuild. BENCH_REBUILD_BLOCKS overrides the size (e.g. for a quick look).
 *
 * The double keeps every row and index entry in memory as JS objects and evaluates the
 * index functions in JS: its figure bounds the write path end to end (plan, strip, wire,
 * read back, compare) against a server, not RethinkDB's own speed.
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFederation } from '../src/model/federation.js';
import { ingest } from '../src/ops/ingest.js';
import { rebuild, type RebuildReport } from '../src/ops/rebuild.js';
import { closeArchive, initArchive, openArchive, type Archive } from '../src/store/archive.js';
import { startRethinkDouble } from '../test/doubles/rethinkdb-server.js';
import { cachedLedger } from './ledger-cache.js';
import type { BenchContext } from './sections.js';
import { ndjsonDocs } from './verify-bench.js';

const CACHE = fileURLToPath(new URL('../../bench/.cache/', import.meta.url));

/** Open (making it once, from the cached ledger) an archive of `blocks` blocks. */
async function cachedArchive(blocks: number, ctx: BenchContext): Promise<Archive> {
  const name = `rebuild-${blocks}`;
  const ledger = await cachedLedger(name, { blocks, txsPerBlock: [1, 2], federationSize: 3, seed: 'bench-rebuild', richData: false, undecided: [1, 0] }, ctx.log);
  const dir = join(CACHE, `${name}.archive`);
  if (!existsSync(join(dir, 'archive.json'))) {
    const tmp = `${dir}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    await initArchive({ dir: tmp, federation: loadFederation(ledger.federation) });
    const a = await openArchive({ dir: tmp });
    const t0 = performance.now();
    ctx.log(`  ingesting ${name} into a cached archive (verified; once)`);
    const s = await ingest({ archive: a, docs: ndjsonDocs(ledger.file), layout: '1.3',
      reporter: { progress: (p) => { if (p.done % 100_000 === 0) ctx.log(`    ${p.done} documents`); }, info() {}, warn() {}, finding() {}, record() {}, done() {} } });
    ctx.log(`  ingested ${ctx.fmt(s.new)} documents in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    await closeArchive(a);
    renameSync(tmp, dir);
  }
  return openArchive({ dir });
}

const rows = (r: RebuildReport): number => Object.values(r.written ?? {}).reduce((a, b) => a + (b ?? 0), 0);

/** Peak RSS while `f` runs. */
async function measured<T>(f: () => Promise<T>): Promise<{ value: T; seconds: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 100);
  const t0 = performance.now();
  try {
    const value = await f();
    return { value, seconds: (performance.now() - t0) / 1000, peakRssMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20 };
  } finally { clearInterval(timer); }
}

/** The `rebuild` section. */
export async function benchRebuild(ctx: BenchContext): Promise<void> {
  const blocks = Number(process.env.BENCH_REBUILD_BLOCKS ?? 100_000);
  const archive = await cachedArchive(blocks, ctx);
  try {
    const file = join(CACHE, `rebuild-${blocks}.out.tar.gz`);
    const dump = await measured(() => rebuild({ archive, to: file, keepUndecided: true }));
    const dumpRows = rows(dump.value);
    const mb = statSync(file).size / 2 ** 20;
    rmSync(file, { force: true });
    console.log(`rebuild → dump file: ${ctx.fmt(blocks)} blocks, ${ctx.fmt(dumpRows)} rows in ${dump.seconds.toFixed(1)} s → `
      + `${ctx.fmt(dumpRows / dump.seconds)} documents/s, ${mb.toFixed(1)} MB gzip, peak RSS ${dump.peakRssMb.toFixed(0)} MB`);
    console.log(JSON.stringify({ section: 'rebuild-dump', blocks, rows: dumpRows, seconds: dump.seconds, documentsPerSecond: dumpRows / dump.seconds, megabytes: mb, peakRssMb: dump.peakRssMb }));

    const double = await startRethinkDouble();
    try {
      const url = `rethinkdb://admin@${double.host}:${double.port}/bench`;
      const live = await measured(() => rebuild({ archive, to: url, keepUndecided: true, batch: 1000, env: {} }));
      const liveRows = rows(live.value);
      const equal = live.value.check?.equal === true;
      console.log(`rebuild → RethinkDB double: ${ctx.fmt(liveRows)} rows written, read back and compared (${equal ? 'equal' : 'DIFFERENT'}) in `
        + `${live.seconds.toFixed(1)} s → ${ctx.fmt(liveRows / live.seconds)} documents/s, peak RSS ${live.peakRssMb.toFixed(0)} MB (double in-process)`);
      console.log(JSON.stringify({ section: 'rebuild-rethinkdb', blocks, rows: liveRows, seconds: live.seconds, documentsPerSecond: liveRows / live.seconds, equal, peakRssMb: live.peakRssMb }));
    } finally { await double.close(); }
  } finally { await closeArchive(archive); }
}
