/**
 * Scheduled exports into chain folders (SPEC.md §17.10): `export --to DIR…` writes the next
 * file of DIR's newest chain (a full export when DIR holds none, or with `full`), reads it back
 * and checks its digest, then applies retention (export/retention.ts) unless `dryRun`. Every
 * destination is tried; one that fails is named in the result and the others are still written.
 * `checkChainDir` verifies a whole chain folder without importing it.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { LedgerError, isLedgerError, type ErrorCode } from '../errors.js';
import type { Reporter } from '../report/reporter.js';
import type { Archive } from '../store/archive.js';
import { chainFileName, chainStamp, listChainDir, type ChainFile } from '../export/chain-dir.js';
import { retain, retentionGiven, type RetentionPolicy } from '../export/retention.js';
import { checkChain, readExport, verifyExportFile, type ChainLink } from '../export/read.js';
import { exportArchive } from './export.js';

/** Options of {@link exportTo}. */
export interface ExportToOptions {
  archive: Archive;
  destinations: string[];
  key?: Uint8Array;
  /** Start a new chain (a full export) in every destination. */
  full?: boolean;
  keep?: RetentionPolicy;
  /** Report what retention would delete; delete nothing. */
  dryRun?: boolean;
  reporter?: Reporter;
  signal?: AbortSignal;
  now?: Date;
}

/** What happened in one destination. */
export interface DestinationResult {
  dir: string;
  /** The file written and read back, or null when the destination failed. */
  path: string | null;
  digest: string | null;
  sequence: number | null;
  /** Files retention deleted (with `dryRun`: would delete). */
  deleted: string[];
  error: { code: ErrorCode | 'INTERNAL'; message: string } | null;
}

/**
 * Write the next export into each destination.
 * @returns one result per destination, in the order given
 */
export async function exportTo(opts: ExportToOptions): Promise<DestinationResult[]> {
  const out: DestinationResult[] = [];
  for (const d of opts.destinations) {
    const dir = resolve(d);
    const r: DestinationResult = { dir, path: null, digest: null, sequence: null, deleted: [], error: null };
    try {
      try { mkdirSync(dir, { recursive: true }); } catch (err) {
        throw new LedgerError('LEDGER_INPUT', `cannot write to ${dir}: ${(err as Error).message}`, { dir }, err);
      }
      const files = listChainDir(dir);
      const last = files.at(-1);
      const now = opts.now ?? new Date();
      const [chain, sequence, since] = last === undefined || opts.full === true ? [chainStamp(now), 0, undefined] : [last.chain, last.sequence + 1, last.path];
      const path = resolve(dir, chainFileName(chain, sequence));
      const w = await exportArchive({ archive: opts.archive, out: path, since, key: opts.key, reporter: opts.reporter, signal: opts.signal, now });
      if (w.header.sequence !== sequence) throw new LedgerError('LEDGER_EXPORT_CORRUPT', `${since ?? dir}: its header says sequence ${w.header.sequence - 1}, its name ${sequence - 1}`, { path });
      const back = await verifyExportFile(path, { key: opts.key });
      if (back.digest !== w.digest) {
        rmSync(path, { force: true });
        throw new LedgerError('LEDGER_EXPORT_CORRUPT', `${path} read back with digest ${back.digest}, written as ${w.digest}: removed`, { path });
      }
      Object.assign(r, { path, digest: w.digest, sequence });
      if (opts.keep !== undefined && retentionGiven(opts.keep)) r.deleted = await applyRetention(dir, opts.keep, opts.key, opts.dryRun === true);
    } catch (err) {
      r.error = { code: isLedgerError(err) ? err.code : 'INTERNAL', message: (err as Error).message };
      opts.reporter?.warn(`export --to ${dir}: ${(err as Error).message}`);
    }
    out.push(r);
  }
  return out;
}

/** Delete (or list) what the policy does not keep; times come from the headers. */
async function applyRetention(dir: string, keep: RetentionPolicy, key: Uint8Array | undefined, dryRun: boolean): Promise<string[]> {
  const files = [];
  for (const f of listChainDir(dir)) {
    const x = await readExport(f.path, { key, parse: false });
    await x.close();
    files.push({ name: f.name, chain: f.chain, sequence: f.sequence, at: new Date(x.header.created), path: f.path });
  }
  const gone = retain(files, keep).delete as (typeof files)[number][];
  if (!dryRun) for (const f of gone) rmSync(f.path, { force: true });
  return gone.map((f) => f.path);
}

/** One chain of a checked folder. */
export interface CheckedChain { chain: string; files: string[]; ok: boolean; error: string | null }

/**
 * Verify every file of a chain folder (digests, seals, records) and that each chain links
 * from its full export without a hole (export/chain.ts). Nothing is imported.
 */
export async function checkChainDir(dir: string, key?: Uint8Array): Promise<CheckedChain[]> {
  const byChain = new Map<string, ChainFile[]>();
  for (const f of listChainDir(resolve(dir))) byChain.set(f.chain, [...(byChain.get(f.chain) ?? []), f]);
  const out: CheckedChain[] = [];
  for (const [chain, files] of byChain) {
    const c: CheckedChain = { chain, files: files.map((f) => f.path), ok: true, error: null };
    try {
      const links: ChainLink[] = [];
      for (const f of files) {
        const s = await verifyExportFile(f.path, { key });
        if (s.header.sequence !== f.sequence) throw new LedgerError('LEDGER_EXPORT_CORRUPT', `${f.path}: named sequence ${f.sequence}, its header says ${s.header.sequence}`, { path: f.path });
        links.push({ path: f.path, header: s.header, digest: s.digest });
      }
      checkChain(links, { after: null });
    } catch (err) {
      Object.assign(c, { ok: false, error: (err as Error).message });
    }
    out.push(c);
  }
  return out;
}
