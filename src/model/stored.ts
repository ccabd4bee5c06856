/**
 * Stored block layouts (SPEC.md §10, reference §6). BigchainDB 1.0+ strips `asset`
 * out of CREATE/GENESIS transactions into the `assets` table, and 1.3 also strips
 * `metadata` into the `metadata` table; a stored block only verifies once they are
 * put back. `recoupleBlock` puts them back; `stripBlock` is its inverse for rebuilds.
 */
import type { Layout } from './documents.js';
import { parseJson, type JsonValue } from './json.js';
import type { AssetRow, Block, MetadataRow, Transaction } from './types.js';

/** True when `layout` stores assets apart (1.0 and later). */
export const stripsAssets = (layout: Layout): boolean => layout === '1.0' || layout === '1.3';
/** True when `layout` stores metadata apart (1.3). */
export const stripsMetadata = (layout: Layout): boolean => layout === '1.3';

const carriesAsset = (tx: Transaction): boolean => tx.operation === 'CREATE' || tx.operation === 'GENESIS';

/** What a stored block still needs put back: tx ids of missing assets and metadata. */
export interface Needs { assets: string[]; metadata: string[] }

/** The rows a stored block needs (assets of CREATE/GENESIS txs lacking `asset`; metadata of txs lacking `metadata`). */
export function storedNeeds(block: Block): Needs {
  const needs: Needs = { assets: [], metadata: [] };
  for (const tx of block.block.transactions) {
    if (carriesAsset(tx) && !('asset' in tx)) needs.assets.push(tx.id);
    if (!('metadata' in tx) && 'version' in tx && tx.version !== 1) needs.metadata.push(tx.id);
  }
  return needs;
}

/**
 * Put assets and metadata back into a stored block. `assets` maps a tx id to the
 * asset object (the `assets` row without its `id`, i.e. `{data}`). A transaction with no
 * metadata row gets `metadata: null` (v1.3 stores only non-null metadata).
 * @returns the full block and the ids of assets that could not be found
 */
export function recoupleBlock(block: Block, assets: ReadonlyMap<string, JsonValue>,
  metadata: ReadonlyMap<string, JsonValue>): { block: Block; missingAssets: string[] } {
  const missingAssets: string[] = [];
  const transactions = block.block.transactions.map((tx) => {
    let out: Transaction = tx;
    if (carriesAsset(tx) && !('asset' in tx)) {
      if (assets.has(tx.id)) out = { ...out, asset: assets.get(tx.id)! };
      else missingAssets.push(tx.id);
    }
    if (!('metadata' in tx) && tx.version !== 1) out = { ...out, metadata: metadata.get(tx.id) ?? null };
    return out;
  });
  return { block: { ...block, block: { ...block.block, transactions } }, missingAssets };
}

/**
 * What a staged row's text puts back into its transaction: the `assets` row without its
 * `id` (`{data}`), or the `metadata` row's `metadata` value.
 * @throws SyntaxError/LimitError when the text is not JSON (rows are staged canonical)
 */
export function rowValue(kind: 'asset' | 'metadata', text: string): JsonValue {
  if (kind === 'metadata') return (parseJson(text) as { metadata: JsonValue }).metadata;
  const { id: _id, ...asset } = parseJson(text) as Record<string, JsonValue>;
  return asset;
}

/** Strip a full block into the stored form of `layout`, with the rows to write beside it. */
export function stripBlock(block: Block, layout: Layout): { block: Block; assets: AssetRow[]; metadata: MetadataRow[] } {
  const assets: AssetRow[] = [];
  const metadata: MetadataRow[] = [];
  const transactions = block.block.transactions.map((tx) => {
    const out: Transaction = { ...tx };
    if (stripsAssets(layout) && carriesAsset(tx) && 'asset' in tx) {
      const asset = (tx.asset ?? {}) as Record<string, JsonValue>;
      assets.push({ ...asset, id: tx.id } as AssetRow);
      delete out.asset;
    }
    if (stripsMetadata(layout) && 'metadata' in tx) {
      // BigchainDB 1.3 skips null and {} ({} is falsy in its Python); we keep a row for {}
      // so the block verifies after a round trip (SPEC §10.2).
      if (tx.metadata !== null) metadata.push({ id: tx.id, metadata: tx.metadata as JsonValue });
      delete out.metadata;
    }
    return out;
  });
  return { block: { ...block, block: { ...block.block, transactions } }, assets, metadata };
}
