/**
 * `show owner KEY` and `show asset ID` (SPEC.md §24.5): views that follow from the replay's rules,
 * proven from the archive's own indexes (`ow!`, `as!`, SPEC.md §15.2). Only transactions of VALID
 * blocks give or spend outputs (§24.1); every block read is re-checked from its stored bytes first
 * (StoredGate, SPEC.md §15.11). Memory: the owner's or asset's transactions.
 */
import type { Archive, LedgerDb } from '../store/archive.js';
import type { Block, BlockStatus } from '../model/types.js';
import { parseJson } from '../model/json.js';
import { key, keyParts, range } from '../store/schema.js';
import { readElection } from '../store/read.js';
import { StoredGate } from '../check/gate.js';
import { txView, type TxView } from '../audit/tx-view.js';
import type { Finding } from '../findings.js';

/** One transaction of the view, in block-timestamp order. */
export interface ViewTx { tx: string; operation: string; asset: string | null; block: string; status: BlockStatus; timestamp: string;
  inputs: { tx: string; index: number }[]; outputs: { index: number; amount: string; keys: string[] }[] }
/** An output of a VALID transaction, and the VALID transaction that spent it, if any. */
export interface ViewOutput { tx: string; index: number; amount: string; asset: string | null; keys: string[]; block: string; spentBy: { tx: string; block: string } | null }
/** The view: history (every block status), outputs (VALID only), unspent totals per asset. */
export interface ShownView { kind: 'owner' | 'asset'; id: string; history: ViewTx[]; outputs: ViewOutput[]; unspent: Record<string, string> }
/** A block on the way no longer verifies: nothing is shown. */
export interface ShownViewCorrupt { kind: 'corrupt'; findings: Finding[] }

const RANK: Record<BlockStatus, number> = { valid: 2, undecided: 1, invalid: 0 };

/**
 * The view of an owner (outputs whose public_keys hold KEY) or of an asset (its transactions).
 * @returns null when the archive holds no transaction naming it
 */
export async function showView(opts: { archive: Archive; kind: 'owner' | 'asset'; id: string }): Promise<ShownView | ShownViewCorrupt | null> {
  const { db } = opts.archive;
  const gate = new StoredGate(opts.archive.federation);
  const holders = new Map<string, string[]>();
  for await (const k of db.keys(range(opts.kind === 'owner' ? 'ow' : 'as', opts.id))) {
    const [, tx, block] = keyParts(k) as [string, string, string];
    holders.set(tx, [...(holders.get(tx) ?? []), block]);
  }
  if (holders.size === 0) return null;
  const history: ViewTx[] = [];
  const validTxs: TxView[] = [];
  const validBlock = new Map<string, string>();
  for (const [txId, blocks] of holders) {
    // The transaction's status is the best of its blocks' (SPEC.md §7.4); it counts from a VALID one.
    let best: { id: string; status: BlockStatus; block: Block } | null = null;
    for (const id of blocks) {
      const block = await checkedBlock(db, gate, id);
      if (block === 'corrupt') return { kind: 'corrupt', findings: gate.findings };
      if (block === null) continue;
      const status = (await readElection(db, id))?.status ?? 'undecided';
      if (best === null || RANK[status] > RANK[best.status] || (status === best.status && block.block.timestamp < best.block.block.timestamp)) best = { id, status, block };
    }
    if (best === null) continue;
    const tx = best.block.block.transactions.find((t) => t.id === txId);
    const view = tx === undefined ? null : txView(tx);
    if (view === null) continue;
    history.push({ tx: txId, operation: view.operation, asset: view.assetId, block: best.id, status: best.status, timestamp: best.block.block.timestamp,
      inputs: view.inputs.flatMap((i) => (i === null ? [] : [{ tx: i.txid, index: i.index }])),
      outputs: view.outputs.map((o, index) => ({ index, amount: o.amount.toString(), keys: o.keys })) });
    if (best.status === 'valid') { validTxs.push(view); validBlock.set(txId, best.id); }
  }
  history.sort((a, b) => Number(a.timestamp) - Number(b.timestamp) || (a.tx < b.tx ? -1 : 1));
  const spent = new Map<string, { tx: string; block: string }>();
  for (const v of validTxs) for (const i of v.inputs) if (i !== null && !spent.has(`${i.txid}:${i.index}`)) spent.set(`${i.txid}:${i.index}`, { tx: v.id, block: validBlock.get(v.id)! });
  const outputs: ViewOutput[] = [];
  for (const v of validTxs) v.outputs.forEach((o, index) => {
    if (opts.kind === 'owner' && !o.keys.includes(opts.id)) return;
    outputs.push({ tx: v.id, index, amount: o.amount.toString(), asset: v.assetId, keys: o.keys, block: validBlock.get(v.id)!, spentBy: spent.get(`${v.id}:${index}`) ?? null });
  });
  const at = new Map(history.map((h, n) => [h.tx, n]));
  outputs.sort((a, b) => at.get(a.tx)! - at.get(b.tx)! || a.index - b.index);
  const unspent: Record<string, string> = {};
  for (const o of outputs) if (o.spentBy === null) unspent[String(o.asset)] = (BigInt(unspent[String(o.asset)] ?? '0') + BigInt(o.amount)).toString();
  return { kind: opts.kind, id: opts.id, history, outputs, unspent };
}

async function checkedBlock(db: LedgerDb, gate: StoredGate, id: string): Promise<Block | null | 'corrupt'> {
  const text = await db.get(key('b', id));
  if (text === undefined) return null;
  if (!gate.pass(key('b', id), text)) return 'corrupt';
  return parseJson(text) as unknown as Block;
}
