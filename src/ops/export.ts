/**
 * The `export` operation (issue 5 item 4, docs/spec-export.md): write an archive's
 * documents to a portable export file — all of them, or (`since`) only those added
 * after a previous export made from this archive, chained to it by digest.
 */
import { LedgerError } from '../errors.js';
import { canonicalize } from '../model/canonical.js';
import { federationToJson } from '../model/federation.js';
import { noopReporter, type Reporter } from '../report/reporter.js';
import type { Archive } from '../store/archive.js';
import { keyParts, range, type Namespace } from '../store/schema.js';
import type { BlockMeta } from '../store/read.js';
import type { Layout } from '../sources/source.js';
import type { ExportInput, RecordKind } from '../export/format.js';
import { KeysetCursor, KeysetWriter, hasKeyset, keysetPath } from '../export/keyset.js';
import { verifyExportFile, type ExportSummary } from '../export/read.js';
import { writeExport, type WriteExportResult } from '../export/write.js';

/** Options of {@link exportArchive}. */
export interface ExportArchiveOptions {
  archive: Archive;
  /** The export file to write (refused if it exists, unless `overwrite`). */
  out: string;
  /** A previous export of this archive: write an incremental holding only what is new since. */
  since?: string;
  /** Seal the export with this 32-byte key; also used to read `since` unless `sinceKey` is given. */
  key?: Uint8Array;
  sinceKey?: Uint8Array;
  overwrite?: boolean;
  reporter?: Reporter;
  signal?: AbortSignal;
  now?: Date;
}

/** What {@link exportArchive} wrote. */
export interface ExportArchiveResult extends WriteExportResult { incremental: boolean; previousPath: string | null }

/** The archive's document namespaces, in export order (= key set order). Quarantine, indexes and derived records stay home. */
const SOURCES: ReadonlyArray<{ ns: Namespace; kind: RecordKind }> = [
  { ns: 'b', kind: 'block' }, { ns: 'v', kind: 'vote' }, { ns: 'vd', kind: 'vote' },
  { ns: 'ra', kind: 'asset' }, { ns: 'rm', kind: 'metadata' },
];
const ORDER = SOURCES.map((s) => s.ns);

/**
 * Export an archive.
 * @throws LedgerError LEDGER_USAGE (out exists; `since` not made from this archive, or an in-memory
 *   archive), LEDGER_ARCHIVE_FEDERATION (`since` has another federation), LEDGER_EXPORT_* (`since` damaged)
 * @example await exportArchive({ archive, out: 'monday.lae', since: 'sunday.lae', key })
 */
export async function exportArchive(opts: ExportArchiveOptions): Promise<ExportArchiveResult> {
  const { archive } = opts;
  const reporter = opts.reporter ?? noopReporter;
  const prev = opts.since === undefined ? null : await _previous(archive, opts.since, opts.sinceKey ?? opts.key);
  const keys = archive.dir === null ? null : new KeysetWriter(archive.dir);
  const known = prev === null ? null : new KeysetCursor(keysetPath(archive.dir!, prev.digest), ORDER);
  let done = 0;
  async function* records(): AsyncGenerator<ExportInput> {
    for (const { ns, kind } of SOURCES) {
      const layouts = ns === 'b' ? new LayoutCursor(archive) : null;
      for await (const [k, text] of archive.db.iterator(range(ns))) {
        await keys?.add(k);
        const layout = await layouts?.of(keyParts(k)[0]!);
        if (known !== null && await known.has(k)) continue;
        yield layout == null ? { kind, text } : { kind, text, layout };
        if (++done % 10_000 === 0) reporter.progress({ phase: 'export', done, unit: 'documents' });
      }
    }
  }
  try {
    const w = await writeExport(opts.out, {
      federation: archive.federation, records: records(), key: opts.key, overwrite: opts.overwrite, signal: opts.signal, now: opts.now,
      previous: prev?.digest ?? null, sequence: prev === null ? 0 : prev.header.sequence + 1,
      since: prev?.header.until ?? null, until: () => keys?.cursor() ?? null,
    });
    await keys?.commit(w.digest);
    reporter.done();
    return { ...w, incremental: prev !== null, previousPath: opts.since ?? null };
  } catch (err) {
    await keys?.abort();
    throw err;
  } finally {
    await known?.close();
  }
}

async function _previous(archive: Archive, path: string, key: Uint8Array | undefined): Promise<ExportSummary> {
  if (archive.dir === null) throw new LedgerError('LEDGER_USAGE', 'incremental exports need an archive folder (it remembers what each export held)', {});
  const prev = await verifyExportFile(path, { key });
  if (canonicalize(prev.header.federation) !== canonicalize(federationToJson(archive.federation))) {
    throw new LedgerError('LEDGER_ARCHIVE_FEDERATION', `${path} was exported from an archive of another federation`, { path });
  }
  if (!hasKeyset(archive.dir, prev.digest)) {
    throw new LedgerError('LEDGER_USAGE',
      `${path} was not exported from this archive (no record of export ${prev.digest.slice(0, 16)}… in ${archive.dir}/exports); make a full export`,
      { path, digest: prev.digest });
  }
  return prev;
}

/** Each block's stored layout from `bm!`, read in lockstep with `b!` (both iterate in block id order). */
class LayoutCursor {
  private readonly it: AsyncIterator<[string, string]>;
  private head: [string, Layout | null] | null | undefined = undefined;

  constructor(archive: Archive) {
    this.it = archive.db.iterator(range('bm'))[Symbol.asyncIterator]() as AsyncIterator<[string, string]>;
  }

  /** The layout of block `id` (ids asked in ascending order), or null when unknown. */
  async of(id: string): Promise<Layout | null> {
    for (;;) {
      if (this.head === undefined) {
        const n = await this.it.next();
        this.head = n.done === true ? null : [keyParts(n.value[0])[0]!, (JSON.parse(n.value[1]) as BlockMeta).layout];
      }
      if (this.head === null || this.head[0] > id) return null;
      if (this.head[0] === id) return this.head[1];
      this.head = undefined;
    }
  }
}
