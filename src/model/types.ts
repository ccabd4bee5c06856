/**
 * Plain types of the ledger's documents (reference §2, §3, §5). Values of these
 * types have passed shape checks (model/parse.ts) but are NOT verified.
 */
import type { JsonValue } from './json.js';

/** A transaction, any version; shape-checked only as far as blocks need (SPEC §5). */
export type Transaction = { id: string; [key: string]: JsonValue };

/** The signed body of a block (reference §2). */
export interface BlockBody {
  timestamp: string;
  transactions: Transaction[];
  node_pubkey: string;
  voters: string[];
  [key: string]: JsonValue;
}

/** A block as BigchainDB signs it (assets and metadata included). */
export interface Block {
  id: string;
  block: BlockBody;
  signature: string;
}

/** The signed body of a vote (reference §3). */
export interface VoteBody {
  voting_for_block: string;
  previous_block: string;
  is_block_valid: boolean;
  invalid_reason: string | null;
  timestamp: string;
  [key: string]: JsonValue;
}

/** A vote; `id` is RethinkDB's unsigned row UUID when the source had one. */
export interface Vote {
  id?: string;
  node_pubkey: string;
  vote: VoteBody;
  signature: string;
}

/** A row of the v1.0+ `assets` table: `{id: <CREATE tx id>, data}`. */
export interface AssetRow { id: string; data: JsonValue }

/** A row of the v1.3 `metadata` table: `{id: <tx id>, metadata}`. */
export interface MetadataRow { id: string; metadata: JsonValue }

/** Election outcome of a block (reference §4). */
export type BlockStatus = 'valid' | 'invalid' | 'undecided';
