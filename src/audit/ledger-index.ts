/**
 * The audit's first pass (SPEC.md §24.2): every block in ledger order, written to a scratch
 * LevelDB so memory stays one block deep however long the ledger is:
 *   k!<block>                 → {o: order, s: status, ts, d: decided at, g: genesis}
 *   o!<tx>!<output, 6 digits> → {a, as, u, k, b}: an output of a transaction held by a VALID block
 *   h!<tx>                    → [[order, status], ...]: every block holding the transaction
 *   s!<tx>!<output>           → [[order, status, spender tx], ...]: every input spending that output
 * Lists are appended in ledger order. Each block costs one `getMany` and one batch (no iterator
 * per transaction: LevelDB iterators are the expensive call).
 * Order is `<timestamp, 12 digits>!<block id>` (the archive's `ts!` index): block timestamp,
 * ties by id. "Decided at" is the timestamp of the vote that gave the block its status.
 */
import type { Archive, LedgerDb } from '../store/archive.js';
import type { Block, BlockStatus, Vote } from '../model/types.js';
import { parseJson } from '../model/json.js';
import { keyBatches } from '../store/scan.js';
import { key, keyParts, range, META } from '../store/schema.js';
import { readElection, readVotesOf, readJson } from '../store/read.js';
import type { StoredElection } from '../store/read.js';
import { txView } from './tx-view.js';

/** What pass 1 keeps of a block. */
export interface BlockInfo { o: string; s: BlockStatus; ts: number; d: number | null; g: boolean }
/** What pass 1 keeps of an output of a transaction in a VALID block. */
export interface OutputInfo { a: string; as: string | null; u: string; k: string[]; b: string }

/** Output indexes padded so key order is numeric order. */
export const outKey = (i: number): string => String(i).padStart(6, '0');

/** Every block id of the archive in ledger order, with its order key. */
export async function* blocksInOrder(db: LedgerDb, signal?: AbortSignal): AsyncGenerator<{ id: string; order: string }> {
  for await (const keys of keyBatches(db, range('ts'))) {
    signal?.throwIfAborted();
    for (const k of keys) {
      const [ts, id] = keyParts(k) as [string, string];
      yield { id, order: `${ts}!${id}` };
    }
  }
}

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

/** Pass 1: index the archive's blocks, transactions, outputs and spends into `scratch`. */
export async function indexLedger(archive: Archive, scratch: LedgerDb, opts: { signal?: AbortSignal; onBlock?: () => void } = {}): Promise<number> {
  const { db } = archive;
  const genesis = await readJson<string>(db, key('meta', META.genesis));
  let n = 0;
  for await (const { id, order } of blocksInOrder(db, opts.signal)) {
    const text = await db.get(key('b', id));
    if (text === undefined) continue;
    const block = parseJson(text) as unknown as Block;
    const election = await readElection(db, id);
    const status: BlockStatus = election?.status ?? 'undecided';
    const { votes, duplicates } = await readVotesOf(db, id);
    const voters = block.block.voters.filter((v) => archive.federation.keySet.has(v));
    const info: BlockInfo = { o: order, s: status, ts: Number(block.block.timestamp), d: decidedAt(election, [...votes, ...duplicates], voters), g: id === genesis };
    const batch = scratch.batch();
    batch.put(`k!${id}`, JSON.stringify(info));
    const views = block.block.transactions.map((tx) => ({ tx, view: txView(tx) }));
    // Read once what the block appends to: holdings, spends, and whether outputs are known yet.
    const want = new Set<string>();
    for (const { tx, view } of views) {
      want.add(`h!${tx.id}`);
      if (status === 'valid') want.add(`o!${tx.id}!${outKey(0)}`);
      for (const inp of view?.inputs ?? []) if (inp !== null) want.add(`s!${inp.txid}!${outKey(inp.index)}`);
    }
    const keys = [...want];
    const got = await scratch.getMany(keys);
    const lists = new Map<string, unknown[][]>();
    const known = new Set<string>();
    keys.forEach((k, n) => {
      const v = got[n];
      if (k.startsWith('o!')) { if (v !== undefined) known.add(k); } else lists.set(k, v === undefined ? [] : JSON.parse(v) as unknown[][]);
    });
    for (const { tx, view } of views) {
      lists.get(`h!${tx.id}`)!.push([order, status]);
      if (view === null) continue;
      for (const inp of view.inputs) if (inp !== null) lists.get(`s!${inp.txid}!${outKey(inp.index)}`)!.push([order, status, tx.id]);
      const first = `o!${tx.id}!${outKey(0)}`;
      if (status === 'valid' && !known.has(first)) {
        known.add(first);
        view.outputs.forEach((o, i) => batch.put(`o!${tx.id}!${outKey(i)}`, JSON.stringify({ a: o.amount.toString(), as: view.assetId, u: o.uri, k: o.keys, b: id } satisfies OutputInfo)));
      }
    }
    for (const [k, list] of lists) batch.put(k, JSON.stringify(list));
    await batch.write();
    n++;
    opts.onBlock?.();
  }
  return n;
}
