/**
 * Transaction ids and signing messages (SPEC.md §3.2, reference §5).
 * id = hash(canonical(tx without "id", every fulfillment null)); for version 1
 * (BigchainDB ≤ 0.8) the fulfillments live in `transaction.fulfillments`.
 */
import { canonicalBytes } from './canonical.js';
import { hashHex, type HashName } from '../crypto/hash.js';

type Obj = Record<string, unknown>;

/** A copy of `tx` with every input fulfillment set to null (ids and signatures cover this). */
export function withNullFulfillments(tx: Obj): Obj {
  if (Array.isArray(tx.inputs)) {
    return { ...tx, inputs: tx.inputs.map((i) => (typeof i === 'object' && i !== null ? { ...(i as Obj), fulfillment: null } : i)) };
  }
  const inner = tx.transaction;
  if (typeof inner === 'object' && inner !== null && Array.isArray((inner as Obj).fulfillments)) {
    const t = inner as Obj;
    const fulfillments = (t.fulfillments as unknown[]).map((f) =>
      (typeof f === 'object' && f !== null ? { ...(f as Obj), fulfillment: null } : f));
    return { ...tx, transaction: { ...t, fulfillments } };
  }
  return tx;
}

/** The id a transaction should have under `hash`. */
export function computeTxId(tx: Obj, hash: HashName): string {
  const { id: _id, ...rest } = withNullFulfillments(tx);
  return hashHex(hash, canonicalBytes(rest));
}
