/**
 * Rebuilding into a live RethinkDB (docs/spec-rebuild.md §3–§5). Order of work, chosen so
 * that nothing half-written can pass for complete:
 *   1. refuse a database that exists and is not empty (unless `force`);
 *   2. create the database and the marker table `ledger_archive_rebuild` holding one row
 *      `{id: "rebuild", state: "incomplete", ...}`, written with hard durability;
 *   3. create the layout's tables and every secondary index, and wait for them;
 *   4. insert assets, metadata, blocks, votes (BigchainDB's own order), in batches, hard;
 *   5. read every table back and compare (./rebuild-check.ts);
 *   6. only when equal, replace the marker row by `state: "complete"` with the counts.
 * A run that fails or finds differences leaves `state: "incomplete"` (or `"check-failed"`),
 * so a reader of the database can tell. The marker stays after success as provenance
 * (which archive, when, what was checked); BigchainDB never reads unknown tables.
 *
 * `force` writes into a non-empty database: missing tables and indexes are created and
 * rows with the same primary key are replaced; rows the plan does not hold stay, and the
 * read-back names them (`unexpected`), so the marker then says `check-failed`.
 */
import { r, type RQuery } from 'rethinkdb-ts';
import { LedgerError } from '../errors.js';
import type { Reporter } from '../report/reporter.js';
import { connectRethink, runOne } from '../sources/rethinkdb-conn.js';
import { tablesFor } from '../sources/rethinkdb-schema.js';
import { openRethinkTarget, toPlainJson } from '../sources/rethinkdb-target.js';
import type { RethinkUrl } from '../sources/rethinkdb-url.js';
import type { TableName } from '../model/documents.js';
import type { Archive } from '../store/archive.js';
import { checkReadBack, digesting, TableDigest, type ReadBackCheck } from './read-back.js';
import type { RebuildPlan } from './plan.js';
import { tableRows, type Row } from './rows.js';

/** The marker table a rebuild leaves in the target database. */
export const MARKER_TABLE = 'ledger_archive_rebuild';
/** States of the marker row. */
export type MarkerState = 'incomplete' | 'check-failed' | 'complete';

/** Options of {@link rebuildIntoRethink}. */
export interface RethinkRebuildOptions {
  archive: Archive;
  plan: RebuildPlan;
  url: RethinkUrl;
  force?: boolean;
  reporter: Reporter;
  signal?: AbortSignal;
  /** Rows per insert (default 200). */
  batch?: number;
  timeoutSeconds?: number;
  now?: () => Date;
}

/** What the RethinkDB side of a rebuild did. */
export interface RethinkRebuildResult {
  written: Partial<Record<TableName, number>>;
  indexesCreated: string[];
  check: ReadBackCheck;
  marker: MarkerState;
}

/** Write order: rows a block needs go in before the block (as BigchainDB does), votes last. */
const WRITE_ORDER: TableName[] = ['assets', 'metadata', 'bigchain', 'votes'];

/**
 * Connect and tell whether the target database is absent or empty (dry runs, refusals).
 * @throws LEDGER_TARGET when unreachable
 */
export async function targetIsEmpty(url: RethinkUrl, timeoutSeconds?: number): Promise<boolean> {
  const t = await openRethinkTarget({ url, timeoutSeconds });
  try { return await t.isEmpty(); } finally { await t.close(); }
}

/**
 * Rebuild the plan into a RethinkDB database and check it.
 * @throws LEDGER_TARGET (unreachable, not empty without force, refused write), LEDGER_ABORTED
 */
export async function rebuildIntoRethink(o: RethinkRebuildOptions): Promise<RethinkRebuildResult> {
  const { url, plan } = o;
  const target = await openRethinkTarget({ url, timeoutSeconds: o.timeoutSeconds });
  const conn = await connectRethink(url, 'LEDGER_TARGET', { timeoutSeconds: o.timeoutSeconds }).catch(async (err: unknown) => { await target.close(); throw err; });
  const run = <T>(what: string, q: RQuery<T>): Promise<T> => runOne(conn, url, 'LEDGER_TARGET', what, q, {});
  const db = r.db(url.db);
  const now = o.now ?? (() => new Date());
  try {
    if (!(await target.isEmpty()) && o.force !== true) {
      throw new LedgerError('LEDGER_TARGET', `${String(url)}: database ${url.db} exists and is not empty; use --force to write into it`, { host: url.host, port: url.port, db: url.db });
    }
    const startedAt = now().toISOString();
    const marker = (state: MarkerState, extra: Record<string, unknown> = {}): Row => ({
      id: 'rebuild', state, tool: 'ledger-archive', startedAt, federationHash: o.archive.info.federationHash, archive: o.archive.dir,
      layout: plan.layout, planned: plan.tables, until: plan.until?.timestamp ?? null, ...extra,
    });
    const dbs = await run('db_list', r.dbList() as RQuery<string[]>);
    if (!dbs.includes(url.db)) await run(`db_create ${url.db}`, r.dbCreate(url.db) as RQuery);
    let existing = await run('table_list', db.tableList() as RQuery<string[]>);
    if (!existing.includes(MARKER_TABLE)) await run(`table_create ${MARKER_TABLE}`, db.tableCreate(MARKER_TABLE) as RQuery);
    const putMarker = (row: Row): Promise<unknown> => run('write the rebuild marker',
      db.table(MARKER_TABLE).insert(row, { durability: 'hard', conflict: 'replace' }) as RQuery);
    await putMarker(marker('incomplete'));

    const tables = tablesFor(plan.layout);
    existing = await run('table_list', db.tableList() as RQuery<string[]>);
    for (const t of tables) if (!existing.includes(t)) await run(`table_create ${t}`, db.tableCreate(t) as RQuery);
    o.reporter.info(`creating BigchainDB ${plan.layout} indexes on ${String(url)}`);
    const indexesCreated = await target.createIndexes(plan.layout);

    const digests = new Map<TableName, TableDigest>(tables.map((t) => [t, new TableDigest()]));
    const written: Partial<Record<TableName, number>> = {};
    for (const t of WRITE_ORDER.filter((x) => tables.includes(x))) {
      const rows = progress(digesting(tableRows(o.archive, plan, t, o.signal), digests.get(t)!), o.reporter, `write ${t}`, plan.tables[t] ?? undefined);
      written[t] = o.force === true ? await insertReplace(run, db, t, rows, o.batch ?? 200) : (await target.insert(t, rows, { batch: o.batch })).inserted;
    }
    written.backlog = 0;
    o.reporter.info('reading the database back to compare');
    const check = await checkReadBack(tables, digests, (t) => progress(target.readBack(t), o.reporter, `read back ${t}`, digests.get(t)?.count),
      { rows: (t) => tableRows(o.archive, plan, t, o.signal) });
    const state: MarkerState = check.equal ? 'complete' : 'check-failed';
    await putMarker(marker(state, { finishedAt: now().toISOString(), written, equal: check.equal, differences: check.differencesTotal }));
    o.reporter.done();
    return { written, indexesCreated, check, marker: state };
  } catch (err) {
    if (o.signal?.aborted === true && !(err instanceof LedgerError && err.code === 'LEDGER_TARGET')) {
      throw new LedgerError('LEDGER_ABORTED', `rebuild into ${String(url)} interrupted; the target is marked incomplete`, { db: url.db }, err);
    }
    throw err;
  } finally {
    await conn.close().catch(() => undefined);
    await target.close();
  }
}

/** Insert with conflict `replace` (forced rebuilds), in batches, hard durability. */
async function insertReplace(run: <T>(what: string, q: RQuery<T>) => Promise<T>, db: ReturnType<typeof r.db>, table: TableName,
  rows: AsyncIterable<Row>, size: number): Promise<number> {
  let batch: unknown[] = [];
  let n = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const res = await run(`insert into ${table}`, db.table(table).insert(batch, { durability: 'hard', conflict: 'replace' }) as RQuery<{ errors: number; first_error?: string }>);
    if (res.errors > 0) throw new LedgerError('LEDGER_TARGET', `insert into ${table} refused ${res.errors} document(s): ${res.first_error?.split('\n')[0] ?? ''}`, { table });
    n += batch.length;
    batch = [];
  };
  for await (const row of rows) {
    batch.push(toPlainJson(row));
    if (batch.length >= size) await flush();
  }
  await flush();
  return n;
}

/** Report progress every 1000 rows of a stream. */
async function* progress<T>(rows: AsyncIterable<T>, reporter: Reporter, phase: string, total?: number): AsyncGenerator<T> {
  let done = 0;
  for await (const row of rows) {
    yield row;
    if (++done % 1000 === 0) reporter.progress({ phase, done, total, unit: 'rows' });
  }
  reporter.progress({ phase, done, total, unit: 'rows' });
}

/** Read the marker row of a database (null when there is none). */
export async function readMarker(url: RethinkUrl, timeoutSeconds?: number): Promise<Row | null> {
  const conn = await connectRethink(url, 'LEDGER_TARGET', { timeoutSeconds });
  try {
    const dbs = await runOne(conn, url, 'LEDGER_TARGET', 'db_list', r.dbList() as RQuery<string[]>, {});
    if (!dbs.includes(url.db)) return null;
    const tables = await runOne(conn, url, 'LEDGER_TARGET', 'table_list', r.db(url.db).tableList() as RQuery<string[]>, {});
    if (!tables.includes(MARKER_TABLE)) return null;
    return await runOne(conn, url, 'LEDGER_TARGET', 'read the marker', r.db(url.db).table(MARKER_TABLE).get('rebuild') as unknown as RQuery<Row | null>, {});
  } finally {
    await conn.close().catch(() => undefined);
  }
}
