/**
 * Re-coupling in the verification worker (SPEC.md §10, §7.6): a stored-layout block
 * that ingest's re-coupler found complete comes back with the texts of its staged
 * `assets`/`metadata` rows (RawDoc `rows`); here the rows are put back and the full
 * block becomes a document text like any other, so parsing, hashing, signatures and
 * the index entries of storing all happen off the main thread. Before, each such block
 * was verified on ingest's main thread, one at a time: a pull from a dump took 3× the
 * CPU of verifying the same ledger from NDJSON (issue 13).
 */
import { canonicalize } from '../model/canonical.js';
import { parseJson, type JsonValue } from '../model/json.js';
import { recoupleBlock, rowValue } from '../model/stored.js';
import type { RawDoc } from '../model/documents.js';
import type { Block } from '../model/types.js';

/**
 * The full document of a stored block sent with its rows: a RawDoc whose text is the
 * canonical text of the block with every row put back. A document without rows is
 * returned as it is. Throws on what cannot be re-coupled (a row that is not JSON, a
 * value canonical JSON cannot hold): safeCheck turns that into DOC_MALFORMED.
 */
export function withRowsPutBack(raw: RawDoc): RawDoc {
  if (raw.rows === undefined) return raw;
  const stored = (raw.doc !== undefined ? raw.doc : parseJson(raw.text ?? 'null')) as Block;
  const assets = new Map<string, JsonValue>();
  const metadata = new Map<string, JsonValue>();
  for (const [tx, text] of raw.rows.assets) assets.set(tx, rowValue('asset', text));
  for (const [tx, text] of raw.rows.metadata) metadata.set(tx, rowValue('metadata', text));
  const { block } = recoupleBlock(stored, assets, metadata);
  return { table: 'bigchain', origin: raw.origin, doc: undefined, text: canonicalize(block) };
}
