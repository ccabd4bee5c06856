/**
 * The shapes of the HTTP API source (sources/http.ts) and its selection walkers
 * (sources/http-walk.ts), in a file of their own so that neither imports the other's types.
 */
import type { JsonValue } from '../model/json.js';
import type { RawDoc } from '../model/documents.js';

/** Options shared by the walkers. */
export interface WalkOptions {
  /** Block ids already delivered; pass one set to several walkers to dedupe a whole pull. */
  seen?: Set<string>;
  /** Called for everything that could not be followed (also collected in the report). */
  onMissing?: (m: MissingRef) => void;
  /** Blocks fetched side by side (the client's maxInFlight bounds requests anyway). Default 4. */
  concurrency?: number;
}

/** Something a walk could not reach. */
export interface MissingRef {
  /** block: 404 on a named block; tx: no block holds it; asset: no valid transaction;
   * spender: an output is spent but no valid transaction spending it was found. */
  kind: 'block' | 'tx' | 'asset' | 'spender';
  /** The block, transaction or asset id, or `txid:index` for a spender. */
  id: string;
  reason: string;
}

/** What a walk did; the return value of every walker generator. */
export interface WalkReport {
  blocks: number;
  votes: number;
  missing: MissingRef[];
  /** walkPrevious only: block ids not followed because `maxBlocks` was reached. */
  pending: string[];
}

/** What `GET /` says about the node: information only, never a trust anchor. */
export interface NodeInfo {
  version: string;
  publicKey: string | null;
  keyring: string[];
  /** The whole parsed answer. */
  raw: JsonValue;
}

/** A link to one output, normalised from either API generation. */
export interface OutputLink { transaction_id: string; output_index: number }

/** Block status filter of `/api/v1/blocks` (case-insensitive on the server from v1.0). */
export type BlockStatusFilter = 'valid' | 'invalid' | 'undecided';

/** The source returned by {@link openHttpSource}. All methods may throw LEDGER_SOURCE / LEDGER_ABORTED. */
export interface HttpSource {
  readonly url: string;
  /** `GET /`, cached. */
  nodeInfo(): Promise<NodeInfo>;
  /**
   * True for v0.9/0.10 naming (`tx_id`, link strings). Detected from {@link nodeInfo} unless given.
   * @throws LedgerError LEDGER_SOURCE for BigchainDB 2.x and later (Tendermint, no votes)
   */
  legacyNaming(): Promise<boolean>;
  /** Ids of every block holding the transaction (any status unless filtered); `[]` when none. */
  blockIdsForTx(txId: string, status?: BlockStatusFilter): Promise<string[]>;
  /** The block, or null on 404. */
  block(id: string): Promise<RawDoc | null>;
  /** Votes on a block (the RethinkDB `id` is not part of the answer); origin is the URL plus `#<index>`. */
  votes(blockId: string): Promise<RawDoc[]>;
  /** A transaction the node considers valid (v0.9/0.10: also undecided), or null on 404. */
  transaction(txId: string): Promise<RawDoc | null>;
  /**
   * Outputs the key appears in, in transactions of blocks the node does not hold invalid.
   * `spent: true` → only spent ones, `false` → only unspent ones, omitted → all.
   */
  outputs(publicKey: string, opts?: { spent?: boolean }): Promise<OutputLink[]>;
  /** Valid transactions of an asset (its CREATE and the TRANSFERs), optionally by operation. */
  transactionsByAsset(assetId: string, operation?: 'CREATE' | 'TRANSFER'): Promise<RawDoc[]>;
  /** Every block holding one of the transactions, each followed by its votes. */
  blocksForTxs(ids: Iterable<string>, opts?: WalkOptions): AsyncGenerator<RawDoc, WalkReport>;
  /** Blocks reachable from the keys' outputs (and the valid transactions spending them). */
  blocksForOwners(keys: Iterable<string>, opts?: WalkOptions): AsyncGenerator<RawDoc, WalkReport>;
  /** Blocks holding the valid transactions of the assets. */
  blocksForAssets(ids: Iterable<string>, opts?: WalkOptions): AsyncGenerator<RawDoc, WalkReport>;
  /** Fill gaps: walk votes' `previous_block` back from `startIds` until `has(id)` or 404. */
  walkPrevious(startIds: Iterable<string>, has: (id: string) => boolean | Promise<boolean>,
    opts?: WalkOptions & { maxBlocks?: number }): AsyncGenerator<RawDoc, WalkReport>;
}
