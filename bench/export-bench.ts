/**
 * Export/import throughput (issue 5, item 7): write and read back an export of
 * ledger-shaped documents, plain and sealed, in MB/s of content (uncompressed NDJSON)
 * and of file bytes. Standalone: `node dist/bench/export-bench.js [targetFileMB]`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { canonicalize } from '../src/model/canonical.js';
import { federationFromJson } from '../src/model/federation.js';
import { JsonFloat } from '../src/model/json.js';
import type { ExportRecord } from '../src/export/format.js';
import { writeExport } from '../src/export/write.js';
import { loadFederation } from '../src/model/federation.js';
import { ingest } from '../src/ops/ingest.js';
import { exportArchive } from '../src/ops/export.js';
import { importFiles } from '../src/ops/import.js';
import { closeArchive, initArchive, openArchive } from '../src/store/archive.js';
import { cachedLedger } from './ledger-cache.js';
import { ndjsonDocs } from './verify-bench.js';
import { verifyExportFile } from '../src/export/read.js';

/** Figures of one export + verify run. */
export interface ExportFigures {
  sealed: boolean; records: number; contentMb: number; fileMb: number;
  writeSeconds: number; readSeconds: number; writeMbPerSecond: number; readMbPerSecond: number;
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const b58 = (n: number): string => Array.from(randomBytes(n), (b) => B58[b % 58]).join('');
const hex = (): string => randomBytes(32).toString('hex');

function blockDoc(i: number): Record<string, unknown> {
  const txs = Array.from({ length: 5 }, () => ({
    id: hex(), version: '1.0', operation: 'TRANSFER', metadata: { note: `payment ${i} – ok`, rate: new JsonFloat(Math.random()) },
    asset: { id: hex() },
    inputs: [{ owners_before: [b58(44)], fulfillment: b58(120), fulfills: { transaction_id: hex(), output_index: 0 } }],
    outputs: [{ public_keys: [b58(44)], amount: '1', condition: { uri: `ni:///sha-256;${b58(43)}?fpt=ed25519-sha-256&cost=131072`,
      details: { type: 'ed25519-sha-256', public_key: b58(44) } } }],
  }));
  return { id: hex(), block: { timestamp: String(1500000000 + i), transactions: txs, node_pubkey: b58(44), voters: [b58(44), b58(44)] }, signature: b58(88) };
}

/**
 * Records (text precomputed, as the archive supplies it) until `contentBytes`: a pool of
 * distinct documents, cycled; the pool (≈10 MB) is far larger than gzip's 32 KiB window,
 * so cycling does not flatter compression.
 */
function* makeRecords(contentBytes: number, pool: ExportRecord[]): Generator<ExportRecord> {
  let size = 0;
  for (let i = 0; size < contentBytes; i++) {
    const r = pool[i % pool.length]!;
    size += r.text!.length + 25;
    yield r;
  }
}

function makePool(n: number): ExportRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const doc = blockDoc(i) as ExportRecord['doc'];
    return { kind: 'block' as const, doc, text: canonicalize(doc) };
  });
}

/** Bare zlib gzip (level 6) and gunzip speed on this machine, for scale: MB/s of input. */
export function zlibCalibration(pool: ExportRecord[]): { gzipMbPerSecond: number; gunzipMbPerSecond: number } {
  const buf = Buffer.from(pool.map((r) => r.text).join('\n'));
  let t = performance.now();
  const gz = gzipSync(buf);
  const gzipMbPerSecond = buf.length / 1e6 / ((performance.now() - t) / 1000);
  t = performance.now();
  gunzipSync(gz);
  return { gzipMbPerSecond, gunzipMbPerSecond: buf.length / 1e6 / ((performance.now() - t) / 1000) };
}

/** Write then fully verify an export of about `contentMb` of content. */
export async function benchExport(contentMb: number, sealed: boolean, pool: ExportRecord[] = makePool(2000)): Promise<ExportFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'la-export-bench-'));
  try {
    const records = makeRecords(contentMb * 1e6, pool);
    const federation = federationFromJson({ keys: ['DngBurxfeNVKZWCEcDnLj1eMPAS7focUZTE5FndFGuHT'] });
    const key = sealed ? randomBytes(32) : undefined;
    const path = join(dir, 'bench.lae');
    let t = performance.now();
    const w = await writeExport(path, { federation, records, key });
    const writeSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    await verifyExportFile(path, { key });
    const readSeconds = (performance.now() - t) / 1000;
    const mb = w.contentBytes / 1e6;
    return { sealed, records: w.counts.block, contentMb: mb, fileMb: w.bytes / 1e6, writeSeconds, readSeconds,
      writeMbPerSecond: mb / writeSeconds, readMbPerSecond: mb / readSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Figures of an archive → export → import run (import re-verifies every document). */
export interface ArchiveExportFigures { blocks: number; votes: number; contentMb: number; fileMb: number; exportMbPerSecond: number; importMbPerSecond: number; importDocsPerSecond: number }

/** exportArchive then importFiles into a fresh archive, over a generated ledger of `blocks` blocks. */
export async function benchArchiveExport(blocks: number, log: (s: string) => void): Promise<ArchiveExportFigures> {
  const ledger = await cachedLedger(`export-${blocks}`, { blocks, txsPerBlock: [1, 10], seed: 'bench-export' }, log);
  const federation = loadFederation(ledger.federation);
  const dir = mkdtempSync(join(tmpdir(), 'la-export-bench-'));
  try {
    await initArchive({ dir: join(dir, 'a'), federation });
    await initArchive({ dir: join(dir, 'b'), federation });
    const a = await openArchive({ dir: join(dir, 'a') });
    log(`  ingesting ${blocks} blocks (setup)`);
    await ingest({ archive: a, docs: ndjsonDocs(ledger.file) });
    let t = performance.now();
    const w = await exportArchive({ archive: a, out: join(dir, 'x.lae') });
    const exportSeconds = (performance.now() - t) / 1000;
    await closeArchive(a);
    const b = await openArchive({ dir: join(dir, 'b') });
    t = performance.now();
    const r = await importFiles({ archive: b, files: [w.path] });
    const importSeconds = (performance.now() - t) / 1000;
    await closeArchive(b);
    const docs = r.files[0]!.ingest.new;
    const mb = w.contentBytes / 1e6;
    return { blocks: w.counts.block, votes: w.counts.vote, contentMb: mb, fileMb: w.bytes / 1e6,
      exportMbPerSecond: mb / exportSeconds, importMbPerSecond: mb / importSeconds, importDocsPerSecond: docs / importSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The `export` section for bench/sections.ts: `{ name: 'export', run: benchExportSection }`.
 * BENCH_EXPORT_MB (content, default 120 ≈ a 53 MB file) and BENCH_EXPORT_BLOCKS (default 5000) size it.
 */
export async function benchExportSection(ctx: { log: (s: string) => void }): Promise<void> {
  await _main(Number(process.env.BENCH_EXPORT_MB ?? 120), Number(process.env.BENCH_EXPORT_BLOCKS ?? 5000), ctx.log);
}

async function _main(contentMb: number, blocks: number, log: (s: string) => void): Promise<void> {
  const pool = makePool(2000);
  const z = zlibCalibration(pool);
  console.log(`calibration: bare zlib gzip -6 ${z.gzipMbPerSecond.toFixed(1)} MB/s, gunzip ${z.gunzipMbPerSecond.toFixed(1)} MB/s (of content)`);
  for (const sealed of [false, true]) {
    const f = await benchExport(contentMb, sealed, pool);
    console.log(`export ${sealed ? 'sealed' : 'plain '}: ${f.records} records, ${f.contentMb.toFixed(1)} MB content → ${f.fileMb.toFixed(1)} MB file;`
      + ` write ${f.writeMbPerSecond.toFixed(1)} MB/s (${(f.fileMb / f.writeSeconds).toFixed(1)} MB/s of file),`
      + ` read+verify ${f.readMbPerSecond.toFixed(1)} MB/s (${(f.fileMb / f.readSeconds).toFixed(1)} MB/s of file)`);
    console.log(JSON.stringify({ section: 'export', ...f }));
  }
  const g = await benchArchiveExport(blocks, log);
  console.log(`archive export: ${g.blocks} blocks, ${g.votes} votes, ${g.contentMb.toFixed(1)} MB content → ${g.fileMb.toFixed(1)} MB file;`
    + ` export ${g.exportMbPerSecond.toFixed(1)} MB/s, import (verify pass + ingest with full re-verification) ${g.importMbPerSecond.toFixed(1)} MB/s`
    + ` = ${Math.round(g.importDocsPerSecond)} documents/s`);
  console.log(JSON.stringify({ section: 'archive-export', ...g }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await _main(Number(process.argv[2] ?? 120), Number(process.argv[3] ?? 5000), (l) => process.stderr.write(`${l}\n`));
}
