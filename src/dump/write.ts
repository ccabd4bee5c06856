/**
 * Write archives that `rethinkdb restore` accepts as they are (reference rethinkdb-dump.md;
 * member layout from the Python driver's `_dump.py`/`_export.py`): a gzip-compressed tar whose
 * regular-file members are `<top>/<db>/<table>.info` and `<top>/<db>/<table>.json`, `<top>`
 * named like the dump tool's default (`rethinkdb_dump_<YYYY-MM-DDTHH:MM:SS>`, local time).
 *
 * A tar header needs the member's size before its data, so each table's JSON is first spooled
 * to a temp file (streamed, bounded memory), then copied into the archive and deleted. The
 * archive itself is written to `<path>.tmp-*`, fsynced and renamed: nothing half-written is
 * ever at `path`.
 *
 * Rows are written in the order given. The dump tool writes them in primary-key order; this
 * writer does not sort (that would need the whole table), so callers that want byte-identical
 * dumps pass rows sorted by primary key. Restore does not care about the order.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { pythonJsonDumps } from './python-json.js';

/** One table to write. */
export interface WriteDumpTable {
  /** RethinkDB table name (`[A-Za-z0-9_-]+`). */
  name: string;
  /** The rows, each a JSON object (JsonFloat and bigint allowed), ideally in primary-key order. */
  docs: AsyncIterable<unknown> | Iterable<unknown>;
  /** Primary key written to `.info` (default `"id"`, as for every BigchainDB table). */
  primaryKey?: string;
}

/** Options of {@link writeDump}. */
export interface WriteDumpOptions {
  /** Database name (`[A-Za-z0-9_-]+`, not `rethinkdb`). */
  db: string;
  tables: readonly WriteDumpTable[];
  /**
   * `index_status()` entries per table, captured from a live server with `binary_format: 'raw'`
   * (`{index, function: {$reql_type$: 'BINARY', data}, ...}`). Default: none (`"indexes": []`);
   * the blob cannot be made without a server, so indexes are then created after restore.
   */
  indexes?: Readonly<Record<string, readonly object[]>>;
  /** Time that names the top folder and stamps the members (default: now). */
  date?: Date;
  /** Folder for the spooled table JSON (default: the OS temp folder). */
  tmpDir?: string;
}

/** What {@link writeDump} wrote. */
export interface WriteDumpResult {
  path: string;
  top: string;
  tables: { name: string; docs: number; bytes: number }[];
}

const NAME = /^[A-Za-z0-9_-]+$/;
const FLUSH_CHARS = 1 << 20;

/**
 * The dump tool's default top-folder name for a time: `rethinkdb_dump_<YYYY-MM-DDTHH:MM:SS>` (local).
 * @example dumpName(new Date(2018, 0, 2, 3, 4, 5)) // 'rethinkdb_dump_2018-01-02T03:04:05'
 */
export function dumpName(date: Date = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `rethinkdb_dump_${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}`
    + `T${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
}

/**
 * Write a `rethinkdb restore`-compatible dump archive at `path` (replacing any file there).
 * @returns the top folder and per-table counts
 * @throws TypeError/RangeError on invalid names, rows that are not objects or bad index entries;
 *   file-system errors as they come (the temp files are removed)
 * @example await writeDump('backup.tar.gz', { db: 'bigchain', tables: [{ name: 'bigchain', docs: blocks }] })
 */
export async function writeDump(path: string, opts: WriteDumpOptions): Promise<WriteDumpResult> {
  _validate(opts);
  const date = opts.date ?? new Date();
  const top = dumpName(date);
  const tmpPath = `${path}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
  const spoolDir = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'ledger-dump-'));
  const pack = tar.pack();
  const out = createWriteStream(tmpPath);
  // Fail now on a folder that cannot be written, not by hanging on a pipe nobody drains.
  await new Promise<void>((ok, fail) => { out.once('open', () => ok()); out.once('error', fail); })
    .catch(async (err: unknown) => { await rm(spoolDir, { recursive: true, force: true }); throw err; });
  const done = _pipeToFile(pack, out);
  done.catch(() => undefined); // observed below; avoid an unhandled rejection while tables spool
  const dbId = randomUUID();
  const written: WriteDumpResult['tables'] = [];
  try {
    for (const t of opts.tables) {
      const spool = join(spoolDir, `${t.name}.json`);
      const { docs, bytes } = await _spoolTable(spool, t);
      const info = {
        db: { id: dbId, name: opts.db, type: 'DB' }, doc_count_estimates: [docs], id: randomUUID(),
        indexes: opts.indexes?.[t.name] ?? [], name: t.name, primary_key: t.primaryKey ?? 'id', type: 'TABLE',
        // Always present: driver 2.4's parse_info_file fails on an .info without it; older ones ignore it.
        write_hook: null,
      };
      const base = `${top}/${opts.db}/${t.name}`;
      await _addEntry(pack, { name: `${base}.info`, mtime: date }, Buffer.from(pythonJsonDumps(info) + '\n', 'latin1'));
      await _addEntry(pack, { name: `${base}.json`, mtime: date, size: bytes }, spool);
      await rm(spool);
      written.push({ name: t.name, docs, bytes });
    }
    pack.finalize();
    await done;
    const fh = await open(tmpPath, 'r+');
    try { await fh.sync(); } finally { await fh.close(); }
    await rename(tmpPath, path);
    return { path, top, tables: written };
  } catch (err) {
    pack.destroy();
    out.destroy();
    await rm(tmpPath, { force: true });
    throw err;
  } finally {
    await rm(spoolDir, { recursive: true, force: true });
  }
}

/** Write one table in the dump tool's exact line layout; returns row and byte counts. */
async function _spoolTable(file: string, t: WriteDumpTable): Promise<{ docs: number; bytes: number }> {
  const fh = await open(file, 'w');
  let buf: string[] = ['['];
  let chars = 1;
  let docs = 0;
  let bytes = 0;
  const flush = async (): Promise<void> => {
    const b = Buffer.from(buf.join(''), 'latin1'); // pythonJsonDumps output is ASCII
    await fh.write(b);
    bytes += b.length;
    buf = [];
    chars = 0;
  };
  try {
    for await (const doc of t.docs) {
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
        throw new TypeError(`table ${t.name}: row ${docs} is not a JSON object`);
      }
      const s = (docs === 0 ? '\n' : ',\n') + pythonJsonDumps(doc);
      buf.push(s);
      chars += s.length;
      docs++;
      if (chars >= FLUSH_CHARS) await flush();
    }
    buf.push('\n]\n');
    await flush();
  } finally { await fh.close(); }
  return { docs, bytes };
}

type Pack = ReturnType<typeof tar.pack>;

/** Add a regular-file member from a buffer or by streaming a file of known size. */
async function _addEntry(pack: Pack, header: { name: string; mtime: Date; size?: number },
  data: Buffer | string): Promise<void> {
  const h = { ...header, type: 'file' as const, mode: 0o644 };
  if (Buffer.isBuffer(data)) {
    await new Promise<void>((resolve, reject) => { pack.entry(h, data, (err) => (err ? reject(err) : resolve())); });
    return;
  }
  let finished!: Promise<void>;
  const sink = (() => {
    let s!: ReturnType<Pack['entry']>;
    finished = new Promise<void>((resolve, reject) => { s = pack.entry(h, (err) => (err ? reject(err) : resolve())); });
    return s;
  })();
  for await (const chunk of createReadStream(data)) {
    if (!sink.write(chunk as Buffer)) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
  }
  sink.end(undefined); // streamx types want an argument; undefined ends without data
  await finished;
}

/** pack → gzip → file; resolves when the file is closed. */
function _pipeToFile(pack: Pack, out: ReturnType<typeof createWriteStream>): Promise<void> {
  const gzip = createGzip();
  return new Promise<void>((resolve, reject) => {
    pack.on('error', reject);
    gzip.on('error', reject);
    out.on('error', reject);
    out.on('close', () => resolve());
    pack.pipe(gzip).pipe(out);
  });
}

function _validate(opts: WriteDumpOptions): void {
  if (!NAME.test(opts.db) || opts.db === 'rethinkdb') throw new RangeError(`invalid database name: ${opts.db}`);
  const seen = new Set<string>();
  for (const t of opts.tables) {
    if (!NAME.test(t.name)) throw new RangeError(`invalid table name: ${t.name}`);
    if (seen.has(t.name)) throw new RangeError(`table ${t.name} given twice`);
    seen.add(t.name);
    for (const ix of opts.indexes?.[t.name] ?? []) {
      const e = ix as { index?: unknown; function?: unknown };
      if (typeof e.index !== 'string' || e.function === undefined) {
        throw new TypeError(`table ${t.name}: index entries need "index" and the server's "function" blob`);
      }
    }
  }
}
