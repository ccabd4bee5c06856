/**
 * The shapes documents travel in (SPEC.md §11): every place documents come from
 * (RethinkDB, the HTTP API, dump files, NDJSON files) yields raw, untrusted documents as
 * {@link RawDoc}; tables, stored layouts and selections are named here too. They live in
 * model/ because every floor above uses them (ARCHITECTURE.md). Nothing a source yields is
 * trusted; ingest verifies it.
 */

/** BigchainDB's RethinkDB tables (reference §6). */
export type TableName = 'bigchain' | 'votes' | 'assets' | 'metadata' | 'backlog';

/** One untrusted document as a source delivered it. */
export interface RawDoc {
  /** The table it came from, or null when the source cannot tell (NDJSON files). */
  table: TableName | null;
  /** The parsed JSON value (see model/json.ts: floats and big integers keep their exact form). */
  doc: unknown;
  /** Where it came from, for findings: `file:line`, `dump:bigchain.votes#12`, a URL, ... */
  origin: string;
  /**
   * The document's exact JSON text, when the source read it as text (files, dumps,
   * HTTP bodies). Optional; lets verification parse in worker threads.
   */
  text?: string;
  /** Set when the source could not read this document (bad JSON, too large); `doc` is then null. */
  invalid?: string;
  /** With `invalid`: the limit the document broke (model/limits.ts), reported as DOC_LIMIT. */
  limit?: string;
  /** Size of the document's text in bytes when the source parsed it (bounds the bytes in flight). */
  bytes?: number;
  /**
   * A stored-layout block (v1.0/v1.3) sent back to be checked with its staged rows put back
   * (ingest's re-coupler, SPEC.md §10): `[tx id, row text]` of each `assets` and `metadata`
   * row found; a transaction without a metadata row gets null, as BigchainDB 1.3 stores
   * only non-null metadata. Re-coupled and checked in the verification worker.
   */
  rows?: { assets: Array<[string, string]>; metadata: Array<[string, string]> };
}

/** Storage layouts of BigchainDB's RethinkDB schema (reference §6). */
export type Layout = '0.9' | '0.10' | '1.0' | '1.3';

/** A selection of what to pull (issue 4): remembered in the archive so a bare pull repeats it. */
export interface Selection {
  all?: boolean;
  tx?: string[];
  owner?: string[];
  asset?: string[];
}

/** How much text a document stands for (its text, else the size its source read), for memory bounds (SPEC.md §21). */
export function docSize(raw: RawDoc): number {
  return raw.text?.length ?? raw.bytes ?? 0;
}
