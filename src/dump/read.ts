/**
 * Read `rethinkdb dump` archives (reference rethinkdb-dump.md): a gzip-compressed tar,
 * streamed through zlib and tar-stream, never extracted and never a whole table in memory.
 *
 * Structure rules are those of `rethinkdb restore` (`_restore.do_unzip` + `_import.parse_sources`):
 * only regular files count; names are normalised (leading `/` and whitespace stripped, `.`/`..`
 * resolved) and those that climb out (`..`) are ignored; only `.json`, `.csv` and `.info`
 * members count, everything else is ignored; a counted member must be `<top>/<db>/<file>` with
 * one `<top>` for the whole archive, else the archive is rejected; a data file counts only when
 * its sibling `<table>.info` exists; a duplicate path replaces the earlier member.
 *
 * Choice: two passes. Members may come in any order (the dump tool walks a temp folder), so a
 * `.json` may precede its `.info`, and restore validates the whole structure before importing
 * anything. Pass 1 lists members and reads the small `.info` files; pass 2 streams the chosen
 * data members. The cost is decompressing the archive twice.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, posix } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { LedgerError, isLedgerError } from '../errors.js';
import { splitJsonDocuments } from './json-stream.js';
import { parseTableInfo, selectTables } from './tables.js';
import type { DumpDoc, DumpTableInfo, ReadTablesOptions } from './tables.js';
import type { TableName } from '../model/documents.js';

export { detectLayout, DEFAULT_TABLES } from './tables.js';
export type { DumpDoc, DumpTableInfo, ReadTablesOptions } from './tables.js';

/** What pass 1 found in a dump archive. */
export interface DumpInfo {
  /** The archive path as given. */
  path: string;
  /** The one top folder (`rethinkdb_dump_<date>` when made by the dump tool). */
  top: string;
  /** Every table with a data file and an `.info`, all databases. */
  tables: DumpTableInfo[];
  /** Member names ignored as restore ignores them. */
  ignored: string[];
}

/** A tar member being read (tar-stream does not export the type by name). */
type TarEntry = tar.Extract extends AsyncIterable<infer E> ? E : never;

const MAX_INFO_BYTES = 16 * 1024 * 1024;
const ACCEPTED = new Set(['.json', '.csv', '.info']);

/**
 * Pass 1: validate the structure and read every `.info`.
 * @throws LedgerError LEDGER_INPUT when the file is unreadable, not a (gzip-compressed) tar,
 *   has an unexpected structure, or has no accepted file
 * @example const { tables } = await readDumpInfo('rethinkdb_dump_2018-01-01T00:00:00.tar.gz')
 */
export async function readDumpInfo(path: string): Promise<DumpInfo> {
  return (await _scan(path)).info;
}

/**
 * Stream the documents of the chosen tables of a dump, in archive order.
 * Invalid documents come through with `invalid` set (see {@link DumpDoc}); origin is
 * `<archive name>!<db>/<table>.json:<line>`.
 * @throws LedgerError LEDGER_INPUT on structure errors (before any document), broken framing
 *   of a member, or a damaged archive (the message names the file and member)
 * @example for await (const d of readDump(file)) if (d.invalid === undefined) ingest(d.table, d.doc)
 */
export async function* readDump(path: string, opts: ReadTablesOptions = {}): AsyncGenerator<DumpDoc> {
  const { info, members } = await _scan(path);
  const { tables } = selectTables(info.tables, path, opts);
  const wanted = new Map<number, DumpTableInfo>();
  for (const t of tables) wanted.set(members.get(`${t.db}/${t.table}.${t.format}`)!, t);
  const label = basename(path);
  for await (const { entry, ordinal, name } of _entries(path)) {
    const t = wanted.get(ordinal);
    if (t === undefined) { entry.resume(); continue; }
    const split = splitJsonDocuments(entry as AsyncIterable<Uint8Array>, { name: `${path}!${name}`, maxDocumentBytes: opts.maxDocumentBytes, text: opts.text });
    const table = t.table as TableName;
    try {
      for await (const item of split) {
        const origin = `${label}!${t.db}/${t.table}.${t.format}:${item.line}`;
        yield item.ok ? { db: t.db, table, doc: item.value, ...(item.text !== undefined ? { text: item.text } : {}), origin, bytes: item.bytes }
          : { db: t.db, table, doc: null, origin, invalid: item.error, ...(item.limit !== undefined ? { limit: item.limit } : {}) };
      }
    } catch (err) {
      _rethrow(err, path, name);
    }
  }
}

// Pass 1 of the files read lately, by path, while the file is unchanged: an everything-pull
// reads a dump in two passes (rows first, pull/file.ts), each of which would scan it again.
const scans = new Map<string, { stamp: string; scan: Promise<{ info: DumpInfo; members: Map<string, number> }> }>();

/** Pass 1, also returning the ordinal of the member that holds each `<db>/<table>.<ext>`. */
async function _scan(path: string): Promise<{ info: DumpInfo; members: Map<string, number> }> {
  let stamp: string;
  try {
    const st = await stat(path, { bigint: true });
    stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch { return _scanNow(path); } // the scan names the error
  const held = scans.get(path);
  if (held !== undefined && held.stamp === stamp) return held.scan;
  const scan = _scanNow(path);
  scans.set(path, { stamp, scan });
  if (scans.size > 4) scans.delete(scans.keys().next().value!);
  scan.catch(() => { if (scans.get(path)?.scan === scan) scans.delete(path); }); // a failed scan is not kept
  return scan;
}

async function _scanNow(path: string): Promise<{ info: DumpInfo; members: Map<string, number> }> {
  let top: string | undefined;
  const ignored: string[] = [];
  const members = new Map<string, number>();
  const infos = new Map<string, Pick<DumpTableInfo, 'primaryKey' | 'indexes' | 'info'>>();
  for await (const { entry, ordinal, name } of _entries(path)) {
    const type = entry.header.type;
    const rel = _normalize(name);
    const ext = _extname(rel);
    if ((type !== 'file' && type !== 'contiguous-file') || rel.startsWith('..') || !ACCEPTED.has(ext)) {
      if (type === 'file' || type === 'contiguous-file') ignored.push(name);
      entry.resume();
      continue;
    }
    const parts = rel.split('/');
    if (parts.length !== 3) _fail(path, `unexpected directory structure: ${name}`);
    if (top === undefined) top = parts[0]!;
    else if (parts[0] !== top) _fail(path, `unexpected directory structure (${parts[0]} vs ${top})`);
    const key = `${parts[1]}/${parts[2]}`;
    if (ext === '.info') infos.set(key.slice(0, -ext.length), parseTableInfo(await _readSmall(entry, path, name), `${path}!${name}`));
    else { members.set(key, ordinal); entry.resume(); }
  }
  if (top === undefined) _fail(path, 'the archive has no .json, .csv or .info file');
  const tables: DumpTableInfo[] = [];
  for (const [key, info] of [...infos].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const format = members.has(`${key}.json`) ? 'json' : members.has(`${key}.csv`) ? 'csv' : undefined;
    if (format === undefined) continue; // an .info alone is not a table
    const [db, table] = key.split('/') as [string, string];
    tables.push({ db, table: table, format, ...info });
  }
  return { info: { path, top, tables, ignored }, members };
}

/** Iterate the members of a (gzip-compressed) tar; each entry must be consumed or resumed. */
async function* _entries(path: string): AsyncGenerator<{ entry: TarEntry; ordinal: number; name: string }> {
  const gzipped = await _isGzip(path);
  const src = createReadStream(path);
  const gunzip = gzipped ? createGunzip() : null;
  const extract = tar.extract();
  const onError = (err: Error): void => { extract.destroy(err); };
  src.on('error', onError);
  gunzip?.on('error', onError);
  (gunzip === null ? src : src.pipe(gunzip) as Readable).pipe(extract);
  let ordinal = 0;
  let name = '';
  try {
    for await (const entry of extract) {
      name = entry.header.name;
      yield { entry, ordinal: ordinal++, name };
    }
  } catch (err) {
    _rethrow(err, path, ordinal === 0 ? undefined : name, gzipped);
  } finally {
    src.destroy();
    gunzip?.destroy();
    extract.destroy();
  }
}

async function _isGzip(path: string): Promise<boolean> {
  let fh;
  try { fh = await open(path, 'r'); } catch (err) {
    return _fail(path, `cannot open: ${(err as Error).message}`, err);
  }
  try {
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally { await fh.close(); }
}

async function _readSmall(entry: TarEntry, path: string, name: string): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of entry) {
      size += (chunk as Buffer).length;
      if (size > MAX_INFO_BYTES) _fail(path, `${name}: .info larger than ${MAX_INFO_BYTES} bytes`);
      parts.push(chunk as Buffer);
    }
  } catch (err) {
    _rethrow(err, path, name);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Python's `os.path.relpath(os.path.realpath(name.strip().lstrip('/')))`, without symlinks. */
function _normalize(name: string): string {
  const p = posix.normalize(name.trim().replace(/^\/+/, '')).replace(/\/+$/, '');
  return p === '' ? '.' : p;
}

/** Python's `os.path.splitext(p)[1]`: leading dots of the base name do not start an extension. */
function _extname(p: string): string {
  const base = p.slice(p.lastIndexOf('/') + 1).replace(/^\.+/, '');
  const dot = base.lastIndexOf('.');
  return dot < 0 ? '' : base.slice(dot);
}

/** Keep LedgerErrors; turn stream errors (truncated gzip, bad tar header) into LEDGER_INPUT. */
function _rethrow(err: unknown, path: string, member?: string, gzipped = true): never {
  if (isLedgerError(err)) throw err;
  const where = member === undefined ? '' : ` (in or after member ${member})`;
  return _fail(path, `damaged or not a ${gzipped ? 'gzip-compressed ' : ''}tar archive${where}: ${(err as Error).message}`, err);
}

function _fail(path: string, msg: string, cause?: unknown): never {
  throw new LedgerError('LEDGER_INPUT', `${path}: ${msg}`, { path }, cause);
}
