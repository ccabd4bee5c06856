/**
 * Reading documents and derived records back from an archive (SPEC.md §12).
 * Stored documents are decoded with the exact parser (model/json.ts) so their
 * canonical bytes, hashes and signatures are reproduced exactly.
 */
import { parseJson } from '../model/json.js';
import type { Block, Vote } from '../model/types.js';
import type { Layout } from '../model/documents.js';
import type { LedgerDb } from './db.js';
import { key, keyParts, range } from './schema.js';
import type { Election } from '../verify/election.js';

/** What `bm!<id>` holds: how the source stored the block, and what elections need without parsing it. */
export interface BlockMeta { layout: Layout | null; origin: string; voters?: string[]; timestamp?: string }

/** What `es!<id>` holds: a block's derived election (SPEC.md §15.2), as elected (§7.4). */
export type StoredElection = Election;

/** A stored block by id, or null. */
export async function readBlock(db: LedgerDb, id: string): Promise<Block | null> {
  const v = await db.get(key('b', id));
  return v === undefined ? null : parseJson(v) as unknown as Block;
}

/** A block's meta record, or null. */
export async function readBlockMeta(db: LedgerDb, id: string): Promise<BlockMeta | null> {
  const v = await db.get(key('bm', id));
  return v === undefined ? null : JSON.parse(v) as BlockMeta;
}

/** A block's stored election, or null (no block, or not computed). */
export async function readElection(db: LedgerDb, id: string): Promise<StoredElection | null> {
  const v = await db.get(key('es', id));
  return v === undefined ? null : JSON.parse(v) as StoredElection;
}

/** The primary vote of `voter` on `blockId`, or null. */
export async function readVote(db: LedgerDb, blockId: string, voter: string): Promise<Vote | null> {
  const v = await db.get(key('v', blockId, voter));
  return v === undefined ? null : parseJson(v) as unknown as Vote;
}

/** Every stored vote on a block: primary votes, then other verified votes by the same voters (duplicates). */
export async function readVotesOf(db: LedgerDb, blockId: string): Promise<{ votes: Vote[]; duplicates: Vote[] }> {
  const votes: Vote[] = [];
  const duplicates: Vote[] = [];
  for await (const v of db.values(range('v', blockId))) votes.push(parseJson(v) as unknown as Vote);
  for await (const v of db.values(range('vd', blockId))) duplicates.push(parseJson(v) as unknown as Vote);
  return { votes, duplicates };
}

/** Ids of the blocks holding a transaction. */
export async function readTxBlocks(db: LedgerDb, txId: string): Promise<string[]> {
  const out: string[] = [];
  for await (const k of db.keys(range('tx', txId))) out.push(keyParts(k)[1]!);
  return out;
}

/** Parse a JSON value stored by this tool (meta, sync, quarantine records). */
export async function readJson<T>(db: LedgerDb, k: string): Promise<T | null> {
  const v = await db.get(k);
  return v === undefined ? null : JSON.parse(v) as T;
}

/** Count keys in a namespace range (streams; no values are read). */
export async function countKeys(db: LedgerDb, bounds: { gt: string; lt: string }): Promise<number> {
  let n = 0;
  for await (const _k of db.keys(bounds)) n++;
  return n;
}
