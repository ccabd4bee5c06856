/**
 * The `pull` operation (docs/spec-pull.md): bring an archive up to date from a
 * RethinkDB database, a node's HTTP API or files. Everything fetched goes through
 * `ingest`, so nothing unverified is stored and pulling twice changes nothing.
 * Selections are remembered per source in the archive; a bare pull repeats them.
 */
import { resolve } from 'node:path';
import { LedgerError } from '../errors.js';
import { noopReporter, type Reporter } from '../report/reporter.js';
import { openHttpSource, type HttpSourceOptions } from '../sources/http.js';
import type { MissingRef } from '../sources/http-walk.js';
import type { GuardOptions } from '../sources/rethinkdb-guard.js';
import { openRethinkSource, parseRethinkUrl, redactUrl, type RethinkSource, type RethinkUrl } from '../sources/rethinkdb.js';
import type { Layout, Selection } from '../model/documents.js';
import type { Archive } from '../store/archive.js';
import type { IngestSummary } from './ingest.js';
import { pullFile } from '../pull/file.js';
import { followRethink, type FollowOptions, type FollowReport } from '../pull/follow.js';
import { fillGapsHttp, pullHttpSelection } from '../pull/http.js';
import { fillGapsRethink, pullRethinkAll, pullRethinkSelection } from '../pull/rethinkdb.js';
import { PullRun } from '../pull/run.js';
import { isEmptySelection, readSelectionMemory, rememberSelection } from '../pull/state.js';

export type { RethinkCursor, FollowState } from '../pull/rethinkdb.js';
export type { FollowReport } from '../pull/follow.js';

/** A source as the pull understood `--from`. `name` keys the sync record; neither holds a password. */
export type PullSource =
  | { kind: 'rethinkdb'; name: string; from: string; url: RethinkUrl }
  | { kind: 'http'; name: string; from: string; url: string }
  | { kind: 'file'; name: string; from: string; path: string };

/** Where a RethinkDB password may come from besides the URL. */
export interface CredentialOptions {
  passwordFile?: string;
  /** CA file for TLS to RethinkDB (`--ca`; same as `?ca=` in the URL). */
  ca?: string;
  /** Environment for LEDGER_ARCHIVE_RETHINKDB_PASSWORD (default process.env). */
  env?: Record<string, string | undefined>;
}

/**
 * Understand `--from`: `rethinkdb://…`, `http(s)://…`, or a file/folder path.
 * @throws LedgerError LEDGER_USAGE on a malformed URL (password redacted)
 * @example resolvePullSource('rethinkdb://admin@localhost/bigchain').name // 'rethinkdb://admin@localhost:28015/bigchain'
 */
export function resolvePullSource(from: string, opts: CredentialOptions = {}): PullSource {
  if (/^rethinkdb:/i.test(from)) {
    let text = from;
    if (opts.ca !== undefined && !/[?&]ca=/.test(text)) text += `${text.includes('?') ? '&' : '?'}ca=${encodeURIComponent(opts.ca)}`;
    const url = parseRethinkUrl(text, { passwordFile: opts.passwordFile, env: opts.env });
    const name = `rethinkdb://${encodeURIComponent(url.user)}@${url.host.includes(':') ? `[${url.host}]` : url.host}:${url.port}/${url.db}`;
    const tls = url.tls === null ? '' : url.tls.caFile !== null ? `?ca=${encodeURIComponent(url.tls.caFile)}` : '?tls=1';
    return { kind: 'rethinkdb', name, from: name + tls, url };
  }
  if (/^https?:/i.test(from)) {
    let u: URL;
    try { u = new URL(from); } catch { throw new LedgerError('LEDGER_USAGE', `not a URL: ${redactUrl(from)}`, { from: redactUrl(from) }); }
    u.username = ''; u.password = ''; u.hash = '';
    const name = u.href.replace(/\/+$/, '');
    return { kind: 'http', name, from: name, url: from };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(from)) {
    throw new LedgerError('LEDGER_USAGE', `unknown source ${redactUrl(from)}: use rethinkdb://, http(s):// or a file path`, { from: redactUrl(from) });
  }
  const path = resolve(from);
  return { kind: 'file', name: path, from: path, path };
}

/** Options of {@link pull}. */
export interface PullOptions extends CredentialOptions {
  archive: Archive;
  /** `--from`; default: the source of the last pull into this archive. */
  from?: string;
  /** What to pull; default: what was remembered for the source (files: everything). */
  selection?: Selection;
  /** RethinkDB only: after catching up, stream changes until `signal` fires. */
  follow?: boolean | FollowOptions;
  /** Fetch blocks named by stored votes but missing, until the chains close. */
  fillGaps?: boolean;
  reporter?: Reporter;
  signal?: AbortSignal;
  /** Verification threads per ingest run (see ingest). */
  workers?: number;
  /** RethinkDB `--all`: seconds re-read before the cursor (default 120) and blocks per committed run (default 10,000). */
  overlapSeconds?: number;
  chunkBlocks?: number;
  /** HTTP client settings (timeouts, retries, bounds). */
  http?: Omit<HttpSourceOptions, 'url' | 'signal'>;
  /** RethinkDB connect timeout in seconds. */
  timeoutSeconds?: number;
  /** RethinkDB query timeout, read deadline and reply frame bound (sources/rethinkdb-guard.ts). */
  rethink?: Omit<GuardOptions, 'signal'>;
}

/** What a pull did. */
export interface PullReport {
  source: string;
  kind: PullSource['kind'];
  /** The selection this pull used (after defaults). */
  selection: Selection;
  summary: IngestSummary;
  /** Documents the source delivered (before verification). */
  fetched: number;
  /** The resume position now recorded (sync record `cursor`). */
  cursor: unknown;
  layout: Layout | null;
  /** Blocks fill-gaps could not obtain (absent from the source, or quarantined). */
  unresolved: string[];
  /** What the HTTP walkers could not follow. */
  missing: MissingRef[];
  follow: FollowReport | null;
}

const usage = (message: string, data: Record<string, unknown> = {}): LedgerError => new LedgerError('LEDGER_USAGE', message, data);

/**
 * Pull from a source into an archive.
 * @returns counts, cursor, and what could not be found
 * @throws LedgerError LEDGER_USAGE (nothing to pull, `--all` over HTTP, `--follow` without RethinkDB),
 *   LEDGER_SOURCE (connection/protocol failure: what was committed before stays), LEDGER_ABORTED
 * @example await pull({ archive, from: 'rethinkdb://localhost/bigchain', selection: { all: true } })
 */
export async function pull(opts: PullOptions): Promise<PullReport> {
  const db = opts.archive.db;
  const memory = await readSelectionMemory(db);
  const fromText = opts.from ?? (memory.last !== null ? memory.sources[memory.last]?.from : undefined);
  if (fromText === undefined) throw usage('no source: give --from (no earlier pull into this archive to repeat)');
  const source = resolvePullSource(fromText, opts);
  const follow = opts.follow !== undefined && opts.follow !== false;
  let selection: Selection = opts.selection ?? {};
  if (follow) selection = { ...selection, all: true };
  if (isEmptySelection(selection)) selection = memory.sources[source.name]?.selection ?? (source.kind === 'file' ? { all: true } : {});
  if (isEmptySelection(selection) && opts.fillGaps !== true) {
    throw usage(`nothing to pull from ${source.name}: give --tx, --owner, --asset or --all (nothing was remembered for this source)`, { source: source.name });
  }
  if (source.kind === 'http' && selection.all === true) {
    throw usage(`--all is not possible over the HTTP API (no endpoint lists blocks): pull a selection (--tx/--owner/--asset) from ${source.name}, `
      + 'then --fill-gaps to walk back from the blocks you hold, or use rethinkdb:// or a dump for everything', { source: source.name });
  }
  if (follow && source.kind !== 'rethinkdb') throw usage('--follow needs a rethinkdb:// source (changefeeds)', { source: source.name });
  if (opts.fillGaps === true && source.kind === 'file') throw usage('--fill-gaps needs a live source (rethinkdb:// or http(s)://); a file is read whole', { source: source.name });
  if (!isEmptySelection(selection)) await rememberSelection(db, source.name, source.from, selection);

  const run = new PullRun({ archive: opts.archive, name: source.name, reporter: opts.reporter ?? noopReporter, signal: opts.signal, workers: opts.workers });
  await run.loadCursor();
  const report: PullReport = { source: source.name, kind: source.kind, selection, summary: run.summary, fetched: 0, cursor: null,
    layout: null, unresolved: [], missing: [], follow: null };
  try {
    if (source.kind === 'file') await pullFile(run, source.path, selection);
    else if (source.kind === 'http') await pullHttp(run, source, selection, opts, report);
    else await pullRethink(run, source, selection, opts, report, follow);
  } finally {
    run.reporter.finish();
    report.fetched = run.fetched;
    report.cursor = run.cursor;
  }
  return report;
}

async function pullHttp(run: PullRun, source: Extract<PullSource, { kind: 'http' }>, selection: Selection, opts: PullOptions, report: PullReport): Promise<void> {
  const src = openHttpSource({ ...opts.http, url: source.url, signal: opts.signal });
  if (!isEmptySelection(selection)) report.missing.push(...await pullHttpSelection(run, src, selection));
  if (opts.fillGaps === true) {
    const g = await fillGapsHttp(run, src);
    report.unresolved = g.unresolved;
    report.missing.push(...g.missing);
  }
}

async function pullRethink(run: PullRun, source: Extract<PullSource, { kind: 'rethinkdb' }>, selection: Selection, opts: PullOptions,
  report: PullReport, follow: boolean): Promise<void> {
  // SIGINT/SIGTERM end any wait on the server at once (a follow instead finishes its run: §16.4).
  const open = (): Promise<RethinkSource> => openRethinkSource({ url: source.url, timeoutSeconds: opts.timeoutSeconds, ...opts.rethink,
    signal: follow ? undefined : opts.signal });
  const src = await open();
  try {
    const layout = await src.detectLayout();
    run.layout = layout;
    report.layout = layout;
    if (selection.all === true && !follow) await pullRethinkAll(run, src, layout, allOptions(opts));
    else if (!follow && !isEmptySelection(selection)) await pullRethinkSelection(run, src, selection, layout);
    if (opts.fillGaps === true) report.unresolved = await fillGapsRethink(run, src, layout);
  } finally {
    await src.close();
  }
  if (follow) {
    const fo = typeof opts.follow === 'object' ? opts.follow : {};
    report.follow = await followRethink(run, open, { ...allOptions(opts), ...fo });
  }
}

const allOptions = (opts: PullOptions): FollowOptions => ({ overlapSeconds: opts.overlapSeconds, chunkBlocks: opts.chunkBlocks });
