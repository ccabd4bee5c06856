/**
 * The `show` operation (SPEC.md §12.7): one block, vote or transaction from the
 * archive, with its election status and votes; a transaction with the blocks that
 * hold it and its status (the best of theirs, reference §4). Returns null when the
 * archive does not hold it.
 */
import type { Block, BlockStatus, Transaction, Vote } from '../model/types.js';
import { parseJson } from '../model/json.js';
import type { LedgerDb } from '../store/archive.js';
import { range } from '../store/schema.js';
import { transactionStatus } from '../verify/election.js';
import type { Archive } from '../store/archive.js';
import { readBlock, readBlockMeta, readElection, readTxBlocks, readVote, type BlockMeta, type StoredElection } from '../store/read.js';
import { key } from '../store/schema.js';
import type { Finding } from '../findings.js';
import { StoredGate } from '../check/gate.js';

/** A block as shown. `canonical` is the stored bytes (exactly what was verified). */
export interface ShownBlock { kind: 'block'; block: Block; canonical: string; meta: BlockMeta | null; election: StoredElection | null; votes: Vote[]; duplicateVotes: Vote[] }
/** A vote as shown, with its block's status when the block is held. */
export interface ShownVote { kind: 'vote'; vote: Vote; canonical: string; blockPresent: boolean; blockStatus: BlockStatus | null }
/** A transaction as shown. */
export interface ShownTx { kind: 'tx'; tx: Transaction; status: BlockStatus | null; blocks: { id: string; status: BlockStatus | null; timestamp: string }[] }

/** The asked document is stored but no longer verifies (SPEC.md §15.11): it is not shown. */
export interface ShownCorrupt { kind: 'corrupt'; findings: Finding[] }

/** What can be shown. */
export type ShowKind = 'block' | 'vote' | 'tx';

/**
 * Show a document.
 * @param opts.id block id, tx id, or for a vote `<block id>/<voter key>`
 * @throws TypeError for a malformed vote id
 */
export async function show(opts: { archive: Archive; kind: ShowKind; id: string }): Promise<ShownBlock | ShownVote | ShownTx | ShownCorrupt | null> {
  const { db } = opts.archive;
  // Everything shown is re-checked from its stored bytes first; what fails is named, not shown.
  const gate = new StoredGate(opts.archive.federation);
  const corrupt = (): ShownCorrupt => ({ kind: 'corrupt', findings: gate.findings });
  if (opts.kind === 'block') {
    const canonical = await db.get(key('b', opts.id));
    if (canonical === undefined) return null;
    if (!gate.pass(key('b', opts.id), canonical)) return corrupt();
    const [votes, duplicates] = [await checkedVotes(db, gate, 'v', opts.id), await checkedVotes(db, gate, 'vd', opts.id)];
    if (!gate.complete) return corrupt();
    return { kind: 'block', block: (await readBlock(db, opts.id))!, canonical, meta: await readBlockMeta(db, opts.id),
      election: await readElection(db, opts.id), votes, duplicateVotes: duplicates };
  }
  if (opts.kind === 'vote') {
    const [blockId, voter] = opts.id.split('/');
    if (blockId === undefined || voter === undefined) throw new TypeError('a vote id is <block id>/<voter public key>');
    const vote = await readVote(db, blockId, voter);
    if (vote === null) return null;
    if (!gate.pass(key('v', blockId, voter), (await db.get(key('v', blockId, voter)))!)) return corrupt();
    const election = await readElection(db, blockId);
    return { kind: 'vote', vote, canonical: (await db.get(key('v', blockId, voter)))!, blockPresent: await db.get(key('bm', blockId)) !== undefined,
      blockStatus: election?.status ?? null };
  }
  const blockIds = await readTxBlocks(db, opts.id);
  if (blockIds.length === 0) return null;
  const blocks: ShownTx['blocks'] = [];
  let tx: Transaction | null = null;
  for (const id of blockIds) {
    const text = await db.get(key('b', id));
    if (text === undefined) continue;
    if (!gate.pass(key('b', id), text)) return corrupt();
    const block = (await readBlock(db, id))!;
    tx ??= block.block.transactions.find((t) => t.id === opts.id) ?? null;
    blocks.push({ id, status: (await readElection(db, id))?.status ?? null, timestamp: block.block.timestamp });
  }
  if (tx === null) return null;
  const statuses = blocks.map((b) => b.status).filter((s): s is BlockStatus => s !== null);
  return { kind: 'tx', tx, status: transactionStatus(statuses), blocks };
}

/** A block's stored votes of one namespace, each re-checked from its bytes (failures are named by the gate). */
async function checkedVotes(db: LedgerDb, gate: StoredGate, ns: 'v' | 'vd', blockId: string): Promise<Vote[]> {
  const out: Vote[] = [];
  for await (const [k, text] of db.iterator(range(ns, blockId))) if (gate.pass(k, text)) out.push(parseJson(text) as unknown as Vote);
  return out;
}
