/**
 * Transaction verification (SPEC.md §7.3, reference §5), byte-exact with
 * BigchainDB's common/transaction.py: shape (TX_MALFORMED), id (TX_ID_MISMATCH),
 * every input's fulfillment over the version's signing message
 * (TX_BAD_FULFILLMENT), output condition URIs recomputed from their details
 * (TX_CONDITION_MISMATCH); types this tool cannot verify give
 * TX_UNSUPPORTED_CONDITION, never a silent pass. Returns findings; never throws.
 */
import { finding, type Finding, type FindingCode } from '../findings.js';
import type { HashName } from '../crypto/hash.js';
import type { Ed25519Backend } from '../crypto/ed25519.js';
import { decodePublicKey, encodeBase58 } from '../crypto/base58.js';
import {
  conditionUriFromDetails, ed25519ConditionUri, fulfillmentConditionUri, fulfillmentPublicKeys, isCcError,
  parseFulfillment, validateFulfillment,
} from '../crypto/conditions.js';
import { canonicalTextOf } from '../model/json.js';
import { isObj, shapeProblems, txVersion, type TxVersion } from './tx-shape.js';
import { txMessages } from './tx-message.js';

export type { TxVersion } from './tx-shape.js';

/** What transaction checks need to know. */
export interface TxContext {
  /** The federation's id hash (Keccak-256 for ledgers started on ≤ 0.8.0). */
  hash: HashName;
  /** Ed25519 backend (default: the fastest available). */
  backend?: Ed25519Backend;
  /**
   * Condition URI of a spent output, when the caller can look it up. Given, each
   * TRANSFER input's fulfillment must fulfill it (BigchainDB's `output_valid`);
   * return undefined when unknown (then only the signature is checked).
   */
  spentConditionUri?: (txid: string, outputIndex: number) => string | undefined;
}

type Obj = Record<string, unknown>;

/**
 * Verify one transaction of any supported version.
 * @returns findings naming the transaction (`doc`) and, in `data`, the input or output index; empty when it verifies
 * @example verifyTransaction(tx, { hash: 'sha3-256' }) // [] or [{ code: 'TX_BAD_FULFILLMENT', data: { tx, input: 0 } }]
 */
export function verifyTransaction(tx: Record<string, unknown>, ctx: TxContext): Finding[] {
  return verifyTx(tx, ctx, canonicalTextOf(tx) !== undefined && JSON.stringify(tx) === canonicalTextOf(tx));
}

/**
 * {@link verifyTransaction} for a transaction inside a document whose text parseJson
 * proved canonical (model/json.ts `canonicalTextOf`) and that was checked unchanged
 * since (verify/block.ts does): its members serialize natively with JSON.stringify.
 */
export function verifyTransactionOfCanonical(tx: Record<string, unknown>, ctx: TxContext): Finding[] {
  return verifyTx(tx, ctx, true);
}

function verifyTx(tx: Record<string, unknown>, ctx: TxContext, canonicalSource: boolean): Finding[] {
  const id = isObj(tx) && typeof tx.id === 'string' ? tx.id : '(no id)';
  try {
    return check(tx, ctx, id, canonicalSource);
  } catch (err) {
    // Bad data must never escape as an exception (e.g. a value canonical JSON cannot hold).
    return [finding('TX_MALFORMED', 'tx', id, `transaction cannot be verified: ${(err as Error).message}`, { tx: id })];
  }
}

function check(tx: unknown, ctx: TxContext, id: string, canonicalSource: boolean): Finding[] {
  if (!isObj(tx)) return [finding('TX_MALFORMED', 'tx', id, 'transaction is not an object', { tx: id, field: '' })];
  const out: Finding[] = [];
  const add = (code: FindingCode, message: string, data: Obj): void => { out.push(finding(code, 'tx', id, message, { tx: id, ...data })); };
  const { version, problems } = shapeProblems(tx);
  for (const p of problems) add('TX_MALFORMED', `${p.field}: ${p.reason}`, { field: p.field });
  if (version === null) return out;
  if (problems.length > 0) {
    // Signatures and conditions of a malformed transaction would only repeat the shape problem.
    const computed = txMessages(tx, version, ctx.hash).computedId;
    if (computed !== tx.id) add('TX_ID_MISMATCH', `id is not the ${ctx.hash} of the transaction`, { computed });
    return out;
  }
  const flat = version !== 1;
  const body = (flat ? tx : tx.transaction) as Obj;
  const inputs = (flat ? body.inputs : body.fulfillments) as Obj[];
  const outputs = (flat ? body.outputs : body.conditions) as Obj[];
  const draft = version === '1.0' ? 2 : 1;
  const outputFindings: Finding[] = [];
  let rebuilt: Obj[] | undefined;
  outputs.forEach((output, j) => {
    const cond = output.condition as Obj;
    const uri = conditionUriFromDetails(cond.details, draft);
    const at = (code: FindingCode, message: string, data: Obj): void => {
      outputFindings.push(finding(code, 'tx', id, `output ${j}: ${message}`, { tx: id, output: j, ...data }));
    };
    if (isCcError(uri)) at(uri.unsupported === true ? 'TX_UNSUPPORTED_CONDITION' : 'TX_CONDITION_MISMATCH', uri.error, {});
    else if (uri !== cond.uri) {
      at('TX_CONDITION_MISMATCH', 'condition.uri does not match condition.details', { expected: uri, actual: cond.uri });
      rebuilt ??= outputs.slice();
      rebuilt[j] = { ...output, condition: { ...cond, uri } };
    }
  });
  const msgs = txMessages(tx, version, ctx.hash, rebuilt, canonicalSource);
  if (msgs.computedId !== tx.id) add('TX_ID_MISMATCH', `id is not the ${ctx.hash} of the transaction`, { computed: msgs.computedId });
  inputs.forEach((input, i) => {
    const r = checkInput(input, i, draft, body.operation === 'TRANSFER', msgs.messagesFor, ctx, version);
    if (r !== null) add(r.code, `input ${i}: ${r.reasons.join('; ')}`, { input: i, reasons: r.reasons });
  });
  return out.concat(outputFindings);
}

interface InputVerdict { code: FindingCode; reasons: string[] }

function checkInput(input: Obj, i: number, draft: 1 | 2, transfer: boolean, messagesFor: (i: number) => Buffer[],
  ctx: TxContext, version: TxVersion): InputVerdict | null {
  const f = parseFulfillment(input.fulfillment);
  if (isCcError(f)) return { code: f.unsupported === true ? 'TX_UNSUPPORTED_CONDITION' : 'TX_BAD_FULFILLMENT', reasons: [f.error] };
  if (f.draft !== draft) return { code: 'TX_BAD_FULFILLMENT', reasons: [`a draft-0${f.draft} fulfillment in a version ${String(version)} transaction`] };
  const reasons: string[] = [];
  // BigchainDB signs with the keys named in owners_before; a fulfillment signed by anyone else is not theirs.
  const owners = new Set(input.owners_before as string[]);
  for (const pk of fulfillmentPublicKeys(f)) {
    const b58 = base58Key(pk);
    if (!owners.has(b58)) reasons.push(`signed by ${b58}, which is not in owners_before`);
  }
  // Its condition matters for a spent-output check, or when it may not be computable
  // (thresholds); a draft-02 Ed25519 fulfillment always has one: skip the SHA-256.
  const spentUri = transfer ? ctx.spentConditionUri : undefined;
  const needUri = spentUri !== undefined;
  const uri = needUri || f.draft !== 2 || f.type !== 'ed25519-sha-256' ? fulfillmentConditionUri(f) : '';
  if (isCcError(uri)) reasons.push(uri.error);
  else if (spentUri !== undefined) {
    const link = (version === 1 ? input.input : input.fulfills) as Obj | null;
    const txid = link?.transaction_id ?? link?.txid;
    const index = link?.output_index ?? link?.output ?? link?.cid;
    const spent = typeof txid === 'string' && typeof index === 'number' ? spentUri(txid, index) : undefined;
    if (spent !== undefined && spent !== uri) reasons.push(`fulfills ${uri}, not the spent output's condition ${spent}`);
  }
  if (!messagesFor(i).some((m) => validateFulfillment(f, m, ctx.backend))) reasons.push('signature does not verify');
  return reasons.length === 0 ? null : { code: 'TX_BAD_FULFILLMENT', reasons };
}

// Signers repeat across a ledger; latin1 of the raw key is a cheap exact cache key.
const b58Cache = new Map<string, string>();
function base58Key(pk: Uint8Array): string {
  const k = Buffer.from(pk.buffer, pk.byteOffset, pk.length).toString('latin1');
  let v = b58Cache.get(k);
  if (v === undefined) {
    v = encodeBase58(pk);
    if (b58Cache.size >= 4096) b58Cache.clear();
    b58Cache.set(k, v);
  }
  return v;
}

/**
 * The exact bytes input `input` of `tx` must sign (fixtures and tests).
 * @throws TypeError for an unknown version or a value canonical JSON cannot hold
 */
export function transactionSigningMessage(tx: Record<string, unknown>, hash: HashName = 'sha3-256', input = 0): Buffer {
  const version = txVersion(tx);
  if (version === null) throw new TypeError(`unknown transaction version ${String(tx.version)}`);
  return txMessages(tx, version, hash).messagesFor(input)[0]!;
}

/**
 * The condition URI of an output owned by one Ed25519 key, as the given version writes it:
 * "1.0" → `ni:///sha-256;…?fpt=ed25519-sha-256&cost=131072`; older → `cc:4:20:<b64url key>:96`.
 * @throws TypeError when `publicKey` is not a 32-byte key (base58 or raw)
 */
export function conditionUriForKey(publicKey: string | Uint8Array, version: TxVersion): string {
  const pk = typeof publicKey === 'string' ? decodePublicKey(publicKey) : publicKey;
  if (pk === null || pk.length !== 32) throw new TypeError('conditionUriForKey: not a 32-byte Ed25519 public key');
  return ed25519ConditionUri(pk, version === '1.0' ? 2 : 1);
}
