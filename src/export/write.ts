/**
 * Writing an export file (docs/spec-export.md). Two passes with bounded memory: the
 * record lines go to a scratch file while they are counted (the header, which comes
 * first, holds the counts); then header + records + trailer are hashed, gzip-compressed,
 * framed, optionally sealed, into a temporary file that is synced and renamed into place,
 * so `path` is either absent or a complete export, never half-written.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { link, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { LedgerError } from '../errors.js';
import { federationToJson, type Federation } from '../model/federation.js';
import {
  EXPORT_FORMAT, EXPORT_TYPE, emptyCounts, encodeHeader, encodeRecord, encodeTrailer,
  type ExportHeader, type ExportInput, type RecordCounts,
} from './format.js';
import { TailWriter } from './gzip-frame.js';
import { SealStream } from './seal.js';

/** Options of {@link writeExport}. */
export interface WriteExportOptions {
  federation: Federation;
  records: AsyncIterable<ExportInput> | Iterable<ExportInput>;
  /** Digest of the previous export (incremental), or null/absent for a full export. */
  previous?: string | null;
  /** 0 for a full export (the default); predecessor's sequence + 1 for an incremental. */
  sequence?: number;
  /**
   * Store cursors this export covers: after `since` (exclusive) up to `until` (inclusive).
   * `until` may be a function, called once all records have been read (when the cursor is known).
   */
  since?: string | null;
  until?: string | null | (() => string | null);
  /** A 32-byte key: seal the file (./seal.ts). */
  key?: Uint8Array;
  /** Replace an existing file at `path` (default: refuse). */
  overwrite?: boolean;
  /** gzip level, 1–9 (default 6). */
  level?: number;
  /** The header's `created` time (default: now). */
  now?: Date;
  signal?: AbortSignal;
}

/** What {@link writeExport} wrote. */
export interface WriteExportResult {
  path: string;
  header: ExportHeader;
  /** The export's digest: the trailer's SHA-256, what the next incremental names as `previous`. */
  digest: string;
  counts: RecordCounts;
  /** Uncompressed content bytes (header to trailer) and bytes on disk. */
  contentBytes: number;
  bytes: number;
}

const FLUSH_BYTES = 1 << 20;

/**
 * Write an export file atomically.
 * @throws LedgerError LEDGER_USAGE (the file exists and `overwrite` is not set), LEDGER_INPUT
 *   (cannot write), LEDGER_ABORTED; TypeError for a record that has no canonical form
 * @example await writeExport('full.lae', { federation, records: archiveRecords(archive) })
 */
export async function writeExport(path: string, opts: WriteExportOptions): Promise<WriteExportResult> {
  const previous = opts.previous ?? null;
  const sequence = opts.sequence ?? 0;
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw new RangeError('sequence must be a non-negative integer');
  if ((previous === null) !== (sequence === 0)) throw new RangeError('a full export (sequence 0) has no previous digest, an incremental needs one');
  if (previous !== null && !/^[0-9a-f]{64}$/.test(previous)) throw new RangeError('previous must be a lowercase hex SHA-256');
  if (opts.overwrite !== true && existsSync(path)) {
    throw new LedgerError('LEDGER_USAGE', `${path} exists; refusing to overwrite an export`, { path });
  }
  const tag = `.${basename(path)}.${process.pid}.${Date.now().toString(36)}`;
  const scratch = join(dirname(path), `${tag}.records.tmp`);
  const tmp = join(dirname(path), `${tag}.tmp`);
  try {
    const { counts, total, bytes: recordBytes } = await _writeRecords(scratch, opts.records, opts.signal);
    const header: ExportHeader = {
      type: EXPORT_TYPE, format: EXPORT_FORMAT, federation: federationToJson(opts.federation),
      created: (opts.now ?? new Date()).toISOString(), sequence, previous,
      since: opts.since ?? null, until: (typeof opts.until === 'function' ? opts.until() : opts.until) ?? null, counts,
    };
    const { digest, contentBytes } = await _assemble(tmp, scratch, header, total, recordBytes, opts);
    await _syncFile(tmp);
    await _publish(tmp, path, opts.overwrite === true);
    await _syncDir(dirname(path));
    return { path, header, digest, counts, contentBytes, bytes: (await stat(path)).size };
  } catch (err) {
    await rm(tmp, { force: true });
    if (opts.signal?.aborted === true) throw new LedgerError('LEDGER_ABORTED', `export interrupted; ${path} was not written`, { path }, err);
    if (err instanceof LedgerError || err instanceof TypeError || err instanceof RangeError) throw err;
    throw new LedgerError('LEDGER_INPUT', `cannot write export ${path}: ${(err as Error).message}`, { path }, err);
  } finally {
    await rm(scratch, { force: true });
  }
}

/** Pass 1: record lines into the scratch file, counting kinds. */
async function _writeRecords(scratch: string, records: WriteExportOptions['records'], signal?: AbortSignal):
  Promise<{ counts: RecordCounts; total: number; bytes: number }> {
  const counts = emptyCounts();
  let total = 0;
  let bytes = 0;
  const lines = async function* (): AsyncGenerator<Buffer> {
    let batch: string[] = [];
    let size = 0;
    for await (const r of records) {
      signal?.throwIfAborted();
      const line = encodeRecord(r);
      counts[r.kind]++;
      total++;
      batch.push(line);
      size += line.length;
      if (size >= FLUSH_BYTES) {
        const b = Buffer.from(batch.join(''), 'utf8');
        bytes += b.length;
        yield b;
        batch = [];
        size = 0;
      }
    }
    const b = Buffer.from(batch.join(''), 'utf8');
    bytes += b.length;
    yield b;
  };
  await pipeline(Readable.from(lines()), createWriteStream(scratch, { flags: 'wx', mode: 0o600 }));
  return { counts, total, bytes };
}

/** Pass 2: header + records + trailer → hash → gzip → checksum member → (seal) → tmp. */
async function _assemble(tmp: string, scratch: string, header: ExportHeader, total: number, recordBytes: number,
  opts: WriteExportOptions): Promise<{ digest: string; contentBytes: number }> {
  const hash = createHash('sha256');
  let digest = '';
  let contentBytes = 0;
  const content = async function* (): AsyncGenerator<Buffer> {
    const head = encodeHeader(header);
    hash.update(head);
    yield head;
    for await (const chunk of createReadStream(scratch, { highWaterMark: FLUSH_BYTES })) {
      hash.update(chunk as Buffer);
      yield chunk as Buffer;
    }
    digest = hash.digest('hex');
    const trailer = encodeTrailer(total, digest);
    contentBytes = head.length + recordBytes + trailer.length;
    yield trailer;
  };
  const stages = [Readable.from(content()), createGzip({ level: opts.level ?? 6 }), new TailWriter(),
    ...(opts.key === undefined ? [] : [new SealStream(opts.key)])];
  await pipeline([...stages, createWriteStream(tmp, { flags: 'wx', mode: 0o644 })], { signal: opts.signal });
  return { digest, contentBytes };
}

/** Put the finished file in place: rename over, or (no overwrite) hard-link, which fails if `path` appeared meanwhile. */
async function _publish(tmp: string, path: string, overwrite: boolean): Promise<void> {
  if (overwrite) return rename(tmp, path);
  try {
    await link(tmp, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new LedgerError('LEDGER_USAGE', `${path} exists; refusing to overwrite an export`, { path }, err);
    // File systems without hard links: the existence check at the start is all we have.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw err;
    if (existsSync(path)) throw new LedgerError('LEDGER_USAGE', `${path} exists; refusing to overwrite an export`, { path });
    return rename(tmp, path);
  }
  await rm(tmp);
}

async function _syncFile(path: string): Promise<void> {
  const h = await open(path, 'r+');
  try { await h.sync(); } finally { await h.close(); }
}

async function _syncDir(dir: string): Promise<void> {
  // Makes the rename durable; some platforms (Windows) cannot open a directory: best effort there.
  try {
    const h = await open(dir, 'r');
    try { await h.sync(); } finally { await h.close(); }
  } catch { /* best effort */ }
}
