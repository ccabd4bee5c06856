/**
 * The entries a verified document owns in the archive (SPEC.md §12.2): the document
 * itself and every index entry derived from it. Ingest writes exactly these in one
 * batch; check recomputes them to find missing or stray index entries; repair
 * rewrites them. One function per document kind so the three never disagree.
 */
import { canonicalize } from '../model/canonical.js';
import { isHexId } from '../crypto/hash.js';
import type { Block, Transaction, Vote } from '../model/types.js';
import type { Layout } from '../model/documents.js';
import { key, tsPart } from './schema.js';

/** One key/value pair to put. */
export interface Entry { key: string; value: string }

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
// Index key parts must not contain the separator or sort above '~' (schema.ts).
const SAFE = /^[0-9A-Za-z_.:-]{1,128}$/;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Public keys a transaction names as owners: outputs' `public_keys`, inputs' `owners_before` (v1: conditions/fulfillments). */
export function txOwners(tx: Transaction): string[] {
  const out = new Set<string>();
  const body = isObj(tx.transaction) ? tx.transaction : tx as Obj;
  for (const o of [...(Array.isArray(body.outputs) ? body.outputs : []), ...(Array.isArray(body.conditions) ? body.conditions : [])]) {
    if (isObj(o)) for (const k of [...strings(o.public_keys), ...strings(o.owners_after)]) out.add(k);
  }
  for (const i of [...(Array.isArray(body.inputs) ? body.inputs : []), ...(Array.isArray(body.fulfillments) ? body.fulfillments : [])]) {
    if (isObj(i)) for (const k of strings(i.owners_before)) out.add(k);
  }
  return [...out].filter((k) => SAFE.test(k));
}

/** The asset id of a transaction: its own id for CREATE/GENESIS, else `asset.id`; null when none. */
export function txAssetId(tx: Transaction): string | null {
  const body = isObj(tx.transaction) ? tx.transaction : tx as Obj;
  if (body.operation === 'CREATE' || body.operation === 'GENESIS') {
    // v1 (≤0.8) assets carry their own uuid id; later versions use the CREATE tx id.
    const own = isObj(body.asset) && typeof body.asset.id === 'string' && tx.version === 1 ? body.asset.id : tx.id;
    return SAFE.test(own) ? own : null;
  }
  const id = isObj(body.asset) ? body.asset.id : undefined;
  return typeof id === 'string' && SAFE.test(id) ? id : null;
}

/** True when the block holds a GENESIS transaction. */
export function isGenesisBlock(block: Block): boolean {
  return block.block.transactions.some((tx) => tx.operation === 'GENESIS'
    || (isObj(tx.transaction) && tx.transaction.operation === 'GENESIS'));
}

/** Index entries of a block (everything but the document and its meta). */
export function blockIndexEntries(block: Block): Entry[] {
  const out: Entry[] = [{ key: key('ts', tsPart(block.block.timestamp), block.id), value: '' }];
  for (const tx of block.block.transactions) {
    if (!SAFE.test(tx.id)) continue;
    out.push({ key: key('tx', tx.id, block.id), value: '' });
    for (const owner of txOwners(tx)) out.push({ key: key('ow', owner, tx.id, block.id), value: '' });
    const asset = txAssetId(tx);
    if (asset !== null) out.push({ key: key('as', asset, tx.id, block.id), value: '' });
  }
  return out;
}

/** The document entries of a verified block: its canonical bytes and how the source stored it. */
export function blockDocEntries(block: Block, bytes: string, layout: Layout | null, origin: string): Entry[] {
  return [
    { key: key('b', block.id), value: bytes },
    { key: key('bm', block.id), value: JSON.stringify({ layout, origin, voters: block.block.voters, timestamp: block.block.timestamp }) },
  ];
}

/** Canonical stored form of a block (`b!`): the full block, assets and metadata in place. */
export function blockBytes(block: Block): string {
  return canonicalize(block);
}

/** Canonical stored form of a vote (the whole row, its unsigned `id` included). */
export function voteBytes(vote: Vote): string {
  return canonicalize(vote);
}

/** The signed part of a vote, for deciding "same vote" regardless of the row id. */
export function voteSignedBytes(vote: Vote): string {
  return canonicalize({ node_pubkey: vote.node_pubkey, signature: vote.signature, vote: vote.vote });
}

/** Index entries of a vote: its link in the voter's chain (when previous_block is an id). */
export function voteIndexEntries(vote: Vote): Entry[] {
  if (!isHexId(vote.vote.previous_block) || !SAFE.test(vote.node_pubkey)) return [];
  return [{ key: key('ch', vote.node_pubkey, vote.vote.previous_block, vote.vote.voting_for_block), value: '' }];
}

/** True when a voter key can be used as a key part (base58 keys always can). */
export function safeKeyPart(s: string): boolean {
  return SAFE.test(s);
}
