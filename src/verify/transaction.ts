/**
 * Transaction verification (SPEC.md §7.3). Returns findings; never throws on bad data.
 */
import { finding, type Finding } from '../findings.js';
import { computeTxId } from '../model/tx-id.js';
import type { HashName } from '../crypto/hash.js';

/** What transaction checks need to know. */
export interface TxContext { hash: HashName }

/**
 * Verify a transaction's id.
 * @returns findings naming the transaction; empty when it verifies
 */
export function verifyTransaction(tx: Record<string, unknown>, ctx: TxContext): Finding[] {
  const id = String(tx.id);
  const computed = computeTxId(tx, ctx.hash);
  return computed === id ? [] : [finding('TX_ID_MISMATCH', 'tx', id, undefined, { computed })];
}
