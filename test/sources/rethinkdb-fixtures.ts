/**
 * Small synthetic BigchainDB-shaped RethinkDB contents for the RethinkDB source
 * tests: blocks, votes, assets and metadata rows per layout. Not signed and ids
 * are not content hashes — these tests exercise queries, not verification.
 */
import type { Layout } from '../../src/model/documents.js';

/** One synthetic database's rows per table. */
export interface SyntheticDb {
  bigchain: Record<string, unknown>[];
  votes: Record<string, unknown>[];
  assets: Record<string, unknown>[];
  metadata: Record<string, unknown>[];
  /** tx id → block id, owner key → block ids, asset id → block ids (the expected answers). */
  blockOfTx: Map<string, string>;
  blocksOfOwner: Map<string, Set<string>>;
  blocksOfAsset: Map<string, Set<string>>;
}

const hex = (prefix: string, n: number): string => `${prefix}${n.toString(16).padStart(8, '0')}`.padEnd(64, '0');

/**
 * Build `nBlocks` blocks; block i holds a CREATE of asset i and, for i > 0, a
 * TRANSFER of asset i-1 to key `owner-(i % owners)`. Two blocks share each timestamp.
 */
export function syntheticDb(layout: Layout, nBlocks: number, owners = 7): SyntheticDb {
  const v1 = layout === '1.0' || layout === '1.3';
  const link = (tx: string, out: number) => (v1 ? { transaction_id: tx, output_index: out } : { txid: tx, output: out });
  const out: SyntheticDb = { bigchain: [], votes: [], assets: [], metadata: [], blockOfTx: new Map(), blocksOfOwner: new Map(), blocksOfAsset: new Map() };
  const add = (m: Map<string, Set<string>>, k: string, v: string) => { (m.get(k) ?? m.set(k, new Set()).get(k))?.add(v); };
  let prev = hex('b', 0);
  for (let i = 0; i < nBlocks; i++) {
    const blockId = hex('b', i);
    const createId = hex('c', i);
    const owner = `owner-${i % owners}`;
    const create: Record<string, unknown> = {
      id: createId, version: v1 ? '1.0' : layout, operation: 'CREATE',
      inputs: [{ owners_before: ['creator'], fulfillment: 'x', fulfills: null }],
      outputs: [{ public_keys: [owner, 'creator'], amount: v1 ? '1' : 1, condition: {} }],
    };
    if (v1) out.assets.push({ id: createId, data: { n: i } }); else create.asset = { data: { n: i } };
    if (layout === '1.3') out.metadata.push({ id: createId, metadata: { i } }); else create.metadata = { i };
    const txs = [create];
    add(out.blocksOfAsset, createId, blockId);
    if (i > 0) {
      const asset = hex('c', i - 1);
      const transfer = {
        id: hex('t', i), version: v1 ? '1.0' : layout, operation: 'TRANSFER', asset: { id: asset }, metadata: null,
        inputs: [{ owners_before: ['creator'], fulfillment: 'y', fulfills: link(asset, 0) }],
        outputs: [{ public_keys: [`next-${i % owners}`], amount: v1 ? '1' : 1, condition: {} }],
      };
      txs.push(transfer);
      out.blockOfTx.set(transfer.id, blockId);
      add(out.blocksOfAsset, asset, blockId);
      add(out.blocksOfOwner, `next-${i % owners}`, blockId);
    }
    out.blockOfTx.set(createId, blockId);
    add(out.blocksOfOwner, owner, blockId);
    add(out.blocksOfOwner, 'creator', blockId);
    out.bigchain.push({
      id: blockId, signature: 'sig',
      block: { timestamp: String(1500000000 + Math.floor(i / 2)), transactions: txs, node_pubkey: 'node-a', voters: ['node-a', 'node-b'] },
    });
    for (const voter of ['node-a', 'node-b']) {
      out.votes.push({
        id: `vote-${voter}-${i}`, node_pubkey: voter, signature: 'vsig',
        vote: { voting_for_block: blockId, previous_block: prev, is_block_valid: true, invalid_reason: null, timestamp: String(1500000001 + i) },
      });
    }
    prev = blockId;
  }
  return out;
}
