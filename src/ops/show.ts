/**
 * The `show` operation (SPEC.md §12.7): one block, vote or transaction from the
 * archive, with its election status and votes; a transaction with the blocks that
 * hold it and its status (the best of theirs, reference §4). Returns null when the
 * archive does not hold it.
 */
import type { Block, BlockStatus, Transaction, Vote } from '../model/types.js';
import { transactionStatus } from '../verify/election.js';
import type { Archive } from '../store/archive.js';
import { readBlock, readBlockMeta, readElection, readTxBlocks, readVote, readVotesOf, type BlockMeta, type StoredElection } from '../store/read.js';
import { key } from '../store/schema.js';

/** A block as shown. `canonical` is the stored bytes (exactly what was verified). */
export interface ShownBlock { kind: 'block'; block: Block; canonical: string; meta: BlockMeta | null; election: StoredElection | null; votes: Vote[]; duplicateVotes: Vote[] }
/** A vote as shown, with its block's status when the block is held. */
export interface ShownVote { kind: 'vote'; vote: Vote; canonical: string; blockPresent: boolean; blockStatus: BlockStatus | null }
/** A transaction as shown. */
export interface ShownTx { kind: 'tx'; tx: Transaction; status: BlockStatus | null; blocks: { id: string; status: BlockStatus | null; timestamp: string }[] }

/** What can be shown. */
export type ShowKind = 'block' | 'vote' | 'tx';

/**
 * Show a document.
 * @param opts.id block id, tx id, or for a vote `<block id>/<voter key>`
 * @throws TypeError for a malformed vote id
 */
export async function show(opts: { archive: Archive; kind: ShowKind; id: string }): Promise<ShownBlock | ShownVote | ShownTx | null> {
  const { db } = opts.archive;
  if (opts.kind === 'block') {
    const canonical = await db.get(key('b', opts.id));
    if (canonical === undefined) return null;
    const { votes, duplicates } = await readVotesOf(db, opts.id);
    return { kind: 'block', block: (await readBlock(db, opts.id))!, canonical, meta: await readBlockMeta(db, opts.id),
      election: await readElection(db, opts.id), votes, duplicateVotes: duplicates };
  }
  if (opts.kind === 'vote') {
    const [blockId, voter] = opts.id.split('/');
    if (blockId === undefined || voter === undefined) throw new TypeError('a vote id is <block id>/<voter public key>');
    const vote = await readVote(db, blockId, voter);
    if (vote === null) return null;
    const election = await readElection(db, blockId);
    return { kind: 'vote', vote, canonical: (await db.get(key('v', blockId, voter)))!, blockPresent: await db.get(key('bm', blockId)) !== undefined,
      blockStatus: election?.status ?? null };
  }
  const blockIds = await readTxBlocks(db, opts.id);
  if (blockIds.length === 0) return null;
  const blocks: ShownTx['blocks'] = [];
  let tx: Transaction | null = null;
  for (const id of blockIds) {
    const block = await readBlock(db, id);
    if (block === null) continue;
    tx ??= block.block.transactions.find((t) => t.id === opts.id) ?? null;
    blocks.push({ id, status: (await readElection(db, id))?.status ?? null, timestamp: block.block.timestamp });
  }
  if (tx === null) return null;
  const statuses = blocks.map((b) => b.status).filter((s): s is BlockStatus => s !== null);
  return { kind: 'tx', tx, status: transactionStatus(statuses), blocks };
}
