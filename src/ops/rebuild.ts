/**
 * The `rebuild` operation (docs/spec-rebuild.md): turn an archive back into a BigchainDB
 * database — a live RethinkDB (`rethinkdb://…`, written then read back and compared) or a
 * `rethinkdb dump` archive (`FILE.tar.gz`) that `rethinkdb restore` accepts as it is,
 * followed by `create-indexes`. What is written is the plan (./rebuild-plan.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LedgerError, isLedgerError } from '../errors.js';
import { writeDump } from '../dump/write.js';
import { noopReporter, type Reporter } from '../report/reporter.js';
import { tablesFor } from '../sources/rethinkdb-schema.js';
import { parseRethinkUrl, type PasswordOptions, type RethinkUrl } from '../sources/rethinkdb-url.js';
import type { Layout, TableName } from '../model/documents.js';
import { guardArchiveReads, type Archive } from '../store/archive.js';
import type { ReadBackCheck } from '../rebuild/read-back.js';
import { parseUntil, planRebuild, type RebuildPlan, type UntilSpec } from '../rebuild/plan.js';
import { rebuildIntoRethink, targetIsEmpty, type MarkerState } from '../rebuild/rethinkdb.js';
import { rebuildGate, tableRows } from '../rebuild/rows.js';
import { checkBlockKeys } from '../check/gate.js';
import type { Finding } from '../findings.js';

/** Options of {@link rebuild}. */
export interface RebuildOptions extends PasswordOptions {
  archive: Archive;
  /** `rethinkdb://[user@]host[:port]/db` or a path ending in `.tar.gz`/`.tgz`. */
  to: string;
  layout?: Layout;
  /** A block id, unix seconds or ISO date (text), or a parsed spec. */
  until?: string | UntilSpec;
  keepUndecided?: boolean;
  allowGaps?: boolean;
  /** Write into a non-empty RethinkDB database, or replace an existing dump file (atomically). */
  force?: boolean;
  /** Plan only: nothing is written (a RethinkDB target is only asked whether it is empty). */
  dryRun?: boolean;
  /** Database name inside a dump file (default `bigchain`). */
  db?: string;
  reporter?: Reporter;
  signal?: AbortSignal;
  batch?: number;
  timeoutSeconds?: number;
  /** Time naming the dump's top folder (default now). */
  date?: Date;
}

/** The target as understood from `to`. */
export type RebuildTarget = { kind: 'rethinkdb'; name: string; url: RethinkUrl } | { kind: 'dump'; name: string; path: string };

/** What a rebuild did. */
export interface RebuildReport {
  target: { kind: RebuildTarget['kind']; name: string };
  plan: RebuildPlan;
  dryRun: boolean;
  /** Dry runs: whether a RethinkDB target is absent or empty, or a dump file does not exist yet (null otherwise). */
  targetEmpty: boolean | null;
  written: Partial<Record<TableName, number>> | null;
  indexesCreated: string[];
  /** The read-back comparison (RethinkDB targets). */
  check: ReadBackCheck | null;
  marker: MarkerState | null;
  dump: { path: string; top: string } | null;
  /** Stored documents that no longer verify, left out of what was written (SPEC.md §15.11). */
  corrupt: Finding[];
}

/**
 * Understand `--to`.
 * @throws LedgerError LEDGER_USAGE for anything but rethinkdb:// or a .tar.gz/.tgz path
 */
export function resolveRebuildTarget(to: string, opts: PasswordOptions = {}): RebuildTarget {
  if (/^rethinkdb:/i.test(to)) {
    const url = parseRethinkUrl(to, opts);
    return { kind: 'rethinkdb', name: String(url), url };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(to)) throw new LedgerError('LEDGER_USAGE', `--to wants rethinkdb://host[:port]/db or FILE.tar.gz, not ${to.replace(/\/\/[^@/]*@/, '//***@')}`);
  if (!/\.(tar\.gz|tgz)$/i.test(to)) throw new LedgerError('LEDGER_USAGE', `--to ${to}: a dump file name ends in .tar.gz (or .tgz)`, { to });
  return { kind: 'dump', name: to, path: to };
}

/**
 * Rebuild a database from an archive.
 * @returns the plan, what was written and the read-back check
 * @throws LedgerError LEDGER_USAGE (bad --to/--until), LEDGER_TARGET (unreachable, refused, not empty without force),
 *   LEDGER_ABORTED; file-system errors of a dump as they come (no partial file is left)
 * @example const r = await rebuild({ archive, to: 'rethinkdb://localhost/bigchain' }); r.check?.equal
 */
export async function rebuild(opts: RebuildOptions): Promise<RebuildReport> {
  try {
    return await rebuildInner(opts);
  } catch (err) {
    if (opts.signal?.aborted === true && !isLedgerError(err)) {
      throw new LedgerError('LEDGER_ABORTED', 'rebuild interrupted (a RethinkDB target stays marked incomplete; no dump file is left)', {}, err);
    }
    throw err;
  }
}

async function rebuildInner(opts: RebuildOptions): Promise<RebuildReport> {
  const reporter = opts.reporter ?? noopReporter;
  const target = resolveRebuildTarget(opts.to, opts);
  const until = typeof opts.until === 'string' ? parseUntil(opts.until) : opts.until;
  const plan = await planRebuild({
    archive: opts.archive, layout: opts.layout, until, keepUndecided: opts.keepUndecided, allowGaps: opts.allowGaps,
    countRows: opts.dryRun === true, reporter, signal: opts.signal,
  });
  if (target.kind === 'dump') checkDumpPath(target.path, opts.force === true || opts.dryRun === true);
  const report: RebuildReport = {
    target: { kind: target.kind, name: target.name }, plan, dryRun: opts.dryRun === true, targetEmpty: null,
    written: null, indexesCreated: [], check: null, marker: null, dump: null, corrupt: rebuildGate(opts.archive, plan).findings,
  };
  for (const b of plan.leftOut) reporter.record('left-out', { block: b.id, timestamp: b.timestamp, status: b.status, reason: b.reason });
  await checkBlockKeys(opts.archive.db, rebuildGate(opts.archive, plan), opts.signal);
  if (opts.dryRun === true) {
    report.targetEmpty = target.kind === 'rethinkdb' ? await targetIsEmpty(target.url, opts.timeoutSeconds) : !existsSync(target.path);
    return report;
  }
  if (target.kind === 'rethinkdb') {
    const r = await rebuildIntoRethink({ archive: opts.archive, plan, url: target.url, force: opts.force, reporter, signal: opts.signal,
      batch: opts.batch, timeoutSeconds: opts.timeoutSeconds });
    fillCounts(plan, r.written);
    report.corrupt.forEach((f) => reporter.finding(f));
    return { ...report, written: r.written, indexesCreated: r.indexesCreated, check: r.check, marker: r.marker };
  }
  const written: Partial<Record<TableName, number>> = {};
  const d = await writeDump(target.path, {
    db: opts.db ?? 'bigchain', date: opts.date,
    tables: tablesFor(plan.layout).map((t) => ({ name: t, docs: counted(guardArchiveReads(tableRows(opts.archive, plan, t, opts.signal), opts.archive.dir), reporter, t, plan.tables[t] ?? undefined) })),
  });
  for (const t of d.tables) written[t.name as TableName] = t.docs;
  report.corrupt.forEach((f) => reporter.finding(f));
  reporter.done();
  fillCounts(plan, written);
  return { ...report, written, dump: { path: d.path, top: d.top } };
}

/** The plan's unknown row counts (assets, metadata) are what was written. */
function fillCounts(plan: RebuildPlan, written: Partial<Record<TableName, number>>): void {
  for (const [t, n] of Object.entries(plan.tables)) if (n === null && written[t as TableName] !== undefined) plan.tables[t as TableName] = written[t as TableName]!;
}

/**
 * A dump file goes into an existing folder, and replaces a file only when asked (issue 11 §1–2).
 * @throws LedgerError LEDGER_TARGET when the folder is missing or the path is a folder,
 *   LEDGER_USAGE when the file exists and `overwrite` is false
 */
function checkDumpPath(path: string, overwrite: boolean): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new LedgerError('LEDGER_TARGET', `--to ${path}: folder ${dir} does not exist`, { to: path, dir });
  }
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) throw new LedgerError('LEDGER_TARGET', `--to ${path} is a folder, not a dump file name`, { to: path });
  if (!overwrite) throw new LedgerError('LEDGER_USAGE', `--to ${path} exists; refusing to overwrite it (use --force)`, { to: path });
}

async function* counted<T>(rows: AsyncIterable<T>, reporter: Reporter, table: string, total?: number): AsyncGenerator<T> {
  let n = 0;
  for await (const r of rows) {
    yield r;
    if (++n % 1000 === 0) reporter.progress({ phase: `dump ${table}`, done: n, total, unit: 'rows' });
  }
}
