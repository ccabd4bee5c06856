/**
 * The cheap id test of a stored-layout block still missing metadata rows (SPEC.md §10):
 * v1.3 stores only non-null metadata, so an absent row may be a null that never comes;
 * the id (a hash of the re-coupled body) tells. Each transaction's canonical text is kept
 * and only the one a row changes is redone, so rows arriving one by one after their block
 * cost one transaction's serialization each, not a whole block's.
 */
import { canonicalize } from '../model/canonical.js';
import { parseJson, type JsonValue } from '../model/json.js';
import { hashHex, type HashName } from '../crypto/hash.js';
import { recoupleBlock, rowValue } from '../model/stored.js';
import type { Block, Transaction } from '../model/types.js';

/** A block waiting for rows: the row texts it has so far, and the cached transaction texts. */
export interface RowsSoFar {
  /** The stored block, parsed from its text when this test first needs it. */
  block: Block | null;
  /** Its canonical text. */
  text: string;
  /** Row texts by transaction id, as staged (`ra!`/`rm!`). */
  assets: Map<string, string>;
  metadata: Map<string, string>;
  /** Canonical text of each re-coupled transaction (built on the first test). */
  parts: string[] | null;
}

const SENTINEL = '\u0000ledger-archive:transactions\u0000';
const SENTINEL_TEXT = canonicalize(SENTINEL);

/** Whether the id is the hash of the body re-coupled with the rows so far (absent metadata as null). */
export function idMatches(w: RowsSoFar, hash: HashName): boolean {
  const block = storedBlock(w);
  if (w.parts === null) w.parts = block.block.transactions.map((tx) => recoupledText(w, tx));
  const shell = canonicalize({ ...block.block, transactions: SENTINEL });
  const at = shell.split(SENTINEL_TEXT);
  if (at.length !== 2) return false; // a body quoting the sentinel: leave it to the final check
  const body = `${at[0]!}[${w.parts.join(',')}]${at[1]!}`;
  return hashHex(hash, Buffer.from(body, 'utf8')) === block.id;
}

function storedBlock(w: RowsSoFar): Block {
  return (w.block ??= parseJson(w.text) as unknown as Block);
}

/** Redo the canonical text of the transactions a row for `txId` changes (when texts are cached). */
export function refreshPart(w: RowsSoFar, txId: string): void {
  if (w.parts === null) return;
  const txs = storedBlock(w).block.transactions;
  for (let i = 0; i < txs.length; i++) if (txs[i]!.id === txId) w.parts[i] = recoupledText(w, txs[i]!);
}

/** Canonical text of one transaction re-coupled with its rows so far. */
function recoupledText(w: RowsSoFar, tx: Transaction): string {
  const block = storedBlock(w);
  const one = { ...block, block: { ...block.block, transactions: [tx] } };
  const assets = new Map<string, JsonValue>();
  const metadata = new Map<string, JsonValue>();
  const a = w.assets.get(tx.id);
  if (a !== undefined) assets.set(tx.id, rowValue('asset', a));
  const m = w.metadata.get(tx.id);
  if (m !== undefined) metadata.set(tx.id, rowValue('metadata', m));
  return canonicalize(recoupleBlock(one, assets, metadata).block.block.transactions[0]);
}
