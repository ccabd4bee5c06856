/**
 * The `export` operation (issue 5 item 4, docs/spec-export.md): write an archive's
 * documents to a portable export file — all of them, or (`since`) only those added
 * after a previous export made from this archive, chained to it by digest. "Added after"
 * is the store's document sequence (`sq!`, written by ingest in the document's batch).
 */
import { LedgerError } from '../errors.js';
import { canonicalize } from '../model/canonical.js';
import { federationToJson } from '../model/federation.js';
import { noopReporter, type Reporter } from '../report/reporter.js';
import { guardArchiveReads, type Archive } from '../store/archive.js';
import { META, key, keyParts, range, seqDocKey, seqRange, type Namespace } from '../store/schema.js';
import type { BlockMeta } from '../store/read.js';
import type { Layout } from '../model/documents.js';
import type { ExportInput, RecordKind } from '../export/format.js';
import { verifyExportFile, type ExportSummary } from '../export/read.js';
import { commitKey, commitState, type CommitRecord } from '../store/commit.js';
import { recordActivity } from '../store/activity.js';
import { resolve } from 'node:path';
import type { Finding } from '../findings.js';
import { StoredGate } from '../check/gate.js';
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
export interface ExportArchiveResult extends WriteExportResult {
  incremental: boolean;
  previousPath: string | null;
  /** Stored documents that no longer verify, left out of the export (SPEC.md §15.11): the export is then not complete. */
  corrupt: Finding[];
}

/** The archive's document namespaces, in full-export order. Quarantine, indexes and derived records stay home. */
const SOURCES: ReadonlyArray<{ ns: Namespace; kind: RecordKind }> = [
  { ns: 'b', kind: 'block' }, { ns: 'v', kind: 'vote' }, { ns: 'vd', kind: 'vote' },
  { ns: 'ra', kind: 'asset' }, { ns: 'rm', kind: 'metadata' },
];
const KIND_OF = new Map<string, RecordKind>(SOURCES.map((s) => [s.ns, s.kind]));

/**
 * The store cursor of sequence `n` (SPEC.md §17.8), as written into headers: with the
 * commit that reached it and that commit's running digest (store/commit.ts), so a later
 * `--since` can tell, from the archive's own commit records, that this archive (or a copy
 * of it) wrote the export — without export writing anything into the archive.
 */
export function seqCursor(n: number, commit?: { n: number; digest: string }): string {
  return commit === undefined || commit.n === 0 ? `seq:${n}` : `seq:${n}@${commit.n}.${commit.digest}`;
}

/** The sequence (and commit) a cursor names, or null when it is not a sequence cursor (e.g. an export made before `sq!`). */
export function parseSeqCursor(c: string | null): { seq: number; commit: { n: number; digest: string } | null } | null {
  const m = c === null ? null : /^seq:(0|[1-9][0-9]{0,15})(?:@([1-9][0-9]{0,15})\.([0-9a-f]{64}))?$/.exec(c);
  if (m === null) return null;
  return { seq: Number(m[1]), commit: m[2] === undefined ? null : { n: Number(m[2]), digest: m[3]! } };
}

/**
 * Export an archive: everything, or (`since`) the documents whose sequence (`sq!`) is above
 * the previous export's `until`.
 * @throws LedgerError LEDGER_USAGE (out exists; `since` not made from this archive),
 *   LEDGER_ARCHIVE_FEDERATION (`since` has another federation), LEDGER_EXPORT_* (`since` damaged)
 * @example await exportArchive({ archive, out: 'monday.lae', since: 'sunday.lae', key })
 */
export async function exportArchive(opts: ExportArchiveOptions): Promise<ExportArchiveResult> {
  const { archive } = opts;
  const { db } = archive;
  const reporter = opts.reporter ?? noopReporter;
  const prev = opts.since === undefined ? null : await _previous(archive, opts.since, opts.sinceKey ?? opts.key);
  // Read before any document: a document stored during the export is at most exported twice, never missed.
  const seqText = await db.get(key('meta', META.seq));
  const until = seqText === undefined ? 0 : JSON.parse(seqText) as number;
  const commit = commitState(db);
  const gate = new StoredGate(archive.federation, reporter);
  // Rows (`ra!`/`rm!`) are staging, bound to no signature of their own: they pass as stored.
  const ok = (k: string, text: string): boolean => !(k.startsWith('b!') || k.startsWith('v')) || gate.pass(k, text);
  let done = 0;
  const tick = (): void => { if (++done % 10_000 === 0) reporter.progress({ phase: 'export', done, unit: 'documents' }); };
  async function* full(): AsyncGenerator<ExportInput> {
    for (const { ns, kind } of SOURCES) {
      const layouts = ns === 'b' ? new LayoutCursor(archive) : null;
      for await (const [k, text] of db.iterator(range(ns))) {
        if (!ok(k, text)) continue;
        const layout = await layouts?.of(keyParts(k)[0]!);
        yield layout == null ? { kind, text } : { kind, text, layout };
        tick();
      }
    }
  }
  async function* since(after: number): AsyncGenerator<ExportInput> {
    for await (const k of db.keys(seqRange(after, until))) {
      const docKey = seqDocKey(k);
      const kind = KIND_OF.get(docKey.slice(0, docKey.indexOf('!')));
      const text = kind === undefined ? undefined : await db.get(docKey);
      if (kind === undefined || text === undefined) continue; // documents are never removed; a foreign entry is not ours to export
      if (!ok(docKey, text)) continue;
      const layout = kind === 'block' ? await layoutOf(archive, keyParts(docKey)[0]!) : null;
      yield layout === null ? { kind, text } : { kind, text, layout };
      tick();
    }
  }
  const w = await writeExport(opts.out, {
    federation: archive.federation, records: guardArchiveReads(prev === null ? full() : since(prev.after), archive.dir), key: opts.key, overwrite: opts.overwrite,
    signal: opts.signal, now: opts.now, previous: prev?.summary.digest ?? null, sequence: prev === null ? 0 : prev.summary.header.sequence + 1,
    since: prev?.summary.header.until ?? null, until: seqCursor(until, commit !== null && commit.seq === until ? commit : undefined),
  });
  // For `status` (SPEC.md §15.6.1): outside the store, so the export stays read-only.
  if (archive.dir !== null) {
    const why = recordActivity(archive.dir, { lastExport: { at: (opts.now ?? new Date()).toISOString(), path: resolve(w.path), digest: w.digest,
      sequence: w.header.sequence, incremental: prev !== null, complete: gate.findings.length === 0 } });
    if (why !== null) reporter.warn(`export: ${why}`);
  }
  reporter.done();
  return { ...w, incremental: prev !== null, previousPath: opts.since ?? null, corrupt: gate.findings };
}

async function _previous(archive: Archive, path: string, key_: Uint8Array | undefined): Promise<{ summary: ExportSummary; after: number }> {
  const prev = await verifyExportFile(path, { key: key_ });
  if (canonicalize(prev.header.federation) !== canonicalize(federationToJson(archive.federation))) {
    throw new LedgerError('LEDGER_ARCHIVE_FEDERATION', `${path} was exported from an archive of another federation`, { path });
  }
  const cursor = parseSeqCursor(prev.header.until);
  // This archive wrote it when its commit record holds the cursor's commit (exports made before
  // commit records: the `ex!` record they left in the archive).
  let known = false;
  if (cursor?.commit != null) {
    const text = await archive.db.get(commitKey(cursor.commit.n));
    const rec = text === undefined ? null : JSON.parse(text) as CommitRecord;
    known = rec !== null && rec.digest === cursor.commit.digest && rec.seq === cursor.seq;
  } else if (cursor !== null) {
    const record = await archive.db.get(key('ex', prev.digest));
    known = record !== undefined && (JSON.parse(record) as { until: string | null }).until === prev.header.until;
  }
  const after = cursor?.seq ?? null;
  if (after === null || !known) {
    throw new LedgerError('LEDGER_USAGE',
      `${path} was not exported from this archive (no record of export ${prev.digest.slice(0, 16)}…, or made before exports used the store's sequence); make a full export`,
      { path, digest: prev.digest });
  }
  return { summary: prev, after };
}

/** A block's stored layout (`bm!`), or null when unknown. */
async function layoutOf(archive: Archive, id: string): Promise<Layout | null> {
  const text = await archive.db.get(key('bm', id));
  return text === undefined ? null : (JSON.parse(text) as BlockMeta).layout;
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
