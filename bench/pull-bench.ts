/**
 * Pull benchmark (issue 4, item 10): `--all` of a ≥ 100,000-block ledger from the RethinkDB
 * test double and from a `rethinkdb dump` file, each into a fresh archive, beside the
 * verify-only figure of the same ledger in the same run. Goal: pulling costs ≤ 15% over
 * verifying alone (documents/s and CPU time).
 *
 * Every measured step runs in a child process of its own, so peak RSS and CPU time
 * (user + sys, worker threads included) are that step's alone; the double runs in yet
 * another child, so its CPU and memory (it holds every row in memory) are not the
 * puller's. CPU time is the comparable figure on a shared machine; wall time is shown too.
 *
 * Shares the ledger of the archive section (`store-<n>`, cheap variant) and caches the
 * dump made from it (v1.3 stored layout: bigchain + votes + assets + metadata, members
 * in the dump tool's sorted order). BENCH_PULL_BLOCKS overrides the size.
 * Run alone: node dist/bench/pull-bench.js
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDump } from '../src/dump/write.js';
import { loadFederation } from '../src/model/federation.js';
import { stripBlock } from '../src/model/stored.js';
import type { Block, Vote } from '../src/model/types.js';
import { ingest } from '../src/ops/ingest.js';
import { pull } from '../src/ops/pull.js';
import { verifyDocuments } from '../src/ops/verify.js';
import { closeArchive, initArchive, openArchive } from '../src/store/archive.js';
import { openRethinkTarget, parseRethinkUrl } from '../src/sources/rethinkdb.js';
import { startRethinkDouble } from '../test/doubles/rethinkdb-server.js';
import { voteRowId } from '../test/helpers/ledger-builder.js';
import { cachedLedger, type CachedLedger } from './ledger-cache.js';
import type { BenchContext, BenchSection } from './sections.js';
import { ndjsonDocs } from './verify-bench.js';

const SELF = fileURLToPath(import.meta.url);
const CACHE = fileURLToPath(new URL('../../bench/.cache/', import.meta.url));
const DB = 'bigchain';

/** What a measured child reports. */
interface ChildFigures {
  /** Ledger documents handled: blocks + votes (assets/metadata rows are extra rows of the same blocks). */
  documents: number; blocks: number; votes: number;
  /** Rows the source delivered (pulls: blocks, votes, assets and metadata rows). */
  fetched: number; quarantined: number;
  seconds: number; cpuSeconds: number; maxRssMb: number;
}

/** The ledger's lines as parsed documents. */
async function* ledgerDocs(file: string): AsyncGenerator<Record<string, unknown>> {
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line.length > 0) yield JSON.parse(line) as Record<string, unknown>;
  }
}

/**
 * The rows of one table of the v1.3 stored layout, streamed from the ledger. A transaction
 * of an invalid block lands again in a later block; BigchainDB's second insert of its row
 * fails, so a row id is written once.
 */
async function* tableRows(file: string, table: 'bigchain' | 'votes' | 'assets' | 'metadata'): AsyncGenerator<Record<string, unknown>> {
  const seen = new Set<string>();
  for await (const doc of ledgerDocs(file)) {
    if ('vote' in doc) { if (table === 'votes') yield { id: voteRowId(doc as unknown as Vote), ...doc }; continue; }
    if (table === 'votes') continue;
    const s = stripBlock(doc as unknown as Block, '1.3');
    if (table === 'bigchain') { yield s.block as unknown as Record<string, unknown>; continue; }
    for (const row of table === 'assets' ? s.assets : s.metadata) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      yield row as unknown as Record<string, unknown>;
    }
  }
}

/** Make (once) a dump of the ledger in the v1.3 stored layout. */
export async function cachedDump(ledger: CachedLedger, ctx: BenchContext): Promise<string> {
  const file = ledger.file.replace(/\.ndjson$/, '.v13-dump.tar.gz');
  if (existsSync(file)) return file;
  ctx.log(`  writing a v1.3 dump of ${ledger.file} (once)`);
  // `rethinkdb dump` tars its export folder, whose members come out in sorted order:
  // bigchain before metadata, so re-coupling has to wait for rows (the realistic case).
  const names = ['assets', 'backlog', 'bigchain', 'metadata', 'votes'] as const;
  const tmp = `${file}.tmp`;
  await writeDump(tmp, { db: DB, tables: names.map((name) => ({ name, docs: name === 'backlog' ? [] : tableRows(ledger.file, name) })) });
  renameSync(tmp, file);
  return file;
}

/** Child: serve the ledger from a double (v1.3 schema through the product's target, rows loaded directly). */
async function serveDouble(file: string): Promise<void> {
  const double = await startRethinkDouble();
  const t0 = performance.now();
  const target = await openRethinkTarget({ url: parseRethinkUrl(`rethinkdb://admin@${double.host}:${double.port}/${DB}`, { env: {} }) });
  await target.createDatabase('1.3');
  await target.close();
  let rows = 0;
  for (const table of ['assets', 'metadata', 'bigchain', 'votes'] as const) {
    let batch: Record<string, unknown>[] = [];
    for await (const row of tableRows(file, table)) {
      batch.push(row);
      if (batch.length === 1000) { double.load(DB, table, batch); rows += batch.length; batch = []; }
    }
    double.load(DB, table, batch);
    rows += batch.length;
  }
  for (const [table, index] of [['bigchain', 'block_timestamp'], ['votes', 'block_and_voter']] as const) double.indexKeys(DB, table, index); // build before timing
  process.stdout.write(`${JSON.stringify({ port: double.port, rows, loadSeconds: (performance.now() - t0) / 1000, rssMb: process.memoryUsage().rss / 2 ** 20 })}\n`);
  await new Promise<void>((resolve) => { process.stdin.on('end', resolve); process.stdin.on('close', resolve); process.stdin.resume(); });
  await double.close();
}

/** Child: measure one step (verify-only; ingest of the NDJSON or a pull, into a fresh archive). */
async function measure(mode: string, input: string, federationFile: string): Promise<void> {
  const workers = availableParallelism();
  const federation = loadFederation(federationFile);
  const tmp = mkdtempSync(join(tmpdir(), 'la-pull-bench-'));
  try {
    let archive = null;
    if (mode !== 'verify') {
      await initArchive({ dir: join(tmp, 'a'), federation });
      archive = await openArchive({ dir: join(tmp, 'a') });
    }
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let out: Omit<ChildFigures, 'seconds' | 'cpuSeconds' | 'maxRssMb'>;
    if (archive === null) {
      const r = await verifyDocuments({ docs: ndjsonDocs(input), federation, workers });
      const blocks = r.counts.block.checked; const votes = r.counts.vote.checked;
      out = { documents: blocks + votes, blocks, votes, fetched: blocks + votes, quarantined: r.counts.invalid.checked };
    } else if (mode === 'ingest') {
      const r = await ingest({ archive, docs: ndjsonDocs(input), workers });
      const blocks = r.byKind.block.new; const votes = r.byKind.vote.new;
      out = { documents: blocks + votes, blocks, votes, fetched: blocks + votes, quarantined: r.quarantined };
    } else {
      const r = await pull({ archive, from: input, selection: { all: true }, workers, env: {} });
      const blocks = r.summary.byKind.block.new; const votes = r.summary.byKind.vote.new;
      out = { documents: blocks + votes, blocks, votes, fetched: r.fetched, quarantined: r.summary.quarantined };
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (archive !== null) await closeArchive(archive);
    const figures: ChildFigures = { ...out, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMb: process.resourceUsage().maxRSS / 1024 };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Run this file as a child; resolves with its first stdout line (JSON) and the child. */
function child(args: string[], keepOpen = false): Promise<{ value: Record<string, unknown>; close: () => Promise<void> }> {
  const p = spawn(process.execPath, [SELF, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buf = '';
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (s: string) => {
      buf += s;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const value = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
      resolve({ value, close: async () => { p.stdin.end(); await exited; } });
    });
    if (!keepOpen) p.stdin.end();
    void exited.then((code) => reject(new Error(`bench child ${args[0]} exited with ${code} before reporting`)));
  });
}

/** The `pull` section. */
export async function benchPull(ctx: BenchContext): Promise<void> {
  const blocks = Number(process.env.BENCH_PULL_BLOCKS ?? 100_000);
  // Same name and options as the archive section (store-bench.ts): one cached ledger for both.
  const ledger = await cachedLedger(`store-${blocks}`, { blocks, txsPerBlock: [1, 2], seed: 'bench-store', richData: false, federationSize: 4 }, ctx.log);
  const dump = await cachedDump(ledger, ctx);
  const fig = async (mode: string, input: string): Promise<ChildFigures> =>
    (await child([mode, input, ledger.federation])).value as unknown as ChildFigures;

  const verify = await fig('verify', ledger.file);
  // Ingest of the same ledger from NDJSON: what storing adds to verifying, with no source at all.
  const stored = await fig('ingest', ledger.file);
  const served = await child(['double', ledger.file], true);
  let rethink: ChildFigures;
  const d = served.value as { port: number; rows: number; loadSeconds: number; rssMb: number };
  try {
    rethink = await fig('pull', `rethinkdb://admin@127.0.0.1:${d.port}/${DB}`);
  } finally { await served.close(); }
  const file = await fig('pull', dump);

  const line = (name: string, f: ChildFigures): string => {
    const over = (f.seconds / verify.seconds - 1) * 100;
    const cpuOver = (f.cpuSeconds / verify.cpuSeconds - 1) * 100;
    return `${name}: ${ctx.fmt(f.documents)} documents (${ctx.fmt(f.blocks)} blocks, ${ctx.fmt(f.votes)} votes; ${ctx.fmt(f.fetched)} rows fetched, `
      + `${f.quarantined} quarantined) in ${f.seconds.toFixed(1)} s → ${ctx.fmt(f.documents / f.seconds)} documents/s, `
      + `CPU ${f.cpuSeconds.toFixed(1)} s, peak RSS ${f.maxRssMb.toFixed(0)} MB`
      + (f === verify ? '' : `; overhead vs verify-only: wall ${over >= 0 ? '+' : ''}${over.toFixed(0)}%, CPU ${cpuOver >= 0 ? '+' : ''}${cpuOver.toFixed(0)}% (goal ≤ 15%)`);
  };
  console.log(line('pull: verify-only', verify));
  console.log(line('pull: ingest of the NDJSON (no source; what storing adds)', stored));
  console.log(`pull: RethinkDB double (child process) held ${ctx.fmt(d.rows)} rows, loaded in ${d.loadSeconds.toFixed(0)} s, RSS ${d.rssMb.toFixed(0)} MB (not the puller's)`);
  console.log(line('pull: from RethinkDB double', rethink));
  console.log(line('pull: from dump file', file));
  for (const [section, f] of [['pull-verify-only', verify], ['pull-ingest-ndjson', stored], ['pull-rethinkdb', rethink], ['pull-dump', file]] as const) {
    console.log(JSON.stringify({ section, ledgerBlocks: blocks, ...f, documentsPerSecond: f.documents / f.seconds,
      wallOverhead: f.seconds / verify.seconds - 1, cpuOverhead: f.cpuSeconds / verify.cpuSeconds - 1 }));
  }
}

/** The section as the runner lists it. */
export const pullSection: BenchSection = { name: 'pull', run: benchPull };

if (process.argv[1] === SELF) {
  const [mode, input, federation] = process.argv.slice(2);
  if (mode === 'double' && input !== undefined) await serveDouble(input);
  else if ((mode === 'verify' || mode === 'ingest' || mode === 'pull') && input !== undefined && federation !== undefined) await measure(mode, input, federation);
  else await benchPull({ log: (s) => process.stderr.write(`${s}\n`), fmt: (n) => Math.round(n).toLocaleString('en-US'), calibration: 1, cores: availableParallelism() });
}
