/**
 * The audit's first pass (SPEC.md §24.2): every block, read in block-id order (one merged scan)
 * and recorded with its ledger order, written to a scratch LevelDB so memory stays one block
 * deep however long the ledger is:
 *   k!<block>                 → {o: order, s: status, ts, d: decided at, g: genesis}
 *   o!<tx>!<output, 6 digits> → {a, as, u, k, b, o}: an output of a transaction, from the earliest VALID block holding it
 *   h!<tx>                    → [[order, status], ...]: every block holding the transaction
 *   s!<tx>!<output>           → [[order, status, spender tx], ...]: every input spending that output
 * List entries start with their block's order; readers sort them (sortedList). Each block costs
 * one `getMany` and one batch (no iterator per transaction: LevelDB iterators are the expensive call).
 * Order is `<timestamp, 12 digits>!<block id>` (the archive's `ts!` index): block timestamp,
 * ties by id. "Decided at" is the timestamp of the vote that gave the block its status.
 */
import type { Archive, LedgerDb } from '../store/archive.js';
import type { Block, BlockStatus, Vote } from '../model/types.js';
import { parseJson } from '../model/json.js';
import { groups } from '../store/groups.js';
import { key, tsPart, META } from '../store/schema.js';
import { readJson } from '../store/read.js';
import type { StoredElection } from '../store/read.js';
import { txView } from './tx-view.js';

/** What pass 1 keeps of a block. */
export interface BlockInfo { o: string; s: BlockStatus; ts: number; d: number | null; g: boolean }
/** What pass 1 keeps of an output of a transaction in a VALID block. */
export interface OutputInfo { a: string; as: string | null; u: string; k: string[]; b: string; o: string }

/** Output indexes padded so key order is numeric order. */
export const outKey = (i: number): string => String(i).padStart(6, '0');

/**
 * When the election reached its status: the timestamp of the ⌊n/2⌋+1-th valid vote agreeing
 * on previous_block (VALID), of the ⌈n/2⌉-th other counted vote (INVALID); null when undecided.
 */
export function decidedAt(election: StoredElection | null, votes: readonly Vote[], voters: readonly string[]): number | null {
  if (election === null || election.status === 'undecided') return null;
  const eligible = new Set(voters);
  const counted = votes.filter((v) => eligible.has(v.node_pubkey));
  const inGroup = (v: Vote): boolean => v.vote.is_block_valid === true && v.vote.previous_block === election.previousBlock;
  const side = counted.filter((v) => (election.status === 'valid' ? inGroup(v) : !inGroup(v)))
    .map((v) => Number(v.vote.timestamp)).filter(Number.isFinite).sort((a, b) => a - b);
  const need = election.status === 'valid' ? Math.floor(election.nVoters / 2) + 1 : Math.ceil(election.nVoters / 2);
  return side[Math.max(0, need - 1)] ?? null;
}

/** A stored block with its election and votes, as both passes read it (one merged scan, id order). */
export interface StoredBlock { id: string; text: string; election: StoredElection | null; votes: Vote[]; duplicates: Vote[] }

/**
 * Every stored block with its election and votes, in block-id order: key-ordered scans, no point
 * reads (SPEC.md §21 — reading blocks in ledger order would be one random read per block, and
 * LevelDB would keep every table those reads touched mapped). Its order key is its `ts!` entry's.
 */
export async function* storedBlocks(db: LedgerDb, signal?: AbortSignal): AsyncGenerator<StoredBlock> {
  let n = 0;
  for await (const g of groups(db)) {
    if (++n % 1000 === 0) signal?.throwIfAborted();
    if (g.block === undefined) continue;
    const text = g.block[1];
    const votes: Vote[] = [];
    const duplicates: Vote[] = [];
    for (const [k, v] of g.votes) (k.startsWith('vd!') ? duplicates : votes).push(parseJson(v) as unknown as Vote);
    const election = g.election === undefined ? null : JSON.parse(g.election) as StoredElection;
    yield { id: g.id, text, election, votes, duplicates };
  }
}

/** The ledger order key of a block: `<timestamp, 12 digits>!<id>`, as its `ts!` entry. */
export const orderOf = (block: Block): string => `${tsPart(block.block.timestamp)}!${block.id}`;

/**
 * A list record of pass 1 (`h!`, `s!`) in ledger order. Pass 1 reads the blocks in id order and
 * appends as it goes; entries start with their order key, so sorting restores ledger order.
 */
export function sortedList<T extends unknown[]>(list: T[]): T[] {
  return list.sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0));
}

/** Pass 1: index the archive's blocks, transactions, outputs and spends into `scratch`. */
export async function indexLedger(archive: Archive, scratch: LedgerDb, opts: { signal?: AbortSignal; onBlock?: () => void } = {}): Promise<number> {
  const { db } = archive;
  const genesis = await readJson<string>(db, key('meta', META.genesis));
  let n = 0;
  for await (const stored of storedBlocks(db, opts.signal)) {
    const { id, election, votes, duplicates } = stored;
    const block = parseJson(stored.text) as unknown as Block;
    const order = orderOf(block);
    const status: BlockStatus = election?.status ?? 'undecided';
    const voters = block.block.voters.filter((v) => archive.federation.keySet.has(v));
    const info: BlockInfo = { o: order, s: status, ts: Number(block.block.timestamp), d: decidedAt(election, [...votes, ...duplicates], voters), g: id === genesis };
    const batch = scratch.batch();
    batch.put(`k!${id}`, JSON.stringify(info));
    const views = block.block.transactions.map((tx) => ({ tx, view: txView(tx) }));
    // Read once what the block appends to: holdings, spends, and the outputs already recorded.
    const want = new Set<string>();
    for (const { tx, view } of views) {
      want.add(`h!${tx.id}`);
      if (status === 'valid') want.add(`o!${tx.id}!${outKey(0)}`);
      for (const inp of view?.inputs ?? []) if (inp !== null) want.add(`s!${inp.txid}!${outKey(inp.index)}`);
    }
    const keys = [...want];
    const got = await scratch.getMany(keys);
    const lists = new Map<string, unknown[][]>();
    // Outputs are those of the earliest VALID block holding the transaction (blocks come in id order, not ledger order).
    const recorded = new Map<string, string>();
    keys.forEach((k, n) => {
      const v = got[n];
      if (k.startsWith('o!')) { if (v !== undefined) recorded.set(k, (JSON.parse(v) as OutputInfo).o); } else lists.set(k, v === undefined ? [] : JSON.parse(v) as unknown[][]);
    });
    for (const { tx, view } of views) {
      lists.get(`h!${tx.id}`)!.push([order, status]);
      if (view === null) continue;
      for (const inp of view.inputs) if (inp !== null) lists.get(`s!${inp.txid}!${outKey(inp.index)}`)!.push([order, status, tx.id]);
      const first = `o!${tx.id}!${outKey(0)}`;
      const had = recorded.get(first);
      if (status === 'valid' && (had === undefined || order < had)) {
        recorded.set(first, order);
        view.outputs.forEach((o, i) => batch.put(`o!${tx.id}!${outKey(i)}`, JSON.stringify({ a: o.amount.toString(), as: view.assetId, u: o.uri, k: o.keys, b: id, o: order } satisfies OutputInfo)));
      }
    }
    for (const [k, list] of lists) batch.put(k, JSON.stringify(list));
    await batch.write();
    n++;
    opts.onBlock?.();
  }
  return n;
}
