/**
 * What the audit needs of a transaction, read the same way for every version BigchainDB
 * stored (SPEC.md §7.3, §24): operation, asset id, the outputs each input spends and the
 * outputs it makes. Version 1.0 names inputs `fulfills: {transaction_id, output_index}`,
 * 0.9/0.10 `fulfills: {txid, output}`; the asset id of a CREATE/GENESIS is its own id from
 * 0.10 on (0.9: `asset.id`, a UUID), a TRANSFER carries `asset.id`. Nested (version 1, ≤ 0.8)
 * transactions have no inputs/outputs arrays at the top: the audit cannot replay them.
 */
import type { Transaction } from '../model/types.js';

/** One input: the output it spends (null for CREATE/GENESIS) and its fulfillment. */
export interface TxInput { txid: string; index: number; fulfillment: unknown }
/** One output: amount, condition URI and owners. */
export interface TxOutput { amount: bigint; uri: string; keys: string[] }
/** A transaction as the audit replays it. */
export interface TxView {
  id: string;
  operation: string;
  assetId: string | null;
  inputs: (TxInput | null)[];
  outputs: TxOutput[];
}

const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : null;

/** The amount of an output: a decimal string (1.0) or an integer (0.9/0.10); 1 when absent (≤ 0.8). */
function amountOf(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return BigInt(v);
  return 1n;
}

/**
 * Read a stored (verified) transaction; null when its layout has no top-level inputs and
 * outputs (nested version-1 transactions).
 */
export function txView(tx: Transaction): TxView | null {
  const t = tx as Record<string, unknown>;
  if (!Array.isArray(t.inputs) || !Array.isArray(t.outputs)) return null;
  const operation = String(t.operation);
  const asset = obj(t.asset);
  const assetId = operation === 'TRANSFER'
    ? (typeof asset?.id === 'string' ? asset.id : null)
    : (typeof asset?.id === 'string' ? asset.id : tx.id);
  const inputs = (t.inputs as unknown[]).map((raw): TxInput | null => {
    const i = obj(raw);
    const f = obj(i?.fulfills);
    if (f === null) return null;
    const txid = f.transaction_id ?? f.txid;
    const index = f.output_index ?? f.output;
    if (typeof txid !== 'string') return null;
    return { txid, index: typeof index === 'bigint' ? Number(index) : Number(index), fulfillment: i?.fulfillment };
  });
  const outputs = (t.outputs as unknown[]).map((raw): TxOutput => {
    const o = obj(raw);
    const cond = obj(o?.condition);
    return { amount: amountOf(o?.amount), uri: typeof cond?.uri === 'string' ? cond.uri : '',
      keys: Array.isArray(o?.public_keys) ? (o.public_keys as unknown[]).map(String) : [] };
  });
  return { id: tx.id, operation, assetId, inputs, outputs };
}
