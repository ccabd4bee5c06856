/**
 * The portable export format, version 1 (docs/spec-export.md, SPEC.md §15): gzip-compressed
 * NDJSON of canonical documents between a header line and a trailer line. This module holds
 * the pure parts: types, line encoding and decoding, header validation. I/O lives in
 * ./write.ts and ./read.ts, encryption in ./seal.ts.
 */
import { isUtf8 } from 'node:buffer';
import { LedgerError } from '../errors.js';
import { canonicalize } from '../model/canonical.js';
import { parseJson, type JsonValue } from '../model/json.js';
import { isLimitError } from '../model/limits.js';
import { federationFromJson, type FederationFile } from '../model/federation.js';
import type { Layout } from '../model/documents.js';

/** The value of the header's `type` field. */
export const EXPORT_TYPE = 'ledger-archive-export';
/** The format version this code writes and reads. */
export const EXPORT_FORMAT = 1;
/** The kinds of record an export holds, in the order counts list them. */
export const RECORD_KINDS = ['block', 'vote', 'asset', 'metadata'] as const;
/** A record kind. */
export type RecordKind = (typeof RECORD_KINDS)[number];
/** Records per kind. */
export type RecordCounts = Record<RecordKind, number>;
/** Longest line a reader accepts (a BigchainDB block is at most a few MB). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * One document of an export (a JSON object). `text`, when present, is the document's
 * canonical JSON (the bytes the archive keeps); a writer given `text` writes it verbatim,
 * a reader always sets it. `layout` (blocks only, optional): the stored layout the
 * archive pulled the block from, kept so rebuilds can default to it.
 */
export interface ExportRecord { kind: RecordKind; doc: JsonValue; text?: string; layout?: Layout }

/** A record as read without parsing its document (see `readExport(..., { parse: false })`). */
export interface TextRecord { kind: RecordKind; text: string; layout?: Layout }

/** What a writer takes: a record, or only its canonical text (the archive's stored bytes, not parsed again). */
export type ExportInput = ExportRecord | { kind: RecordKind; doc?: undefined; text: string; layout?: Layout };

const LAYOUTS: readonly string[] = ['0.9', '0.10', '1.0', '1.3'] satisfies Layout[];
// Unambiguous: a document is an object, so a line without a layout ends in `}}`, never `"}`.
const LAYOUT_SUFFIX = /,"layout":"(0\.9|0\.10|1\.0|1\.3)"\}$/;

/** The header line (line 1). Field order on disk is the order here. */
export interface ExportHeader {
  type: typeof EXPORT_TYPE;
  format: typeof EXPORT_FORMAT;
  federation: FederationFile;
  /** ISO 8601 UTC time the export was written. */
  created: string;
  /** 0 for a full export; an incremental is its predecessor's sequence + 1. */
  sequence: number;
  /** The digest of the previous export in the chain (lowercase hex SHA-256), null for a full export. */
  previous: string | null;
  /** Opaque store cursor this export starts after (exclusive), null for a full export. */
  since: string | null;
  /** Opaque store cursor this export reaches (inclusive): the next incremental's `since`. */
  until: string | null;
  counts: RecordCounts;
}

/** The trailer line (last line). */
export interface ExportTrailer { type: 'trailer'; count: number; sha256: string }

/** A zero count per kind. */
export function emptyCounts(): RecordCounts {
  return { block: 0, vote: 0, asset: 0, metadata: 0 };
}

const HEX64 = /^[0-9a-f]{64}$/;
const PREFIX = Object.fromEntries(RECORD_KINDS.map((k) => [k, `{"kind":"${k}","doc":`])) as Record<RecordKind, string>;

/** The header as one line of JSON (with its newline), fields in {@link ExportHeader} order. */
export function encodeHeader(h: ExportHeader): Buffer {
  const ordered = { type: h.type, format: h.format, federation: h.federation, created: h.created,
    sequence: h.sequence, previous: h.previous, since: h.since, until: h.until,
    counts: { block: h.counts.block, vote: h.counts.vote, asset: h.counts.asset, metadata: h.counts.metadata } };
  return Buffer.from(`${JSON.stringify(ordered)}\n`, 'utf8');
}

/**
 * A record as one line: `{"kind":"<kind>","doc":<canonical document>}` (blocks may end
 * `,"layout":"<layout>"}`) and a newline.
 * @throws TypeError when the document cannot be put in canonical form, or `text` holds a newline
 */
export function encodeRecord(r: ExportInput): string {
  if (!(RECORD_KINDS as readonly string[]).includes(r.kind)) throw new TypeError(`unknown record kind: ${String(r.kind)}`);
  const text = r.text ?? canonicalize(r.doc);
  // Canonical JSON escapes every control character, so a raw newline means `text` is not canonical.
  if (text.includes('\n')) throw new TypeError('record text holds a newline: not canonical JSON');
  if (!text.startsWith('{')) throw new TypeError('an export document is a JSON object');
  if (r.layout === undefined) return `${PREFIX[r.kind]}${text}}\n`;
  if (r.kind !== 'block' || !LAYOUTS.includes(r.layout)) throw new TypeError(`a layout (${String(r.layout)}) is for blocks, one of ${LAYOUTS.join(', ')}`);
  return `${PREFIX[r.kind]}${text},"layout":"${r.layout}"}\n`;
}

/** The trailer line (with its newline). */
export function encodeTrailer(count: number, sha256Hex: string): Buffer {
  return Buffer.from(`{"type":"trailer","count":${count},"sha256":"${sha256Hex}"}\n`, 'utf8');
}

/** Where in which file a line sits, for error messages. */
export interface LinePlace { path: string; line: number; offset: number }

/** A LEDGER_EXPORT_CORRUPT error naming the file, line and byte offset. */
export function corrupt(at: LinePlace, why: string, cause?: unknown): LedgerError {
  return new LedgerError('LEDGER_EXPORT_CORRUPT',
    `${at.path}: line ${at.line} (byte ${at.offset} of the uncompressed content): ${why}`,
    { path: at.path, line: at.line, offset: at.offset }, cause);
}

function text(line: Buffer, at: LinePlace): string {
  if (!isUtf8(line)) throw corrupt(at, 'not valid UTF-8');
  return line.toString('utf8');
}

/**
 * Decode a record line (without its newline). The line must be byte-exact what
 * {@link encodeRecord} writes: this also proves each document is in canonical form.
 * @throws LedgerError LEDGER_EXPORT_CORRUPT naming the line
 */
export function decodeRecord(line: Buffer, at: LinePlace): ExportRecord;
/** With `parse` false: check the framing only and return the document's text (for a second pass over a verified file). */
export function decodeRecord(line: Buffer, at: LinePlace, parse: false): TextRecord;
export function decodeRecord(line: Buffer, at: LinePlace, parse = true): ExportRecord | TextRecord {
  const s = text(line, at);
  const kind = RECORD_KINDS.find((k) => s.startsWith(PREFIX[k]));
  if (kind === undefined || !s.endsWith('}')) throw corrupt(at, 'not a record line ({"kind":…,"doc":…})');
  const m = kind === 'block' ? LAYOUT_SUFFIX.exec(s) : null;
  const docText = s.slice(PREFIX[kind].length, m === null ? -1 : m.index);
  if (!docText.startsWith('{') || !docText.endsWith('}')) throw corrupt(at, 'the document is not a JSON object');
  if (!parse) return m === null ? { kind, text: docText } : { kind, text: docText, layout: m[1] as Layout };
  let doc: JsonValue;
  try {
    doc = parseJson(docText);
  } catch (err) {
    // Over a limit (SPEC.md §21) is the document's fault, not the file's: ingest reports DOC_LIMIT.
    if (isLimitError(err)) return m === null ? { kind, doc: null, text: docText } : { kind, doc: null, text: docText, layout: m[1] as Layout };
    throw corrupt(at, `bad JSON in the document: ${(err as Error).message}`, err);
  }
  let again: string;
  try {
    again = canonicalize(doc);
  } catch (err) {
    throw corrupt(at, `the document cannot be in canonical form: ${(err as Error).message}`, err);
  }
  if (again !== docText) throw corrupt(at, 'the document is not in canonical form');
  return m === null ? { kind, doc, text: docText } : { kind, doc, text: docText, layout: m[1] as Layout };
}

/** True when a line (without newline) looks like a trailer; the cheap test a reader makes per line. */
export function isTrailerLine(line: Buffer): boolean {
  return line.length > 17 && line.toString('latin1', 0, 17) === '{"type":"trailer"';
}

/**
 * Decode and check the trailer line (without its newline): byte-exact {@link encodeTrailer}.
 * @throws LedgerError LEDGER_EXPORT_CORRUPT
 */
export function decodeTrailer(line: Buffer, at: LinePlace): ExportTrailer {
  const s = text(line, at);
  let t: { type?: unknown; count?: unknown; sha256?: unknown };
  try {
    t = JSON.parse(s) as typeof t;
  } catch (err) {
    throw corrupt(at, `bad JSON in the trailer: ${(err as Error).message}`, err);
  }
  if (typeof t.count !== 'number' || typeof t.sha256 !== 'string' || !HEX64.test(t.sha256)
    || `${encodeTrailer(t.count, t.sha256).toString('utf8')}` !== `${s}\n`) {
    throw corrupt(at, 'malformed trailer line');
  }
  return { type: 'trailer', count: t.count, sha256: t.sha256 };
}

/**
 * Decode and validate the header line (without its newline).
 * @throws LedgerError LEDGER_EXPORT_CORRUPT (not an export, another format version, a bad field)
 */
export function decodeHeader(line: Buffer, at: LinePlace): ExportHeader {
  const s = text(line, at);
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(s) as Record<string, unknown>;
  } catch (err) {
    throw corrupt(at, `bad JSON in the header: ${(err as Error).message}`, err);
  }
  const bad = (why: string): never => { throw corrupt(at, `header: ${why}`); };
  if (typeof h !== 'object' || h === null || h.type !== EXPORT_TYPE) bad(`not a ledger-archive export (type is not "${EXPORT_TYPE}")`);
  if (h.format !== EXPORT_FORMAT) bad(`format ${JSON.stringify(h.format)} is not supported (this version reads format ${EXPORT_FORMAT})`);
  try {
    federationFromJson(h.federation, 'header.federation');
  } catch (err) {
    throw corrupt(at, `header: ${(err as Error).message}`, err);
  }
  if (typeof h.created !== 'string' || Number.isNaN(Date.parse(h.created))) bad('"created" is not a time');
  if (!Number.isSafeInteger(h.sequence) || (h.sequence as number) < 0) bad('"sequence" is not a non-negative integer');
  if (h.previous !== null && !(typeof h.previous === 'string' && HEX64.test(h.previous))) bad('"previous" is neither null nor a hex SHA-256');
  if ((h.previous === null) !== (h.sequence === 0)) bad('"previous" must be null exactly when "sequence" is 0');
  for (const k of ['since', 'until'] as const) if (h[k] !== null && typeof h[k] !== 'string') bad(`"${k}" is neither null nor a string`);
  const c = h.counts as Record<string, unknown> | null;
  if (typeof c !== 'object' || c === null) bad('"counts" is missing');
  for (const k of RECORD_KINDS) if (!Number.isSafeInteger(c![k]) || (c![k] as number) < 0) bad(`"counts.${k}" is not a count`);
  const header = h as unknown as ExportHeader;
  // Byte-exact re-encoding pins field order and spelling: no unknown or duplicated fields.
  if (encodeHeader(header).toString('utf8') !== `${s}\n`) bad('fields are not exactly those of format 1, in order');
  return header;
}
