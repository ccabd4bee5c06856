/**
 * What dump archives and export folders have in common: the `.info` file of a table, the
 * choice of database and tables to read, and recognising BigchainDB's storage layout from
 * the tables present (reference ledger-format.md §6).
 */
import { LedgerError } from '../errors.js';
import { parseJson } from '../model/json.js';
import type { JsonValue } from '../model/json.js';
import type { Layout, RawDoc, TableName } from '../model/documents.js';

/** A table found in a dump or export folder: a data file plus its sibling `.info`. */
export interface DumpTableInfo {
  db: string;
  table: string;
  /** Data file format; restore also accepts `.csv`, which this tool cannot read back exactly. */
  format: 'json' | 'csv' | 'ndjson';
  /** `primary_key` from `.info` (`"id"` for every BigchainDB table), null when absent. */
  primaryKey: string | null;
  /** Names of the secondary indexes listed in `.info`. */
  indexes: string[];
  /** The whole parsed `.info`, for callers that want blobs or `doc_count_estimates`. */
  info: JsonValue;
}

/** A document read from a dump, export folder or documents file. */
export interface ReadDoc extends RawDoc {
  /** Set when the text was not a valid document (turn it into DOC_INVALID_JSON); `doc` is then null. */
  invalid?: string;
}

/** A document read from a dump or export folder: it always knows its db and table. */
export interface DumpDoc extends ReadDoc {
  db: string;
  table: TableName;
}

/** Tables read by default: BigchainDB's ledger tables; `backlog` holds unconfirmed transactions. */
export const DEFAULT_TABLES: readonly TableName[] = ['bigchain', 'votes', 'assets', 'metadata'];

/** Options shared by {@link readDump} and {@link readExportDir}. */
export interface ReadTablesOptions {
  /** Database to read; default `bigchain`, or the only database that holds a `bigchain` table. */
  db?: string;
  /** Tables to read, in this order (default {@link DEFAULT_TABLES}; absent ones are skipped). */
  tables?: readonly TableName[];
  /** Per-document size limit in bytes (default 128 MiB). */
  maxDocumentBytes?: number;
  /** Deliver each document's text unparsed (`doc` undefined): the verification workers parse it (json-stream.ts `text`). */
  text?: boolean;
}

/**
 * Parse a `.info` file the way `_import.parse_info_file` uses it (primary key, indexes).
 * @throws LedgerError LEDGER_INPUT when it is not a JSON object (restore would crash on it)
 */
export function parseTableInfo(text: string, where: string): Pick<DumpTableInfo, 'primaryKey' | 'indexes' | 'info'> {
  let info: JsonValue;
  try { info = parseJson(text); } catch (err) {
    throw new LedgerError('LEDGER_INPUT', `${where}: .info is not valid JSON`, { where }, err);
  }
  if (typeof info !== 'object' || info === null || Array.isArray(info)) {
    throw new LedgerError('LEDGER_INPUT', `${where}: .info is not a JSON object`, { where });
  }
  const o = info as Record<string, JsonValue>;
  const primaryKey = typeof o.primary_key === 'string' ? o.primary_key : null;
  const indexes: string[] = [];
  // A dump's `indexes` is index_status() (objects with `index`); table.info() alone gives names.
  for (const ix of Array.isArray(o.indexes) ? o.indexes : []) {
    if (typeof ix === 'string') indexes.push(ix);
    else if (typeof ix === 'object' && ix !== null && !Array.isArray(ix) && typeof (ix as Record<string, JsonValue>).index === 'string') {
      indexes.push((ix as Record<string, string>).index!);
    }
  }
  return { primaryKey, indexes, info };
}

/**
 * Choose the database and the tables to read from what was found.
 * @throws LedgerError LEDGER_INPUT when the database is ambiguous or has none of the tables
 */
export function selectTables(found: readonly DumpTableInfo[], where: string,
  opts: ReadTablesOptions = {}): { db: string; tables: DumpTableInfo[] } {
  const dbs = [...new Set(found.map((t) => t.db))].sort();
  let db = opts.db;
  if (db === undefined) {
    const withBlocks = [...new Set(found.filter((t) => t.table === 'bigchain').map((t) => t.db))];
    db = dbs.includes('bigchain') ? 'bigchain' : withBlocks.length === 1 ? withBlocks[0]! : undefined;
    if (db === undefined) {
      throw new LedgerError('LEDGER_INPUT', `${where}: cannot tell which database holds the ledger (found: ${dbs.join(', ') || 'none'}); choose one with --db NAME (ingest, verify)`, { where, dbs, option: 'db' });
    }
  }
  const wanted = opts.tables ?? DEFAULT_TABLES;
  const tables: DumpTableInfo[] = [];
  for (const name of wanted) {
    const t = found.find((f) => f.db === db && f.table === name);
    if (t === undefined) continue;
    if (t.format === 'csv') {
      throw new LedgerError('LEDGER_INPUT', `${where}: table ${db}.${name} is CSV, which loses JSON types; export it as JSON`, { where, db, table: name });
    }
    tables.push(t);
  }
  if (tables.length === 0) {
    throw new LedgerError('LEDGER_INPUT', `${where}: database ${db} has none of the tables ${wanted.join(', ')}`, { where, db, dbs });
  }
  return { db, tables };
}

/**
 * Recognise BigchainDB's storage layout from the tables of its database.
 * `metadata` exists from v1.3, `assets` from v1.0. Before that 0.9 and 0.10 have the same
 * tables and index names, so only a transaction's `version` tells them apart; v0.8's extra
 * `metadata_id` index on `bigchain` (or version 1) is not a supported layout.
 * @param tables the tables found (names; index names for the pre-1.0 check)
 * @param txVersion the `version` of any transaction in a block, when known
 * @returns the layout, or null when it cannot be decided (or is older than 0.9)
 * @example detectLayout([{ table: 'bigchain', indexes: [] }, { table: 'assets', indexes: [] }]) // '1.0'
 */
export function detectLayout(tables: readonly { table: string; indexes?: readonly string[] }[],
  txVersion?: unknown): Layout | null {
  const names = new Set(tables.map((t) => t.table));
  if (names.has('metadata')) return '1.3';
  if (names.has('assets')) return '1.0';
  const bigchain = tables.find((t) => t.table === 'bigchain');
  if (bigchain?.indexes?.includes('metadata_id') === true) return null;
  if (txVersion === '0.9' || txVersion === '0.10') return txVersion;
  return null;
}

/** The `version` of the first transaction of a stored block document, if it has one. */
export function blockTxVersion(block: unknown): unknown {
  const b = (block as { block?: { transactions?: unknown } } | null)?.block;
  const txs = b?.transactions;
  return Array.isArray(txs) && txs.length > 0 ? (txs[0] as { version?: unknown } | null)?.version : undefined;
}
