/**
 * The rules one transaction must pass (SPEC.md §24.3), after BigchainDB 1.x
 * `Transaction.validate` (bigchaindb/models.py) and `Bigchain.is_new_transaction`/`get_spent`
 * (bigchaindb/core.py), judged against the final ledger: the VALID blocks ordered before the
 * block holding the transaction. Every other block that spends the same output or holds the
 * same transaction is returned as a conflict, for judging votes cast before the ledger was final.
 */
import type { BlockStatus } from '../model/types.js';
import type { LedgerDb } from '../store/archive.js';
import { parseFulfillment, fulfillmentConditionUri, isCcError } from '../crypto/conditions.js';
import type { BlockInfo, OutputInfo } from './ledger-index.js';
import { outKey, sortedList } from './ledger-index.js';
import type { TxView } from './tx-view.js';

/** The audit's codes for transactions (src/findings.ts). */
export type TxProblemCode = 'AUDIT_DOUBLE_SPEND' | 'AUDIT_AMOUNT_MISMATCH' | 'AUDIT_ASSET_MISMATCH' | 'AUDIT_CONDITION_MISMATCH'
  | 'AUDIT_INPUT_NOT_VALID' | 'AUDIT_UNKNOWN_INPUT' | 'AUDIT_DUPLICATE_TX' | 'AUDIT_CLIENT_GENESIS';

/** Another block, as a vote's timing is judged against it. */
export interface OtherBlock { block: string; status: BlockStatus; ts: number; decidedAt: number | null }

/**
 * One broken rule. `always`: broken whatever the moment a node looked (the rule needs no other
 * block's status); else `against` names the block whose status made it break.
 */
export interface TxProblem { code: TxProblemCode; tx: string; message: string; always: boolean; against?: OtherBlock; evidence: Record<string, unknown> }

/** Another block that spends one of the same outputs or holds the same transaction. */
export interface Conflict extends OtherBlock { kind: 'spend' | 'holding'; tx: string; output?: string }

/** The audit of one transaction. */
export interface TxAudit { problems: TxProblem[]; conflicts: Conflict[]; inputBlocks: OtherBlock[] }

/** What the caller keeps per block: outputs already spent by earlier transactions of the block. */
export interface BlockScope { id: string; info: BlockInfo; spent: Map<string, string>; seen: Set<string>; cache: Map<string, BlockInfo>;
  /** The scratch records this block's transactions need, read at once ({@link prefetchKeys}). */
  pre: Map<string, string | undefined> }

/** The scratch keys the checks of these transactions read. */
export function prefetchKeys(txs: readonly TxView[]): string[] {
  const want = new Set<string>();
  for (const tx of txs) {
    want.add(`h!${tx.id}`);
    for (const i of tx.inputs) if (i !== null) { const o = outKey(i.index); want.add(`s!${i.txid}!${o}`); want.add(`o!${i.txid}!${o}`); want.add(`h!${i.txid}`); }
  }
  return [...want];
}

async function infoOf(scratch: LedgerDb, id: string, blockCache: Map<string, BlockInfo>): Promise<BlockInfo | null> {
  const hit = blockCache.get(id);
  if (hit !== undefined) return hit;
  const v = await scratch.get(`k!${id}`);
  if (v === undefined) return null;
  const info = JSON.parse(v) as BlockInfo;
  if (blockCache.size > 4096) blockCache.clear(); // bounded: a cache, not an index
  blockCache.set(id, info);
  return info;
}

const other = (block: string, i: BlockInfo): OtherBlock => ({ block, status: i.s, ts: i.ts, decidedAt: i.d });
const blockOfOrder = (order: string): string => order.slice(order.indexOf('!') + 1);

/** A list record of pass 1 (`h!`, `s!`): [order, status, spender?] entries in ledger order. */
async function list(scratch: LedgerDb, scope: BlockScope, k: string): Promise<[string, BlockStatus, string?][]> {
  const v = scope.pre.has(k) ? scope.pre.get(k) : await scratch.get(k);
  return v === undefined ? [] : sortedList(JSON.parse(v) as [string, BlockStatus, string?][]);
}

/** Check one transaction of block `scope`. */
export async function checkTx(scratch: LedgerDb, scope: BlockScope, tx: TxView): Promise<TxAudit> {
  const problems: TxProblem[] = [];
  const conflicts: Conflict[] = [];
  const inputBlocks: OtherBlock[] = [];
  const p = (code: TxProblemCode, message: string, evidence: Record<string, unknown>, against?: OtherBlock): void => {
    problems.push({ code, tx: tx.id, message, always: against === undefined, ...(against !== undefined ? { against } : {}), evidence });
  };
  const order = scope.info.o;
  // No client GENESIS: only the genesis block holds one (bigchaindb/models.py: operation must be CREATE or TRANSFER).
  if (tx.operation === 'GENESIS' && !scope.info.g) p('AUDIT_CLIENT_GENESIS', 'a GENESIS transaction outside the genesis block', {});
  // No duplicate: not twice in the block (Block.validate), not in another block that is not INVALID (is_new_transaction).
  if (scope.seen.has(tx.id)) p('AUDIT_DUPLICATE_TX', 'the transaction is twice in this block', { block: scope.id });
  scope.seen.add(tx.id);
  for (const [rest, status] of await list(scratch, scope, `h!${tx.id}`)) {
    const b = blockOfOrder(rest);
    if (b === scope.id) continue;
    const i = await infoOf(scratch, b, scope.cache);
    if (i === null) continue;
    conflicts.push({ ...other(b, i), kind: 'holding', tx: tx.id });
    if (status === 'valid' && rest < order && !problems.some((x) => x.code === 'AUDIT_DUPLICATE_TX')) {
      p('AUDIT_DUPLICATE_TX', `the transaction is already in VALID block ${b}`, { block: b }, other(b, i));
    }
  }
  if (tx.operation !== 'TRANSFER') return { problems, conflicts, inputBlocks };
  const spent: OutputInfo[] = [];
  let unresolved = 0;
  const links = new Set<string>();
  for (const [n, inp] of tx.inputs.entries()) {
    if (inp === null) { unresolved++; continue; }
    const link = `${inp.txid}:${inp.index}`;
    const output = { tx: inp.txid, index: inp.index };
    if (links.has(link)) p('AUDIT_DOUBLE_SPEND', `input ${n} spends output ${link} a second time in this transaction`, { input: n, output });
    links.add(link);
    const first = scope.spent.get(link);
    if (first !== undefined && first !== tx.id) p('AUDIT_DOUBLE_SPEND', `input ${n} spends output ${link}, already spent by ${first} in this block`, { input: n, output, spentBy: first, block: scope.id });
    scope.spent.set(link, first ?? tx.id);
    // get_spent: another transaction spending the same output in a VALID (or UNDECIDED) block.
    for (const [rest, status, spenderTx] of await list(scratch, scope, `s!${inp.txid}!${outKey(inp.index)}`)) {
      const spender = spenderTx!;
      const b = blockOfOrder(rest);
      if (spender === tx.id || b === scope.id) continue;
      const i = await infoOf(scratch, b, scope.cache);
      if (i === null) continue;
      conflicts.push({ ...other(b, i), kind: 'spend', tx: spender, output: link });
      if (status === 'valid' && rest < order && !problems.some((x) => x.code === 'AUDIT_DOUBLE_SPEND' && x.against?.block === b && (x.evidence.output as { tx: string }).tx === inp.txid)) {
        p('AUDIT_DOUBLE_SPEND', `input ${n} spends output ${link}, already spent by ${spender} in VALID block ${b}`, { input: n, output, spentBy: spender, block: b }, other(b, i));
      }
    }
    const ok = `o!${inp.txid}!${outKey(inp.index)}`;
    const o = scope.pre.has(ok) ? scope.pre.get(ok) : await scratch.get(ok);
    if (o === undefined) {
      unresolved++;
      const held: { block: string; status: string }[] = [];
      for (const [rest, status] of await list(scratch, scope, `h!${inp.txid}`)) held.push({ block: blockOfOrder(rest), status });
      if (held.length === 0) p('AUDIT_UNKNOWN_INPUT', `input ${n} spends ${link}: no block of this archive holds transaction ${inp.txid} (not provable from this archive)`, { input: n, output });
      else if (held.some((h) => h.status === 'valid')) p('AUDIT_INPUT_NOT_VALID', `input ${n} spends ${link}: transaction ${inp.txid} has no output ${inp.index}`, { input: n, output, blocks: held });
      else p('AUDIT_INPUT_NOT_VALID', `input ${n} spends ${link}: transaction ${inp.txid} is in no VALID block (${held.map((h) => `${h.block} ${h.status}`).join(', ')})`, { input: n, output, blocks: held });
      continue;
    }
    const out = JSON.parse(o) as OutputInfo;
    const ib = await infoOf(scratch, out.b, scope.cache);
    if (ib !== null && ib.o >= order) {
      p('AUDIT_INPUT_NOT_VALID', `input ${n} spends ${link}: its VALID block ${out.b} is not earlier than this block`, { input: n, output, inputBlock: out.b }, other(out.b, ib));
    } else if (ib !== null) inputBlocks.push(other(out.b, ib));
    spent.push(out);
    // Input fulfillment against the condition it unlocks (Transaction.inputs_valid).
    const f = parseFulfillment(inp.fulfillment);
    const uri = isCcError(f) ? f : fulfillmentConditionUri(f);
    if (!isCcError(uri) && uri !== out.u) p('AUDIT_CONDITION_MISMATCH', `input ${n} fulfils ${uri}, but output ${link} is locked by ${out.u}`, { input: n, output, fulfils: uri, condition: out.u });
  }
  const assets = new Set(spent.map((s) => s.as));
  if (spent.length > 0 && (assets.size > 1 || !assets.has(tx.assetId))) {
    p('AUDIT_ASSET_MISMATCH', `the transaction names asset ${String(tx.assetId)}, its inputs hold ${[...assets].map(String).join(', ')}`, { asset: tx.assetId, inputAssets: [...assets] });
  }
  if (unresolved === 0 && spent.length > 0) {
    const inAmount = spent.reduce((s, o) => s + BigInt(o.a), 0n);
    const outAmount = tx.outputs.reduce((s, o) => s + o.amount, 0n);
    if (inAmount !== outAmount) p('AUDIT_AMOUNT_MISMATCH', `inputs hold ${inAmount}, outputs give ${outAmount}`, { inputAmount: inAmount.toString(), outputAmount: outAmount.toString() });
  }
  return { problems, conflicts, inputBlocks };
}
