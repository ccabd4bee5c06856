/**
 * Transaction ids and the exact bytes each input's fulfillment signs, per version,
 * as BigchainDB's common/transaction.py builds them (reference §5):
 * - "1.0" (`Transaction.inputs_valid`): every input signs canonical(tx WITH its
 *   recomputed id, every fulfillment null).
 * - "0.9"/"0.10" (`_inputs_valid` → `gen_tx`): input i signs the partial transaction
 *   `Transaction(op, asset, [input i], outputs, metadata, version).to_dict()`, i.e.
 *   inputs = [input i with fulfillment null] and that partial transaction's own id.
 * - 1 (≤ 0.8, `_fulfillments_valid`): like 0.9 on the nested `transaction` with the
 *   partial fulfillment re-numbered `fid: 0`; ≤ 0.7 also kept only condition i
 *   (`cid: 0`), so both messages are candidates there.
 * Each top-level member is canonicalized once and the messages are assembled from
 * those pieces, so a transaction costs one canonicalization however many inputs it has.
 */
// The strict preimage writer under the usual name: refuses what BigchainDB could not serialize.
import { canonicalPreimageText as canonicalize, sortKeys } from '../model/canonical.js';
import { sha3Hex } from '../crypto/hash.js';
import { hashHex, type HashName } from '../crypto/hash.js';
import type { TxVersion } from './tx-shape.js';

type Obj = Record<string, unknown>;

/** The id a transaction should have and the message(s) each input must sign. */
export interface TxMessages {
  /** hash(canonical(tx without id, fulfillments null)). */
  computedId: string;
  /** Candidate messages for input `i` (one, except for ≤ 0.7 layouts); UTF-8 bytes. */
  messagesFor(i: number): Buffer[];
}

/**
 * Serializer of values taken verbatim from the document: `JSON.stringify` when the
 * document's text was proven canonical (model/json.ts `canonicalTextOf`; then it
 * gives the canonical text natively, several times faster), else `canonicalize`, here
 * the strict preimage writer: a value BigchainDB could not serialize (lone surrogate,
 * keys equal up to a U+0000) throws instead of getting the lenient stand-in text,
 * over which anyone holding a key could otherwise sign (SPEC.md §2.1).
 * Objects built here that add keys always go through `canonicalize`.
 */
type Ser = (v: unknown) => string;
const stringify: Ser = (v) => {
  try {
    return JSON.stringify(v);
  } catch {
    return canonicalize(v); // a bigint (amounts beyond 2^53), which JSON.stringify cannot write
  }
};

/** Join canonical member texts into a canonical object. */
function assemble(parts: Map<string, string>, ser: Ser): string {
  const keys = sortKeys([...parts.keys()]);
  let s = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) s += ',';
    s += `${ser(keys[i])}:${parts.get(keys[i]!)!}`;
  }
  return `${s}}`;
}

function memberParts(o: Obj, skip: readonly string[], ser: Ser): Map<string, string> {
  const parts = new Map<string, string>();
  for (const k of Object.keys(o)) {
    if (!skip.includes(k) && o[k] !== undefined) parts.set(k, ser(o[k]));
  }
  return parts;
}

function nulled(x: unknown, ser: Ser, extra: Obj = {}): string {
  if (typeof x !== 'object' || x === null) return ser(x);
  // Spreading keeps key order only when every replaced key is already there.
  const inPlace = ser === stringify && 'fulfillment' in x && Object.keys(extra).every((k) => k in x);
  return (inPlace ? ser : canonicalize)({ ...(x as Obj), ...extra, fulfillment: null });
}

/** Id of `parts` and the signed text: the same object with `"id":<id>` added. */
function idAndMessage(parts: Map<string, string>, hash: HashName, ser: Ser): { id: string; message: () => Buffer } {
  // One pass builds both texts: the id preimage, and the message split around where `"id"` sorts.
  const keys = sortKeys([...parts.keys(), 'id']);
  let before = '{', after = '';
  let seenId = false;
  for (const k of keys) {
    if (k === 'id') { seenId = true; continue; }
    const member = `${ser(k)}:${parts.get(k)!}`;
    if (seenId) after += `,${member}`;
    else before += before === '{' ? member : `,${member}`;
  }
  const body = before === '{' ? `{${after.slice(1)}}` : `${before}${after}}`;
  const id = hash === 'sha3-256' ? sha3Hex(body) : hashHex(hash, Buffer.from(body, 'utf8'));
  // Built on demand: the id alone is all a partial (per-input) preimage is hashed for.
  return { id, message: () => Buffer.from(`${before}${before === '{' ? '' : ','}"id":"${id}"${after}}`, 'utf8') };
}

/**
 * Build the id and signing messages of a shape-checked transaction.
 * @param canonicalSource true only when `tx` is (part of) a document whose text
 *   parseJson proved canonical and that has not been changed since
 * @throws TypeError only when a member cannot be serialized (callers report TX_MALFORMED)
 */
export function txMessages(tx: Obj, version: TxVersion, hash: HashName, signedOutputs?: unknown[], canonicalSource = false): TxMessages {
  const ser = canonicalSource ? stringify : canonicalize;
  return version === 1 ? nestedMessages(tx, hash, ser, signedOutputs) : flatMessages(tx, version, hash, ser, signedOutputs);
}

/*
 * `signedOutputs` replaces the outputs (version 1: conditions) in the signed messages
 * only: BigchainDB verifies against `Transaction.to_dict()`, which rebuilds each
 * output's `uri` from its details, so a changed uri alone breaks the id but not the
 * signatures. The id check itself (validate_id) hashes the document as given.
 */
function flatMessages(tx: Obj, version: '1.0' | '0.9' | '0.10', hash: HashName, ser: Ser, signedOutputs?: unknown[]): TxMessages {
  const parts = memberParts(tx, ['id', 'inputs'], ser);
  const inputs = Array.isArray(tx.inputs) ? tx.inputs.map((x) => nulled(x, ser)) : [];
  const whole = idAndMessage(new Map(parts).set('inputs', `[${inputs.join(',')}]`), hash, ser);
  const computedId = whole.id;
  if (signedOutputs !== undefined) parts.set('outputs', canonicalize(signedOutputs));
  if (version === '1.0') {
    // The same message for every input, built once on first use; it is the id
    // preimage's own text with the id put in, unless the signed outputs differ.
    const build = signedOutputs === undefined ? whole.message
      : (): Buffer => idAndMessage(new Map(parts).set('inputs', `[${inputs.join(',')}]`), hash, ser).message();
    let message: Buffer | undefined;
    return { computedId, messagesFor: () => [message ??= build()] };
  }
  return {
    computedId,
    messagesFor: (i) => [idAndMessage(new Map(parts).set('inputs', `[${inputs[i] ?? 'null'}]`), hash, ser).message()],
  };
}

function nestedMessages(tx: Obj, hash: HashName, ser: Ser, signedConditions?: unknown[]): TxMessages {
  const top = memberParts(tx, ['id', 'transaction'], ser);
  const t = (tx.transaction ?? {}) as Obj;
  const inner = memberParts(t, ['fulfillments'], ser);
  const ffs = Array.isArray(t.fulfillments) ? t.fulfillments : [];
  const withInner = (innerParts: Map<string, string>): Map<string, string> =>
    new Map(top).set('transaction', assemble(innerParts, ser));
  const computedId = idAndMessage(withInner(new Map(inner).set('fulfillments', `[${ffs.map((f) => nulled(f, ser)).join(',')}]`)), hash, ser).id;
  if (signedConditions !== undefined) inner.set('conditions', canonicalize(signedConditions));
  const conds = signedConditions ?? (Array.isArray(t.conditions) ? t.conditions : []);
  return {
    computedId,
    messagesFor: (i) => {
      const one = new Map(inner).set('fulfillments', `[${nulled(ffs[i], ser, { fid: 0 })}]`);
      const out = [idAndMessage(withInner(one), hash, ser).message()];
      const c = conds[i];
      if (typeof c === 'object' && c !== null && (conds.length !== 1 || (c as Obj).cid !== 0)) {
        one.set('conditions', `[${canonicalize({ ...(c as Obj), cid: 0 })}]`);
        out.push(idAndMessage(withInner(one), hash, ser).message());
      }
      return out;
    },
  };
}
