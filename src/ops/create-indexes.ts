/**
 * The `create-indexes` operation (docs/spec-rebuild.md §6): a database restored from a
 * dump made by `rebuild --to FILE.tar.gz` has its tables but no secondary indexes (the
 * index blobs of a dump can only come from a live server). This creates BigchainDB's
 * indexes for the layout (names, functions and multi flags of schema.py) and waits for
 * them. Indexes that exist are left alone, so running it twice is harmless.
 */
import { LedgerError, isLedgerError } from '../errors.js';
import { noopReporter, type Reporter } from '../report/reporter.js';
import { openRethinkSource } from '../sources/rethinkdb.js';
import { indexesFor } from '../sources/rethinkdb-schema.js';
import { openRethinkTarget } from '../sources/rethinkdb-target.js';
import { parseRethinkUrl, type PasswordOptions } from '../sources/rethinkdb-url.js';
import type { Layout } from '../model/documents.js';

/** Options of {@link createIndexes}. */
export interface CreateIndexesOptions extends PasswordOptions {
  /** `rethinkdb://[user@]host[:port]/db`. */
  to: string;
  /** Default: detected from the database's tables (metadata → 1.3, assets → 1.0, else the blocks' version). */
  layout?: Layout;
  reporter?: Reporter;
  timeoutSeconds?: number;
}

/** What {@link createIndexes} did. */
export interface CreateIndexesReport { target: string; layout: Layout; created: string[]; existing: string[] }

/**
 * Create BigchainDB's secondary indexes on a (restored) database.
 * @throws LedgerError LEDGER_USAGE (bad URL), LEDGER_TARGET (unreachable, not a BigchainDB database, refused)
 * @example await createIndexes({ to: 'rethinkdb://localhost/bigchain' })
 */
export async function createIndexes(opts: CreateIndexesOptions): Promise<CreateIndexesReport> {
  const url = parseRethinkUrl(opts.to, opts);
  const reporter = opts.reporter ?? noopReporter;
  const target = await openRethinkTarget({ url, timeoutSeconds: opts.timeoutSeconds });
  try {
    const layout = opts.layout ?? await detect(url, opts.timeoutSeconds);
    reporter.info(`creating BigchainDB ${layout} indexes on ${String(url)}`);
    const created = await target.createIndexes(layout);
    const all = indexesFor(layout).map((i) => `${i.table}.${i.name}`);
    return { target: String(url), layout, created, existing: all.filter((n) => !created.includes(n)) };
  } finally {
    await target.close();
  }
}

/** Detect the layout through the source's reader; its errors are target errors here. */
async function detect(url: ReturnType<typeof parseRethinkUrl>, timeoutSeconds?: number): Promise<Layout> {
  try {
    const src = await openRethinkSource({ url, timeoutSeconds });
    try { return await src.detectLayout(); } finally { await src.close(); }
  } catch (err) {
    if (isLedgerError(err) && err.code === 'LEDGER_SOURCE') throw new LedgerError('LEDGER_TARGET', err.message, err.data, err);
    throw err;
  }
}
