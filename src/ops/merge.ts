/**
 * The `merge` operation (docs/spec-rebuild.md §7): pool other archives into this one, so
 * that the archives several clients kept can be rebuilt together. Every block and vote of
 * a source goes through ingest, so it is verified again on the way in against THIS
 * archive's pinned federation; nothing is trusted because another archive stored it.
 *
 * Sources are only read. They are all opened (and checked) before anything is merged: a
 * missing, locked or foreign archive (another federation) stops the merge with nothing
 * changed. LevelDB admits one process per database, so a source in use by another
 * process is refused with LEDGER_STORE_LOCKED naming it.
 * Each block keeps the origin and layout its source recorded; a sync record
 * `merge:<dir>` notes each merge.
 */
import { resolve } from 'node:path';
import { LedgerError, isLedgerError } from '../errors.js';
import type { GapReport } from '../chain/gaps.js';
import { noopReporter, type Reporter } from '../report/reporter.js';
import type { Layout, RawDoc } from '../model/documents.js';
import { asArchiveError, closeArchive, openArchive, type Archive } from '../store/archive.js';
import type { BlockMeta } from '../store/read.js';
import { key, keyParts, range } from '../store/schema.js';
import { findGaps } from './gaps.js';
import { ingest, type IngestSummary } from './ingest.js';

/** Options of {@link merge}. */
export interface MergeOptions {
  archive: Archive;
  /** Folders of the archives to merge from. */
  sources: readonly string[];
  reporter?: Reporter;
  signal?: AbortSignal;
  workers?: number;
}

/** What one source contributed. */
export interface MergeContribution {
  source: string;
  blocks: { new: number; duplicate: number; quarantined: number; conflicts: number };
  votes: { new: number; duplicate: number; quarantined: number; conflicts: number };
  findings: number;
}

/** What a merge did. */
export interface MergeReport {
  contributions: MergeContribution[];
  /** Gaps of the merged archive. */
  gaps: Pick<GapReport, 'genesis' | 'missingBlocks' | 'missingVotes' | 'forks' | 'unreachable' | 'completeThroughTimestamp'> & { findings: number };
}

/**
 * Merge archives into `archive`.
 * @throws LedgerError LEDGER_USAGE (a source is the archive itself, or given twice), LEDGER_ARCHIVE_MISSING/FORMAT/CORRUPT,
 *   LEDGER_STORE_LOCKED (a source in use), LEDGER_ARCHIVE_FEDERATION (a source pinned to another federation) —
 *   all before anything is merged; LEDGER_ABORTED (what was merged so far is kept)
 * @example const r = await merge({ archive, sources: ['alice/.ledger-archive', 'bob/.ledger-archive'] })
 */
export async function merge(opts: MergeOptions): Promise<MergeReport> {
  const reporter = opts.reporter ?? noopReporter;
  const dirs = opts.sources.map((s) => resolve(s));
  const self = opts.archive.dir === null ? null : resolve(opts.archive.dir);
  if (new Set(dirs).size !== dirs.length) throw new LedgerError('LEDGER_USAGE', 'a source archive is given twice', { sources: dirs });
  if (self !== null && dirs.includes(self)) throw new LedgerError('LEDGER_USAGE', `${self} is the archive being merged into`, { source: self });
  const open: Archive[] = [];
  try {
    for (const dir of dirs) open.push(await openSource(dir, opts.archive));
    const contributions: MergeContribution[] = [];
    for (const src of open) {
      reporter.info(`merging ${src.dir!}`);
      let summary: IngestSummary;
      try {
        summary = await mergeOne(src, opts, reporter);
      } catch (err) {
        throw asArchiveError(err, src.dir!); // a LevelDB failure reading the source names the source
      }
      const pick = (k: IngestSummary['byKind']['block']) => ({ new: k.new, duplicate: k.duplicate, quarantined: k.quarantined, conflicts: k.conflicts });
      const c: MergeContribution = { source: src.dir!, blocks: pick(summary.byKind.block), votes: pick(summary.byKind.vote), findings: summary.findingsTotal };
      reporter.record('contribution', { ...c });
      contributions.push(c);
    }
    const g = await findGaps({ archive: opts.archive, signal: opts.signal });
    return {
      contributions,
      gaps: { genesis: g.genesis, missingBlocks: g.missingBlocks, missingVotes: g.missingVotes, forks: g.forks, unreachable: g.unreachable,
        completeThroughTimestamp: g.completeThroughTimestamp, findings: g.findings.length },
    };
  } finally {
    for (const a of open) await closeArchive(a);
  }
}

/** Open a source archive and check it is pinned to the same federation. */
async function openSource(dir: string, into: Archive): Promise<Archive> {
  let src: Archive;
  try {
    src = await openArchive({ dir, readOnly: true, besideWriter: false }); // a source in use is refused (SPEC.md §18)
  } catch (err) {
    if (isLedgerError(err) && err.code === 'LEDGER_STORE_LOCKED') {
      throw new LedgerError('LEDGER_STORE_LOCKED', `source archive ${dir} is in use by another process (a pull or another merge?); stop it and retry`, { source: dir }, err);
    }
    throw err;
  }
  if (src.info.federationHash !== into.info.federationHash) {
    await closeArchive(src);
    throw new LedgerError('LEDGER_ARCHIVE_FEDERATION',
      `source archive ${dir} is pinned to another federation (${src.info.federationHash.slice(0, 12)}…, this archive ${into.info.federationHash.slice(0, 12)}…); nothing was merged`,
      { source: dir, pinned: into.info.federationHash, given: src.info.federationHash });
  }
  return src;
}

/** Ingest one source: one run per stored layout (ingest records one layout per run), votes with the last. */
async function mergeOne(src: Archive, opts: MergeOptions, reporter: Reporter): Promise<IngestSummary> {
  const layouts = new Set<Layout | null>();
  for await (const v of src.db.values(range('bm'))) layouts.add((JSON.parse(v) as BlockMeta).layout);
  const runs = [...layouts];
  if (runs.length === 0) runs.push(null);
  let total: IngestSummary | null = null;
  for (const [i, layout] of runs.entries()) {
    const s = await ingest({
      archive: opts.archive, docs: sourceDocs(src, layout, i === runs.length - 1), layout: layout ?? undefined,
      reporter, signal: opts.signal, workers: opts.workers,
      source: i === runs.length - 1 ? { name: `merge:${src.dir!}` } : undefined,
    });
    total = total === null ? s : add(total, s);
  }
  return total!;
}

/** A source's blocks of one layout (with the origin it recorded), then optionally all its votes. */
async function* sourceDocs(src: Archive, layout: Layout | null, votes: boolean): AsyncGenerator<RawDoc> {
  for await (const [k, v] of src.db.iterator(range('bm'))) {
    const meta = JSON.parse(v) as BlockMeta;
    if (meta.layout !== layout) continue;
    const id = keyParts(k)[0]!;
    const text = await src.db.get(key('b', id));
    if (text !== undefined) yield { table: 'bigchain', doc: undefined, text, origin: meta.origin };
  }
  if (!votes) return;
  for (const ns of ['v', 'vd'] as const) {
    for await (const [k, text] of src.db.iterator(range(ns))) yield { table: 'votes', doc: undefined, text, origin: `${src.dir!}!${k}` };
  }
}

function add(a: IngestSummary, b: IngestSummary): IngestSummary {
  const sum = (x: IngestSummary['byKind']['block'], y: IngestSummary['byKind']['block']) => ({
    new: x.new + y.new, duplicate: x.duplicate + y.duplicate, quarantined: x.quarantined + y.quarantined, conflicts: x.conflicts + y.conflicts, ignored: x.ignored + y.ignored,
  });
  const byKind = { ...a.byKind };
  for (const k of Object.keys(byKind) as (keyof typeof byKind)[]) byKind[k] = sum(a.byKind[k], b.byKind[k]);
  return { ...sum(a, b), byKind, findings: [...a.findings, ...b.findings], findingsTotal: a.findingsTotal + b.findingsTotal };
}
