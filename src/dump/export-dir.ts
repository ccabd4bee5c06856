/**
 * Read a folder made by `rethinkdb export` (json format): `<dir>/<db>/<table>.json` plus
 * `<table>.info`. Rules follow `rethinkdb import -d` (`_import.parse_sources`): files directly in
 * `<dir>` and folders below `<db>/` are ignored, a data file counts only with its `.info`.
 * Beyond the importer, `--format ndjson` exports (`<table>.ndjson` + `.info`) are read too,
 * since the splitter accepts whitespace-separated documents.
 */
import { createReadStream } from 'node:fs';
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LedgerError, isLedgerError } from '../errors.js';
import { splitJsonDocuments } from './json-stream.js';
import { parseTableInfo, selectTables } from './tables.js';
import type { DumpDoc, DumpTableInfo, ReadTablesOptions } from './tables.js';
import type { TableName } from '../model/documents.js';

const FORMATS = ['json', 'ndjson', 'csv'] as const;

/**
 * List the tables of an export folder (all databases) with their `.info` contents.
 * @throws LedgerError LEDGER_INPUT when the folder is unreadable or an `.info` is not a JSON object
 * @example const tables = await readExportDirInfo('rethinkdb_export_2018-01-02T03:04:05')
 */
export async function readExportDirInfo(dir: string): Promise<DumpTableInfo[]> {
  const tables: DumpTableInfo[] = [];
  for (const db of (await _list(dir)).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    const files = new Set((await _list(join(dir, db))).filter((e) => e.isFile()).map((e) => e.name));
    for (const file of [...files].sort()) {
      if (!file.endsWith('.info') || file === '.info') continue;
      const table = file.slice(0, -'.info'.length);
      const format = FORMATS.find((f) => files.has(`${table}.${f}`));
      if (format === undefined) continue;
      const where = join(dir, db, file);
      let text: string;
      try { text = await readFile(where, 'utf8'); } catch (err) {
        throw new LedgerError('LEDGER_INPUT', `${where}: cannot read: ${(err as Error).message}`, { path: where }, err);
      }
      tables.push({ db, table, format, ...parseTableInfo(text, where) });
    }
  }
  return tables;
}

/**
 * Stream the documents of the chosen tables of an export folder, table by table in the order
 * of `opts.tables`. Origin is `<file>:<line>`; invalid documents come with `invalid` set.
 * @throws LedgerError LEDGER_INPUT on an unreadable folder or file, a missing ledger database
 *   or broken framing in a data file
 * @example for await (const d of readExportDir('export/')) console.log(d.table, d.origin)
 */
export async function* readExportDir(dir: string, opts: ReadTablesOptions = {}): AsyncGenerator<DumpDoc> {
  const { tables } = selectTables(await readExportDirInfo(dir), dir, opts);
  for (const t of tables) {
    const file = join(dir, t.db, `${t.table}.${t.format}`);
    const split = splitJsonDocuments(createReadStream(file), { name: file, maxDocumentBytes: opts.maxDocumentBytes, text: opts.text });
    const table = t.table as TableName;
    try {
      for await (const item of split) {
        const origin = `${file}:${item.line}`;
        yield item.ok ? { db: t.db, table, doc: item.value, ...(item.text !== undefined ? { text: item.text } : {}), origin, bytes: item.bytes }
          : { db: t.db, table, doc: null, origin, invalid: item.error, ...(item.limit !== undefined ? { limit: item.limit } : {}) };
      }
    } catch (err) {
      if (isLedgerError(err)) throw err;
      throw new LedgerError('LEDGER_INPUT', `${file}: cannot read: ${(err as Error).message}`, { path: file }, err);
    }
  }
}

async function _list(dir: string): Promise<Dirent[]> {
  try { return await readdir(dir, { withFileTypes: true }); } catch (err) {
    throw new LedgerError('LEDGER_INPUT', `${dir}: cannot read folder: ${(err as Error).message}`, { path: dir }, err);
  }
}
