/**
 * One pull as a sequence of ingest runs (docs/spec-pull.md §1): every document goes
 * through `ingest`, the one verified door, and a resume position is committed only
 * in the same LevelDB batch as the last documents of a run (ingest records the
 * sync record there). A pull is many runs so that a long `--all` commits its
 * cursor as it goes; this class sums their outcomes and keeps the sync record's
 * cursor from being lost by runs that do not move it.
 */
import type { Reporter } from '../report/reporter.js';
import type { Layout, RawDoc } from '../model/documents.js';
import type { Archive } from '../store/archive.js';
import { readSyncRecord } from '../store/sync.js';
import { ingestDocuments, type IngestSummary } from '../ingest/pipeline.js';
import { PullReporter, addSummary, emptySummary } from './state.js';

/** Shared state of one pull. */
export class PullRun {
  readonly archive: Archive;
  /** The source's name (sync record key; never holds a password). */
  readonly name: string;
  readonly reporter: PullReporter;
  readonly signal: AbortSignal | undefined;
  readonly workers: number | undefined;
  readonly summary: IngestSummary = emptySummary();
  /** Documents the source delivered. */
  fetched = 0;
  /** Ingest runs made. */
  runs = 0;
  /** Layout of the source when known (recorded with each block). */
  layout: Layout | undefined;
  /** The cursor to record with the next run (starts as the stored one). */
  cursor: unknown = null;

  constructor(opts: { archive: Archive; name: string; reporter: Reporter; signal?: AbortSignal; workers?: number }) {
    this.archive = opts.archive;
    this.name = opts.name;
    this.reporter = new PullReporter(opts.reporter);
    this.signal = opts.signal;
    this.workers = opts.workers;
  }

  /** Load the stored cursor of this source (null when none). */
  async loadCursor(): Promise<unknown> {
    this.cursor = (await readSyncRecord(this.archive.db, this.name))?.cursor ?? null;
    return this.cursor;
  }

  /**
   * Ingest one stream. `source.cursor` is read by ingest after the last document,
   * so a generator may move `this.cursor` while it yields: what is recorded is the
   * position after the last document of this run, in the same batch as it.
   * @param opts.signal false: do not pass the pull's signal (a run that must finish, e.g. a follow batch)
   */
  async ingest(docs: AsyncIterable<RawDoc> | Iterable<RawDoc>, opts: { signal?: boolean; workers?: number } = {}): Promise<IngestSummary> {
    const self = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the getter below reads the live cursor
    const counted = async function* (): AsyncGenerator<RawDoc> {
      for await (const d of docs) { self.fetched++; yield d; }
    };
    this.runs++;
    const s = await ingestDocuments({
      archive: this.archive, docs: counted(), layout: this.layout, reporter: this.reporter,
      signal: opts.signal === false ? undefined : this.signal, workers: opts.workers ?? this.workers,
      source: { name: this.name, get cursor() { return self.cursor; } },
    });
    addSummary(this.summary, s);
    this.reporter.endRun(s.new + s.duplicate + s.quarantined + s.conflicts + s.ignored);
    return s;
  }
}
