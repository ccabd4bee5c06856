/**
 * Signed ledger documents made from scratch (reference ledger-format.md §2, §3, §5.1): keys
 * from seeds, v1.0 CREATE/TRANSFER/GENESIS transactions with ed25519-sha-256 (crypto-conditions
 * draft 02) fulfillments, blocks and votes. Written from the spec, independently of
 * src/verify, so the two cross-check each other; given the keys BigchainDB's docs publish it
 * reproduces fixtures/vectors/reference/derived-chain-v1.0.json byte for byte.
 * Test/fixture code: it signs, so it must never ship in dist/src.
 */
import { createHash } from 'node:crypto';
import { canonicalBytes } from '../../src/model/canonical.js';
import { computeTxId } from '../../src/model/tx-id.js';
import { hashHex, type HashName } from '../../src/crypto/hash.js';
import { decodeBase58, encodeBase58 } from '../../src/crypto/base58.js';
import { keyPairFromSeed, signEd25519 } from '../../src/crypto/ed25519.js';
import type { JsonValue } from '../../src/model/json.js';
import type { Block, Transaction, Vote } from '../../src/model/types.js';

/** An Ed25519 key pair in BigchainDB's notation (base58 public key and base58 32-byte seed). */
export interface KeyPair {
  publicKey: string;
  privateKey: string;
  /** The 64-byte libsodium/tweetnacl secret key used to sign. */
  secretKey: Uint8Array;
}

/** A key pair from a 32-byte seed. */
export function keyFromSeedBytes(seed: Uint8Array): KeyPair {
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed has 32 bytes');
  const kp = keyPairFromSeed(seed);
  return { publicKey: encodeBase58(kp.publicKey), privateKey: encodeBase58(seed), secretKey: kp.secretKey };
}

/** A key pair from a BigchainDB private key (base58 of the 32-byte seed), e.g. the docs' published keys. */
export function keyFromPrivateKey(privateKey: string): KeyPair {
  const seed = decodeBase58(privateKey, 32);
  if (seed === null) throw new RangeError(`not a base58 32-byte private key: ${privateKey}`);
  return keyFromSeedBytes(seed);
}

/** A key pair derived from any label (seed = SHA-256 of the label): same label, same key. */
export function keyFromLabel(label: string): KeyPair {
  return keyFromSeedBytes(createHash('sha256').update(`ledger-archive/key/${label}`).digest());
}

const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

/** The `details` of an ed25519-sha-256 condition. */
export function conditionDetails(publicKey: string): { public_key: string; type: string } {
  return { public_key: publicKey, type: 'ed25519-sha-256' };
}

/**
 * Condition URI of an ed25519-sha-256 condition (draft 02): the fingerprint is SHA-256 of the
 * DER of the fingerprint contents `30 22 80 20 <pubkey>`; the cost is fixed at 131072.
 */
export function conditionUri(publicKey: string): string {
  const pk = decodeBase58(publicKey, 32);
  if (pk === null) throw new RangeError(`not a base58 public key: ${publicKey}`);
  const der = Buffer.concat([Buffer.from([0x30, 0x22, 0x80, 0x20]), pk]);
  return `ni:///sha-256;${b64url(createHash('sha256').update(der).digest())}?fpt=ed25519-sha-256&cost=131072`;
}

/** Serialized fulfillment: DER `a4 64 80 20 <pubkey> 81 40 <signature>`, base64url unpadded. */
export function fulfillmentOf(publicKey: string, signature: Uint8Array): string {
  const pk = decodeBase58(publicKey, 32);
  if (pk === null || signature.length !== 64) throw new RangeError('bad key or signature length');
  return b64url(Buffer.concat([Buffer.from([0xa4, 0x64, 0x80, 0x20]), pk, Buffer.from([0x81, 0x40]), signature]));
}

/** One output to make: a single owner and a positive amount. */
export interface OutputSpec { publicKey: string; amount: bigint | number }
/** One input to make: the owner who signs, and the output it spends (null for CREATE/GENESIS). */
export interface InputSpec { owner: KeyPair; fulfills: { transaction_id: string; output_index: number } | null }

/** What {@link makeTransaction} needs. */
export interface TxSpec {
  operation: 'CREATE' | 'TRANSFER' | 'GENESIS';
  /** `{data}` for CREATE/GENESIS, `{id}` for TRANSFER. */
  asset: { data: JsonValue } | { id: string };
  metadata: JsonValue;
  inputs: InputSpec[];
  outputs: OutputSpec[];
}

/**
 * A signed v1.0 transaction (reference §5.1): id = hash(canonical(tx without id, fulfillments
 * null)); every input's fulfillment signs canonical(tx with id, fulfillments null).
 */
export function makeTransaction(spec: TxSpec, hash: HashName = 'sha3-256'): Transaction {
  const unsigned: Record<string, JsonValue> = {
    asset: spec.asset as JsonValue,
    inputs: spec.inputs.map((i) => ({ fulfillment: null, fulfills: i.fulfills, owners_before: [i.owner.publicKey] })),
    metadata: spec.metadata,
    operation: spec.operation,
    outputs: spec.outputs.map((o) => {
      const amount = BigInt(o.amount);
      if (amount < 1n || amount > 9_000_000_000_000_000_000n) throw new RangeError(`amount out of range: ${amount}`);
      return {
        amount: amount.toString(),
        condition: { details: conditionDetails(o.publicKey), uri: conditionUri(o.publicKey) },
        public_keys: [o.publicKey],
      };
    }),
    version: '1.0',
  };
  const id = computeTxId(unsigned, hash);
  const message = canonicalBytes({ ...unsigned, id });
  const inputs = spec.inputs.map((i, n) => ({
    ...(unsigned.inputs as Record<string, JsonValue>[])[n]!,
    fulfillment: fulfillmentOf(i.owner.publicKey, signEd25519(i.owner.secretKey, message)),
  }));
  return { ...unsigned, id, inputs } as Transaction;
}

/** BigchainDB's genesis transaction: the node gives itself one token, with the traditional message. */
export function makeGenesisTx(node: KeyPair, hash: HashName = 'sha3-256'): Transaction {
  return makeTransaction({
    operation: 'GENESIS', asset: { data: null }, metadata: { message: 'Hello World from the BigchainDB' },
    inputs: [{ owner: node, fulfills: null }], outputs: [{ publicKey: node.publicKey, amount: 1 }],
  }, hash);
}

/** A block signed by `node`: id = hash(canonical(block)), signature over the same bytes. */
export function makeBlock(node: KeyPair, timestamp: number | string, transactions: Transaction[],
  voters: readonly string[], hash: HashName = 'sha3-256'): Block {
  const body = { node_pubkey: node.publicKey, timestamp: String(timestamp), transactions, voters: [...voters] };
  const bytes = canonicalBytes(body);
  return { block: body, id: hashHex(hash, bytes), signature: encodeBase58(signEd25519(node.secretKey, bytes)) };
}

/** What {@link makeVote} needs. */
export interface VoteSpec {
  votingFor: string;
  previous: string;
  valid: boolean;
  invalidReason?: string | null;
  timestamp: number | string;
}

/** A vote signed by `node` over canonical(vote.vote) (reference §3); no RethinkDB `id`. */
export function makeVote(node: KeyPair, spec: VoteSpec): Vote {
  const vote = {
    invalid_reason: spec.invalidReason ?? null, is_block_valid: spec.valid, previous_block: spec.previous,
    timestamp: String(spec.timestamp), voting_for_block: spec.votingFor,
  };
  return { node_pubkey: node.publicKey, signature: encodeBase58(signEd25519(node.secretKey, canonicalBytes(vote))), vote };
}

/**
 * A deterministic RethinkDB row id for a vote: a version-4-shaped UUID from SHA-256 of its
 * signature (the server makes random ones; ours must not change between runs).
 */
export function voteRowId(vote: Vote): string {
  const h = createHash('sha256').update(`vote-row/${vote.signature}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
