/**
 * Plain document files (NDJSON, whitespace-separated objects or one JSON array; detected by the
 * first non-space character, see json-stream.ts) and {@link openAnySource}, which picks the
 * right reader for a path.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { LedgerError, isLedgerError } from '../errors.js';
import { splitJsonDocuments } from './json-stream.js';
import { ndjsonLines } from './ndjson.js';
import { readExportDir } from './export-dir.js';
import { readDump } from './read.js';
import type { ReadDoc, ReadTablesOptions } from './tables.js';

/** Options of {@link readDocumentFiles}. */
export interface DocumentFilesOptions {
  /** Per-document size limit in bytes (default 128 MiB). */
  maxDocumentBytes?: number;
  /** Deliver each document's text unparsed (`doc` undefined), as NDJSON lines always are. */
  text?: boolean;
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
      { name: file, maxDocumentBytes: opts.maxDocumentBytes, allowEmpty: true, text: opts.text });
    try {
      for await (const item of split) {
        const origin = `${file}:${item.line}`;
        yield item.ok ? { table: null, doc: item.value, ...(item.text !== undefined ? { text: item.text } : {}), origin, bytes: item.bytes }
          : { table: null, doc: null, origin, invalid: item.error, ...(item.limit !== undefined ? { limit: item.limit } : {}) };
      }
    } catch (err) {
      if (isLedgerError(err)) throw err;
      throw new LedgerError('LEDGER_INPUT', `${file}: cannot read: ${(err as Error).message}`, { path: file }, err);
    }
  }
}

/**
 * NDJSON when the first non-empty line is a whole JSON value on its own, looks like one
 * object (`{` … `}`, perhaps broken), or is longer than a document may be. Such files are
 * read line by line (dump/ndjson.ts): a bad or over-long line is one finding at
 * `file:line` and the next line still counts, and each line's text goes to the
 * verification workers unparsed (SPEC.md §7.6).
 */
async function isNdjson(file: string): Promise<boolean> {
  try {
    for await (const l of ndjsonLines(createReadStream(file))) {
      if (!('text' in l)) return l.limit !== undefined;
      const t = l.text.trim();
      if (t.startsWith('[')) return false;
      try { JSON.parse(t); return true; } catch { return t.startsWith('{') && t.endsWith('}'); }
    }
  } catch (err) {
    throw new LedgerError('LEDGER_INPUT', `${file}: cannot read: ${(err as Error).message}`, { path: file }, err);
  }
  return false;
}

async function* readNdjson(file: string): AsyncGenerator<ReadDoc> {
  try {
    for await (const l of ndjsonLines(createReadStream(file))) {
      const origin = `${file}:${l.line}`;
      if ('text' in l) yield { table: null, doc: undefined, text: l.text, origin };
      else yield { table: null, doc: null, origin, invalid: l.error, ...(l.limit !== undefined ? { limit: l.limit } : {}) };
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
 * @param opts table/db choice for dumps and export folders (ignored for documents files); documents
 *   come as text (`doc` undefined) unless `text: false`
 * @throws LedgerError LEDGER_INPUT when the path does not exist (reading errors come from the stream)
 * @example const { kind, docs } = await openAnySource(p); for await (const d of docs) ...
 */
export async function openAnySource(path: string, opts: ReadTablesOptions = {}):
  Promise<{ kind: SourceKind; docs: AsyncIterable<ReadDoc> }> {
  let isDir: boolean;
  try { isDir = (await stat(path)).isDirectory(); } catch (err) {
    throw new LedgerError('LEDGER_INPUT', `${path}: ${(err as Error).message}`, { path }, err);
  }
  // Texts, unparsed: the verification workers parse them (SPEC.md §7.6); a caller that reads
  // documents itself parses `text` (pull/file.ts docOf).
  const o = { text: true, ...opts };
  if (isDir) return { kind: 'export-dir', docs: readExportDir(path, o) };
  if (/\.(tar\.gz|tgz|tar)$/i.test(path)) return { kind: 'dump', docs: readDump(path, o) };
  return { kind: 'documents', docs: readDocumentFiles([path], o) };
}
