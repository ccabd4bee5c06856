/**
 * Build and sign transactions of versions "1.0" and "0.9" for transaction tests:
 * single-key (ed25519) and n-of-n threshold inputs and outputs, in the shapes
 * BigchainDB's own Transaction.to_dict() writes. Test code: it signs.
 */
import { createHash } from 'node:crypto';
import { computeTxId } from '../../src/model/tx-id.js';
import { encodeBase58 } from '../../src/crypto/base58.js';
import { keyPairFromSeed, signEd25519 } from '../../src/crypto/ed25519.js';
import type { HashName } from '../../src/crypto/hash.js';
import { conditionUriFromDetails, isCcError, serializeFulfillment02, type Fulfillment02 } from '../../src/crypto/conditions.js';
import { serializeFulfillment01, type Fulfillment01 } from '../../src/crypto/conditions-01.js';
import { transactionSigningMessage } from '../../src/verify/transaction.js';

/** A signing key. */
export interface Signer { publicKey: string; pk: Uint8Array; secretKey: Uint8Array }

/** A deterministic signer from a label. */
export function signer(label: string): Signer {
  const kp = keyPairFromSeed(createHash('sha256').update(label).digest());
  return { publicKey: encodeBase58(kp.publicKey), pk: kp.publicKey, secretKey: kp.secretKey };
}

type Obj = Record<string, unknown>;
/** Flat transaction versions the builders make. */
export type FlatVersion = '1.0' | '0.9';

/** Output condition details for one key or an n-of-n threshold of keys, as the version writes them. */
export function details(keys: Signer[], version: FlatVersion, threshold = keys.length): Obj {
  if (version === '1.0') {
    const ed = (k: Signer): Obj => ({ public_key: k.publicKey, type: 'ed25519-sha-256' });
    return keys.length === 1 ? ed(keys[0]!) : { subconditions: keys.map(ed), threshold, type: 'threshold-sha-256' };
  }
  const ed = (k: Signer): Obj => ({ bitmask: 32, public_key: k.publicKey, signature: null, type: 'fulfillment', type_id: 4 });
  return keys.length === 1 ? ed(keys[0]!)
    : { bitmask: 41, subfulfillments: keys.map((k) => ({ ...ed(k), weight: 1 })), threshold, type: 'fulfillment', type_id: 2 };
}

/** An output owned by `keys` (n-of-n when several). */
export function output(keys: Signer[], amount: number, version: FlatVersion): Obj {
  const d = details(keys, version);
  const uri = conditionUriFromDetails(d, version === '1.0' ? 2 : 1);
  if (isCcError(uri)) throw new Error(uri.error);
  return { amount: version === '1.0' ? String(amount) : amount, condition: { details: d, uri }, public_keys: keys.map((k) => k.publicKey) };
}

/** What {@link unsignedTx} needs. */
export interface TxSpec {
  version: FlatVersion;
  operation?: 'CREATE' | 'TRANSFER' | 'GENESIS';
  /** Owners of each input; `fulfills` [txid, index] for a TRANSFER. */
  inputs: { owners: Signer[]; fulfills?: [string, number] }[];
  outputs: { keys: Signer[]; amount: number }[];
  metadata?: unknown;
}

/** An unsigned transaction (fulfillments null, no id). */
export function unsignedTx(spec: TxSpec): Obj {
  const op = spec.operation ?? 'CREATE';
  const v = spec.version;
  return {
    asset: op === 'TRANSFER' ? { id: spec.inputs[0]?.fulfills?.[0] ?? '0'.repeat(64) } : { data: { msg: 'tx-builders' } },
    inputs: spec.inputs.map((i) => ({
      fulfillment: null,
      fulfills: i.fulfills === undefined ? null
        : v === '1.0' ? { output_index: i.fulfills[1], transaction_id: i.fulfills[0] } : { output: i.fulfills[1], txid: i.fulfills[0] },
      owners_before: i.owners.map((k) => k.publicKey),
    })),
    metadata: spec.metadata === undefined ? null : spec.metadata,
    operation: op,
    outputs: spec.outputs.map((o) => output(o.keys, o.amount, v)),
    version: v,
  };
}

/**
 * Give `tx` its id and sign input i with `signers[i]` (one key: ed25519; several:
 * threshold of all). Works on any (even malformed) flat transaction.
 */
export function signTx(tx: Obj, signers: Signer[][], hash: HashName = 'sha3-256'): Obj {
  const inputs = (tx.inputs as Obj[]).map((i) => ({ ...i, fulfillment: null }));
  const base: Obj = { ...tx, inputs };
  delete base.id;
  const withId = { ...base, id: computeTxId(base, hash) };
  const signed = inputs.map((inp, i) => {
    const msg = transactionSigningMessage(withId, hash, i);
    return { ...inp, fulfillment: fulfillmentFor(signers[i] ?? [], msg, tx.version === '1.0' ? 2 : 1) };
  });
  return { ...withId, inputs: signed };
}

/** A fulfillment string by `keys` over `msg` in the given draft. */
export function fulfillmentFor(keys: Signer[], msg: Uint8Array, draft: 1 | 2): string {
  if (draft === 2) {
    const eds: Fulfillment02[] = keys.map((k) => ({ draft: 2, type: 'ed25519-sha-256', publicKey: k.pk, signature: signEd25519(k.secretKey, msg) }));
    return serializeFulfillment02(eds.length === 1 ? eds[0]! : { draft: 2, type: 'threshold-sha-256', subfulfillments: eds, subconditions: [] });
  }
  const eds: Fulfillment01[] = keys.map((k) => ({ draft: 1, type: 'ed25519-sha-256', publicKey: k.pk, signature: signEd25519(k.secretKey, msg) }));
  return serializeFulfillment01(eds.length === 1 ? eds[0]!
    : { draft: 1, type: 'threshold-sha-256', threshold: eds.length, subs: eds.map((f) => ({ weight: 1, fulfillment: f })) });
}

/** Recompute the id only (no re-signing), e.g. to isolate a finding from TX_ID_MISMATCH. */
export function rehash(tx: Obj, hash: HashName = 'sha3-256'): Obj {
  const { id: _id, ...rest } = tx;
  return { ...rest, id: computeTxId(rest, hash) };
}
