/**
 * The `import` operation (issue 5 item 4, docs/spec-export.md §4): bring export files into
 * an archive. Every file is first read completely and checked (seal, framing, canonical
 * form, counts, digest), the files are ordered and their chain checked, and only then is
 * each file ingested through the archive's one door (ingest/pipeline.ts), which verifies every
 * document again against the archive's pinned federation. A damaged file or a broken chain
 * stops the import before anything is written.
 */
import { LedgerError } from '../errors.js';
import { canonicalize } from '../model/canonical.js';
import { federationToJson } from '../model/federation.js';
import { noopReporter, type Reporter } from '../report/reporter.js';
import type { Layout, TableName, RawDoc } from '../model/documents.js';
import type { Archive } from '../store/archive.js';
import { readSyncRecord } from '../store/sync.js';
import type { RecordCounts, RecordKind, TextRecord } from '../export/format.js';
import { checkChain, readExport, verifyExportFile, type ChainLink } from '../export/read.js';
import { ingest, type IngestSummary, type KindTally } from './ingest.js';

/** Options of {@link importFiles}. */
export interface ImportOptions {
  archive: Archive;
  /** Export files, in any order (they are ordered by sequence). */
  files: string[];
  /** Key for sealed files. */
  key?: Uint8Array;
  /**
   * Where the chain must start: null = with a full export, a digest = right after that export.
   * Absent: with a full export, or after an export this archive imported before.
   */
  after?: string | null;
  /** With `after` absent: also accept a chain that starts after an export this archive never imported. */
  unlinked?: boolean;
  reporter?: Reporter;
  signal?: AbortSignal;
  /** Verification threads for ingest (default: cores). */
  workers?: number;
}

/** One imported file. */
export interface ImportedFile { path: string; sequence: number; digest: string; counts: RecordCounts; ingest: IngestSummary }

const TABLE: Record<RecordKind, TableName> = { block: 'bigchain', vote: 'votes', asset: 'assets', metadata: 'metadata' };

/**
 * Verify export files, check their chain, then ingest them in chain order.
 * @throws LedgerError LEDGER_EXPORT_CORRUPT / LEDGER_EXPORT_KEY (before anything is written),
 *   LEDGER_ARCHIVE_FEDERATION (a file of another federation), LEDGER_INPUT, LEDGER_ABORTED
 * @example const r = await importFiles({ archive, files: ['full.lae', 'inc1.lae'] })
 */
export async function importFiles(opts: ImportOptions): Promise<{ files: ImportedFile[] }> {
  const reporter = opts.reporter ?? noopReporter;
  const fed = canonicalize(federationToJson(opts.archive.federation));
  const links: ChainLink[] = [];
  for (const path of opts.files) {
    reporter.progress({ phase: 'verify export', done: links.length, total: opts.files.length, unit: 'files' });
    const s = await verifyExportFile(path, { key: opts.key, signal: opts.signal });
    if (canonicalize(s.header.federation) !== fed) {
      throw new LedgerError('LEDGER_ARCHIVE_FEDERATION', `${path} holds documents of another federation than this archive's`, { path });
    }
    links.push({ path, header: s.header, digest: s.digest });
  }
  const ordered = checkChain(links, { after: opts.after });
  if (opts.after === undefined && opts.unlinked !== true) await _checkStart(opts.archive, ordered[0]);
  const out: ImportedFile[] = [];
  for (const link of ordered) {
    // Second pass: the first checked every document; ingest's workers parse the text themselves.
    const x = await readExport(link.path, { key: opts.key, signal: opts.signal, parse: false });
    const summary = await _ingestRuns(x.records, (docs, layout) => ingest({ archive: opts.archive, docs, layout, reporter,
      signal: opts.signal, workers: opts.workers }), link.path);
    // An empty run records the import (sync record `sy!export:<digest>`), so a later import can check its link.
    await ingest({ archive: opts.archive, docs: [], workers: 0,
      source: { name: `export:${link.digest}`, cursor: { digest: link.digest, sequence: link.header.sequence, previous: link.header.previous, file: link.path } } });
    // The second pass re-checked everything; a digest that changed means the file changed between passes.
    if (x.summary()?.digest !== link.digest) {
      throw new LedgerError('LEDGER_EXPORT_CORRUPT', `${link.path} changed while it was being imported`, { path: link.path });
    }
    out.push({ path: link.path, sequence: link.header.sequence, digest: link.digest, counts: link.header.counts, ingest: summary });
  }
  return { files: out };
}

/** The first file must be a full export, or follow one this archive imported (or be one it imported). */
async function _checkStart(archive: Archive, first: ChainLink | undefined): Promise<void> {
  if (first === undefined || first.header.previous === null) return;
  if (await readSyncRecord(archive.db, `export:${first.header.previous}`) !== null) return;
  if (await readSyncRecord(archive.db, `export:${first.digest}`) !== null) return;
  throw new LedgerError('LEDGER_EXPORT_CORRUPT',
    `export chain broken: missing link: ${first.path} (sequence ${first.header.sequence}) follows export ${first.header.previous}, `
    + 'which is neither among the files nor imported into this archive; import it first (or accept an unlinked start if the archive already holds its documents)',
    { path: first.path, sequence: first.header.sequence, missing: first.header.previous });
}

type IngestRun = (docs: AsyncIterable<RawDoc>, layout: Layout | undefined) => Promise<IngestSummary>;

/**
 * Ingest records in runs of one block layout (ingest records one layout per run, as merge
 * does); an archive pulled from one source has one run. Summaries are added up.
 */
async function _ingestRuns(records: AsyncIterable<TextRecord>, run: IngestRun, path: string): Promise<IngestSummary> {
  const it = records[Symbol.asyncIterator]();
  let next = await it.next();
  let n = 0;
  let total: IngestSummary | null = null;
  do {
    const layout = next.done === true ? undefined : next.value.layout;
    async function* docs(): AsyncGenerator<RawDoc> {
      while (next.done !== true && (next.value.kind !== 'block' || next.value.layout === layout)) {
        const r = next.value;
        n++;
        yield { table: TABLE[r.kind], doc: undefined, text: r.text, origin: `${path}#${n}` };
        next = await it.next();
      }
    }
    const s: IngestSummary = await run(docs(), layout);
    total = total === null ? s : addSummaries(total, s);
  } while (next.done !== true);
  return total;
}

function addSummaries(a: IngestSummary, b: IngestSummary): IngestSummary {
  const sum = (x: KindTally, y: KindTally): KindTally => ({ new: x.new + y.new, duplicate: x.duplicate + y.duplicate,
    quarantined: x.quarantined + y.quarantined, conflicts: x.conflicts + y.conflicts, ignored: x.ignored + y.ignored });
  const byKind = { ...a.byKind };
  for (const k of Object.keys(byKind) as Array<keyof typeof byKind>) byKind[k] = sum(a.byKind[k], b.byKind[k]);
  return { ...sum(a, b), byKind, findings: [...a.findings, ...b.findings], findingsTotal: a.findingsTotal + b.findingsTotal };
}
