/**
 * Reading export files (docs/spec-export.md). One streaming pass checks everything: the
 * seal (if any), the compressed stream's checksum member, gzip, the line framing, every
 * document's canonical form, the counts and the trailer's SHA-256. Records are yielded as
 * they are read, so a consumer sees them before the end has been checked: whoever must be
 * atomic per file runs {@link verifyExportFile} first, then reads again (import does).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LedgerError } from '../errors.js';
import {
  MAX_LINE_BYTES, RECORD_KINDS, corrupt, decodeHeader, decodeRecord, decodeTrailer, emptyCounts, isTrailerLine,
  type ExportHeader, type ExportRecord, type ExportTrailer, type LinePlace, type RecordCounts, type TextRecord,
} from './format.js';
import { TailChecker } from './gzip-frame.js';
import { isSealed, UnsealStream } from './seal.js';

export { checkChain, type ChainLink } from './chain.js';

/** Options of {@link readExport} and {@link verifyExportFile}. */
export interface ReadExportOptions {
  /** The 32-byte key, for sealed exports (plain exports are read with or without one). */
  key?: Uint8Array;
  signal?: AbortSignal;
  /**
   * false: do not parse documents nor check their canonical form, yield their text only
   * (framing, counts and the digest are still checked). For a second pass over a file a
   * full pass has verified, feeding a consumer that parses anyway (ingest's workers).
   */
  parse?: boolean;
}

/** What a complete, checked pass over an export found. */
export interface ExportSummary {
  path: string;
  header: ExportHeader;
  /** The trailer's SHA-256: the export's digest, as named by the next incremental's `previous`. */
  digest: string;
  counts: RecordCounts;
  /** Uncompressed content bytes, header to trailer. */
  contentBytes: number;
  sealed: boolean;
}

/** An export opened by {@link readExport}. */
export interface OpenedExport<R = ExportRecord> {
  path: string;
  header: ExportHeader;
  sealed: boolean;
  /** The records, once. Iteration throws LEDGER_EXPORT_CORRUPT at the first problem, the last checks at the end. */
  records: AsyncIterable<R>;
  /** The summary, once `records` has been read to the end without error; null before. */
  summary(): ExportSummary | null;
  /** Stop reading early and release the file. */
  close(): Promise<void>;
}

/**
 * Open an export and read its header.
 * @throws LedgerError LEDGER_INPUT (missing, unreadable), LEDGER_EXPORT_KEY (sealed and no or a
 *   wrong key), LEDGER_EXPORT_CORRUPT (not an export, or damaged before the end of the header)
 * @example const x = await readExport('full.lae'); for await (const r of x.records) use(r);
 */
export async function readExport(path: string, opts: ReadExportOptions & { parse: false }): Promise<OpenedExport<TextRecord>>;
export async function readExport(path: string, opts?: ReadExportOptions): Promise<OpenedExport>;
export async function readExport(path: string, opts: ReadExportOptions = {}): Promise<OpenedExport<ExportRecord | TextRecord>> {
  const sealed = await _sniff(path, opts.key);
  let summary: ExportSummary | null = null;
  const gen = _read(path, sealed, opts, (s) => { summary = s; });
  const first = await gen.next();
  if (first.done === true) throw new TypeError('unreachable: the reader ends only after a header');
  const header = first.value as ExportHeader;
  const records: AsyncIterable<ExportRecord | TextRecord> = {
    [Symbol.asyncIterator]: () => gen as AsyncGenerator<ExportRecord | TextRecord>,
  };
  return { path, header, sealed, records, summary: () => summary, close: async () => { await gen.return(undefined); } };
}

/**
 * Read a whole export and check everything, keeping nothing but the summary.
 * @throws as {@link readExport}, and LEDGER_EXPORT_CORRUPT for any damage anywhere
 */
export async function verifyExportFile(path: string, opts: ReadExportOptions = {}): Promise<ExportSummary> {
  const x = await readExport(path, opts);
  for await (const r of x.records) void r;
  return x.summary()!;
}

async function _sniff(path: string, key: Uint8Array | undefined): Promise<boolean> {
  const head = Buffer.alloc(8);
  let n: number;
  try {
    const h = await open(path, 'r');
    try { n = (await h.read(head, 0, 8, 0)).bytesRead; } finally { await h.close(); }
  } catch (err) {
    throw new LedgerError('LEDGER_INPUT', `cannot read export ${path}: ${(err as Error).message}`, { path }, err);
  }
  if (isSealed(head.subarray(0, n))) {
    if (key === undefined) throw new LedgerError('LEDGER_EXPORT_KEY', `${path} is encrypted: give its key file (--key KEYFILE)`, { path });
    return true;
  }
  if (n < 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
    throw new LedgerError('LEDGER_EXPORT_CORRUPT', `${path} is not a ledger-archive export (neither gzip nor sealed${n === 0 ? ': empty file' : ''})`, { path, offset: 0 });
  }
  return false;
}

function _open(path: string, sealed: boolean, key: Uint8Array | undefined): Readable {
  const stages: NodeJS.ReadWriteStream[] = [
    ...(sealed ? [new UnsealStream(key!, path)] : []), new TailChecker(path), createGunzip()];
  // pipeline destroys every stage with the first error, so iterating the last one surfaces it.
  return (pipeline as (...s: unknown[]) => Readable)(createReadStream(path, { highWaterMark: 1 << 20 }), ...stages, () => {});
}

/** Yields the header first, then the records; checks the end. */
async function* _read(path: string, sealed: boolean, opts: ReadExportOptions, done: (s: ExportSummary) => void):
  AsyncGenerator<ExportHeader | ExportRecord | TextRecord> {
  const hash = createHash('sha256');
  const counts = emptyCounts();
  const at: LinePlace = { path, line: 0, offset: 0 };
  const NL = Buffer.of(10);
  let header: ExportHeader | null = null;
  let trailer: ExportTrailer | null = null;
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let next = 0; // offset of the next line's first byte
  const stream = _open(path, sealed, opts.key);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
        opts.signal?.throwIfAborted();
        const part = chunk.subarray(from, nl);
        const line = carryBytes === 0 ? part : Buffer.concat([...carry, part]);
        carry = [];
        carryBytes = 0;
        from = nl + 1;
        at.line++;
        at.offset = next;
        next += line.length + 1;
        if (trailer !== null) throw corrupt(at, 'data after the trailer');
        if (header === null) {
          header = decodeHeader(line, at);
          hash.update(line).update(NL);
          yield header;
        } else if (isTrailerLine(line)) {
          trailer = decodeTrailer(line, at);
        } else {
          const r = opts.parse === false ? decodeRecord(line, at, false) : decodeRecord(line, at);
          hash.update(line).update(NL);
          counts[r.kind]++;
          yield r;
        }
      }
      if (from < chunk.length) {
        carry.push(chunk.subarray(from));
        carryBytes += chunk.length - from;
        if (carryBytes > MAX_LINE_BYTES) throw corrupt({ ...at, line: at.line + 1, offset: next }, `line longer than ${MAX_LINE_BYTES} bytes`);
      }
    }
  } catch (err) {
    if (opts.signal?.aborted === true) throw new LedgerError('LEDGER_ABORTED', `reading ${path} interrupted`, { path }, err);
    // zlib reports damage as Z_DATA_ERROR / Z_BUF_ERROR ("unexpected end of file"); anything else is not ours to rename.
    if (!String((err as { code?: unknown }).code).startsWith('Z_')) throw err;
    throw corrupt({ ...at, line: at.line + 1, offset: next }, `the compressed data is damaged or cut short (${(err as Error).message})`, err);
  } finally {
    stream.destroy();
  }
  const end: LinePlace = { path, line: at.line + 1, offset: next };
  if (carryBytes > 0) throw corrupt(end, 'the last line has no newline: the content is cut short');
  if (header === null) throw corrupt(end, 'no header line: the content is empty');
  if (trailer === null) throw corrupt(end, 'no trailer line: the content is cut short');
  _checkEnd(header, trailer, counts, hash.digest('hex'), { path, line: at.line, offset: at.offset });
  done({ path, header, digest: trailer.sha256, counts, contentBytes: next, sealed });
}

function _checkEnd(header: ExportHeader, trailer: ExportTrailer, counts: RecordCounts, sha: string, at: LinePlace): void {
  if (sha !== trailer.sha256) throw corrupt(at, `content SHA-256 is ${sha}, the trailer says ${trailer.sha256}: the content was changed`);
  const total = RECORD_KINDS.reduce((n, k) => n + counts[k], 0);
  if (total !== trailer.count) throw corrupt(at, `${total} records, the trailer says ${trailer.count}`);
  for (const k of RECORD_KINDS) {
    if (counts[k] !== header.counts[k]) throw corrupt(at, `${counts[k]} ${k} records, the header says ${header.counts[k]}`);
  }
}
