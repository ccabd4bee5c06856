/**
 * A tiny signed-ledger builder for store/ops tests and the benchmark: a federation
 * of deterministic keys, a genesis block, `blocks` blocks of one CREATE each, and
 * one vote per voter per block along a per-voter order (each vote names the voter's
 * previous block, reference §3). Every id and signature verifies.
 */
import { encodeBase58 } from '../../src/crypto/base58.js';
import { signEd25519 } from '../../src/crypto/ed25519.js';
import { canonicalBytes } from '../../src/model/canonical.js';
import { hashHex } from '../../src/crypto/hash.js';
import type { JsonValue } from '../../src/model/json.js';
import { keyFromLabel, makeTransaction, type KeyPair } from './ledger-docs.js';
import { federationFromJson, type Federation } from '../../src/model/federation.js';
import type { Block, Transaction, Vote } from '../../src/model/types.js';

/** A signer: base58 public key, key pair and a sign function. */
export interface Signer { key: string; pair: KeyPair; sign(msg: Uint8Array): string }

/** A deterministic signer from a label. */
export function signer(label: string): Signer {
  const pair = keyFromLabel(`store-ledger/${label}`);
  return { key: pair.publicKey, pair, sign: (m) => encodeBase58(signEd25519(pair.secretKey, m)) };
}

/** A built ledger. `order[v]` is voter v's block order (ids, genesis excluded). */
export interface TestLedger {
  federation: Federation;
  signers: Signer[];
  genesis: Block;
  blocks: Block[];
  votes: Vote[];
  order: string[][];
}

/** A signed CREATE (or GENESIS) transaction by `owner` (ledger-docs.ts makes it). */
export function makeTx(op: 'CREATE' | 'GENESIS', owner: KeyPair, data: JsonValue, metadata: JsonValue = null): Transaction {
  return makeTransaction({ operation: op, asset: { data }, metadata, inputs: [{ owner, fulfills: null }], outputs: [{ publicKey: owner.publicKey, amount: 1 }] });
}

/** A signed block by `creator`. */
export function makeBlock(creator: Signer, voters: string[], txs: Transaction[], timestamp: number): Block {
  const body = { timestamp: String(timestamp), transactions: txs, node_pubkey: creator.key, voters };
  const bytes = canonicalBytes(body);
  return { id: hashHex('sha3-256', bytes), block: body, signature: creator.sign(bytes) };
}

/** A signed vote. */
export function makeVote(voter: Signer, target: string, previous: string, valid = true, timestamp = 1_500_000_100): Vote {
  const body = { voting_for_block: target, previous_block: previous, is_block_valid: valid, invalid_reason: null, timestamp: String(timestamp) };
  return { node_pubkey: voter.key, vote: body, signature: voter.sign(canonicalBytes(body)) };
}

/** Deterministic pseudo-random permutation (for per-voter orders). */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Build a good ledger.
 * @param opts.voters number of federation voters (default 3)
 * @param opts.blocks blocks after genesis (default 5)
 * @param opts.shuffle voters vote in different orders (default false: block order)
 */
export function buildLedger(opts: { voters?: number; blocks?: number; shuffle?: boolean; seed?: string } = {}): TestLedger {
  const signers = Array.from({ length: opts.voters ?? 3 }, (_, i) => signer(`${opts.seed ?? 'node'}-${i}`));
  const keys = signers.map((s) => s.key);
  const federation = federationFromJson({ keys });
  const genesis = makeBlock(signers[0]!, keys, [makeTx('GENESIS', signers[0]!.pair, { genesis: true })], 1_500_000_000);
  const blocks: Block[] = [];
  for (let i = 0; i < (opts.blocks ?? 5); i++) {
    const owner = signer(`user-${i % 3}`).pair;
    blocks.push(makeBlock(signers[i % signers.length]!, keys, [makeTx('CREATE', owner, { n: i }, { note: `m${i}` })], 1_500_000_001 + i));
  }
  const ids = blocks.map((b) => b.id);
  const order = signers.map((_, v) => (opts.shuffle === true ? shuffled(ids, v + 7) : ids));
  const votes: Vote[] = [];
  signers.forEach((s, v) => {
    let prev = genesis.id;
    for (const id of order[v]!) {
      votes.push(makeVote(s, id, prev));
      prev = id;
    }
  });
  return { federation, signers, genesis, blocks, votes, order };
}
