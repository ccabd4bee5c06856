/**
 * Plain document files (NDJSON, whitespace-separated objects or one JSON array; detected by the
 * first non-space character, see json-stream.ts) and {@link openAnySource}, which picks the
 * right reader for a path.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { stat } from 'node:fs/promises';
import { LedgerError, isLedgerError } from '../errors.js';
import { splitJsonDocuments } from './json-stream.js';
import { readExportDir } from './export-dir.js';
import { readDump } from './read.js';
import type { ReadDoc, ReadTablesOptions } from './tables.js';

/** Options of {@link readDocumentFiles}. */
export interface DocumentFilesOptions {
  /** Per-document size limit in bytes (default 128 MiB). */
  maxDocumentBytes?: number;
}

/**
 * Stream the documents of files, one file after another. `table` is null (a file does not say
 * where its documents were stored); origin is `<file>:<line>`; an empty file yields nothing.
 * @throws LedgerError LEDGER_INPUT when a file is unreadable or its framing is broken
 * @example for await (const d of readDocumentFiles(['blocks.ndjson'])) console.log(d.origin)
 */
export async function* readDocumentFiles(paths: readonly string[],
  opts: DocumentFilesOptions = {}): AsyncGenerator<ReadDoc> {
  for (const file of paths) {
    if (await isNdjson(file)) { yield* readNdjson(file); continue; }
    const split = splitJsonDocuments(createReadStream(file),
      { name: file, maxDocumentBytes: opts.maxDocumentBytes, allowEmpty: true });
    try {
      for await (const item of split) {
        const origin = `${file}:${item.line}`;
        yield item.ok ? { table: null, doc: item.value, origin } : { table: null, doc: null, origin, invalid: item.error };
      }
    } catch (err) {
      if (isLedgerError(err)) throw err;
      throw new LedgerError('LEDGER_INPUT', `${file}: cannot read: ${(err as Error).message}`, { path: file }, err);
    }
  }
}

/**
 * NDJSON when the first non-empty line is a whole JSON value on its own. Such files are read
 * line by line: a bad line is one DOC_INVALID_JSON finding and the next line still counts,
 * and each line's text goes to the verification workers unparsed (SPEC.md §7.6).
 */
async function isNdjson(file: string): Promise<boolean> {
  try {
    for await (const line of createInterface({ input: createReadStream(file, { end: 1 << 20 }), crlfDelay: Infinity })) {
      if (line.trim() === '') continue;
      try { JSON.parse(line); return !line.trimStart().startsWith('['); } catch { return false; }
    }
  } catch (err) {
    throw new LedgerError('LEDGER_INPUT', `${file}: cannot read: ${(err as Error).message}`, { path: file }, err);
  }
  return false;
}

async function* readNdjson(file: string): AsyncGenerator<ReadDoc> {
  let line = 0;
  try {
    for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      line++;
      if (text.trim() !== '') yield { table: null, doc: undefined, text, origin: `${file}:${line}` };
    }
  } catch (err) {
    throw new LedgerError('LEDGER_INPUT', `${file}: cannot read: ${(err as Error).message}`, { path: file }, err);
  }
}

/** What {@link openAnySource} recognised. */
export type SourceKind = 'dump' | 'export-dir' | 'documents';

/**
 * Open any document source by its path: `.tar.gz`/`.tgz`/`.tar` → dump archive, a folder →
 * `rethinkdb export` folder, anything else → a documents file.
 * @param opts table/db choice for dumps and export folders (ignored for documents files)
 * @throws LedgerError LEDGER_INPUT when the path does not exist (reading errors come from the stream)
 * @example const { kind, docs } = await openAnySource(p); for await (const d of docs) ...
 */
export async function openAnySource(path: string, opts: ReadTablesOptions = {}):
  Promise<{ kind: SourceKind; docs: AsyncIterable<ReadDoc> }> {
  let isDir: boolean;
  try { isDir = (await stat(path)).isDirectory(); } catch (err) {
    throw new LedgerError('LEDGER_INPUT', `${path}: ${(err as Error).message}`, { path }, err);
  }
  if (isDir) return { kind: 'export-dir', docs: readExportDir(path, opts) };
  if (/\.(tar\.gz|tgz|tar)$/i.test(path)) return { kind: 'dump', docs: readDump(path, opts) };
  return { kind: 'documents', docs: readDocumentFiles([path], opts) };
}
