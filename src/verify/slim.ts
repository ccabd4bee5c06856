/**
 * What crosses threads (SPEC.md §7.6): verdicts keep the documents only when the
 * caller needs them (ingest), since cloning a parsed block back costs as much as
 * sending it. Blocks that still need their assets/metadata come back as their text.
 */
import type { CheckedDoc } from './document.js';

/**
 * Drop the bulky transaction list from a block verdict unless `keepDocs` (its length is kept:
 * `transactionCount`). A stored-layout block crosses as its canonical text (`stored`).
 */
export function slimVerdict(v: CheckedDoc, keepDocs: boolean): CheckedDoc {
  if (keepDocs || v.kind !== 'block' || (v.needs !== null && v.stored === undefined)) return v;
  const { transactions: _t, ...body } = v.block.block;
  return { ...v, transactionCount: v.block.block.transactions.length, block: { ...v.block, block: { ...body, transactions: [] } } };
}
