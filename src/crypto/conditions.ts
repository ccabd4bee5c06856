/**
 * Crypto-conditions as BigchainDB used them (reference §5). Draft 02 (the Python
 * `cryptoconditions` 0.6 package, BigchainDB 1.x): fulfillments are DER, base64url
 * without padding; conditions are `ni:///sha-256;<fingerprint>?fpt=<type>&cost=<n>`
 * plus `&subtypes=` for compound types. Draft 01 (`cf:` / `cc:`, BigchainDB ≤ 0.10)
 * lives in conditions-01.ts; {@link parseFulfillment} dispatches on the prefix.
 * Supported types: ed25519-sha-256 and threshold-sha-256 (nested); preimage,
 * prefix and rsa are reported as unsupported. Nothing here throws on bad input.
 */
import { sha256 } from './hash.js';
import { verifyEd25519, type Ed25519Backend } from './ed25519.js';
import { decodePublicKey } from './base58.js';
import {
  compareBytes, encodeBits, encodeTlv, encodeUnsigned, isDerError, readBits, readChildren, readOne, readUnsigned,
  type DerNode,
} from './der.js';
import { b64urlDecode, b64urlEncode, isCcError, type CcError } from './cc-common.js';
import {
  condition01, condition01FromDetails, conditionUri01, parseFulfillment01, publicKeys01, validate01,
  type Fulfillment01,
} from './conditions-01.js';

export { isCcError, type CcError } from './cc-common.js';

/** Type names by type id (draft 02 registry order). */
export const TYPE_NAMES = ['preimage-sha-256', 'prefix-sha-256', 'threshold-sha-256', 'rsa-sha-256', 'ed25519-sha-256'] as const;
const ED25519 = 4, THRESHOLD = 2;
const ED25519_COST = 131072;
const MAX_DEPTH = 100; // BigchainDB 1.3 refuses deeper thresholds (ThresholdTooDeep)

/** A draft-02 condition: type, SHA-256 fingerprint, cost and (compound types) subtype bits. */
export interface Condition02 { typeId: number; fingerprint: Uint8Array; cost: number; subtypes: number }
/** A draft-02 Ed25519 fulfillment. */
export interface Ed25519Ff02 { draft: 2; type: 'ed25519-sha-256'; publicKey: Uint8Array; signature: Uint8Array }
/** A draft-02 threshold fulfillment; its threshold is the number of subfulfillments (as the library parses it). */
export interface ThresholdFf02 { draft: 2; type: 'threshold-sha-256'; subfulfillments: Fulfillment02[]; subconditions: Condition02[] }
/** Any draft-02 fulfillment this module understands. */
export type Fulfillment02 = Ed25519Ff02 | ThresholdFf02;
/** A parsed fulfillment of either draft. */
export type Fulfillment = Fulfillment01 | Fulfillment02;

/**
 * Parse a fulfillment string: `cf:` → draft 01, else draft-02 base64url DER.
 * @example parseFulfillment('pGSAI...') // { draft: 2, type: 'ed25519-sha-256', publicKey, signature }
 */
export function parseFulfillment(s: unknown): Fulfillment | CcError {
  if (typeof s !== 'string') return { error: 'fulfillment is not a string' };
  if (s.startsWith('cf:')) return parseFulfillment01(s);
  const bytes = b64urlDecode(s);
  if (bytes === null) return { error: 'fulfillment is not canonical unpadded base64url' };
  const node = readOne(bytes);
  return isDerError(node) ? { error: `DER: ${node.error}` } : parseNode(node, 0);
}

function parseNode(n: DerNode, depth: number): Fulfillment02 | CcError {
  if ((n.tag & 0xe0) !== 0xa0) return { error: `fulfillment tag 0x${n.tag.toString(16)} is not a constructed [n]` };
  if (n.number !== ED25519 && n.number !== THRESHOLD) {
    return { error: `${TYPE_NAMES[n.number] ?? `type ${n.number}`} fulfillments are not supported`, unsupported: true };
  }
  const kids = readChildren(n.contents);
  if (isDerError(kids)) return { error: `DER: ${kids.error}` };
  if (n.number === ED25519) {
    if (kids.length !== 2 || kids[0]!.tag !== 0x80 || kids[1]!.tag !== 0x81) return { error: 'ed25519 fulfillment must hold [0] publicKey and [1] signature' };
    if (kids[0]!.contents.length !== 32 || kids[1]!.contents.length !== 64) return { error: 'ed25519 publicKey must be 32 bytes and signature 64' };
    return { draft: 2, type: 'ed25519-sha-256', publicKey: kids[0]!.contents, signature: kids[1]!.contents };
  }
  if (depth >= MAX_DEPTH) return { error: 'threshold nested too deeply' };
  if (kids.length !== 2 || kids[0]!.tag !== 0xa0 || kids[1]!.tag !== 0xa1) return { error: 'threshold fulfillment must hold [0] subfulfillments and [1] subconditions' };
  const ffNodes = readChildren(kids[0]!.contents);
  const condNodes = readChildren(kids[1]!.contents);
  if (isDerError(ffNodes)) return { error: `DER: ${ffNodes.error}` };
  if (isDerError(condNodes)) return { error: `DER: ${condNodes.error}` };
  const subfulfillments: Fulfillment02[] = [];
  for (const f of ffNodes) {
    const sub = parseNode(f, depth + 1);
    if (isCcError(sub)) return sub;
    subfulfillments.push(sub);
  }
  const subconditions: Condition02[] = [];
  for (const c of condNodes) {
    const sub = parseCondition(c);
    if (isCcError(sub)) return sub;
    subconditions.push(sub);
  }
  return { draft: 2, type: 'threshold-sha-256', subfulfillments, subconditions };
}

function parseCondition(n: DerNode): Condition02 | CcError {
  if ((n.tag & 0xe0) !== 0xa0 || n.number > 4) return { error: `condition tag 0x${n.tag.toString(16)} is not a known type` };
  const compound = n.number === 1 || n.number === 2;
  const kids = readChildren(n.contents);
  if (isDerError(kids)) return { error: `DER: ${kids.error}` };
  if (kids.length !== (compound ? 3 : 2) || kids[0]!.tag !== 0x80 || kids[1]!.tag !== 0x81 || (compound && kids[2]!.tag !== 0x82)) {
    return { error: 'condition must hold [0] fingerprint, [1] cost and, for compound types, [2] subtypes' };
  }
  if (kids[0]!.contents.length !== 32) return { error: 'condition fingerprint must be 32 bytes' };
  const cost = readUnsigned(kids[1]!.contents);
  if (isDerError(cost) || cost > 4294967295) return { error: 'bad condition cost' };
  const subtypes = compound ? readBits(kids[2]!.contents) : 0;
  if (isDerError(subtypes)) return { error: `DER: ${subtypes.error}` };
  return { typeId: n.number, fingerprint: kids[0]!.contents, cost, subtypes };
}

/** The draft-02 condition of an Ed25519 public key. */
export function ed25519Condition(publicKey: Uint8Array): Condition02 {
  return { typeId: ED25519, fingerprint: sha256(encodeTlv(0x30, encodeTlv(0x80, publicKey))), cost: ED25519_COST, subtypes: 0 };
}

/** DER of a condition (the element of threshold SET OFs). */
export function conditionBinary(c: Condition02): Uint8Array {
  const parts = [encodeTlv(0x80, c.fingerprint), encodeTlv(0x81, encodeUnsigned(c.cost))];
  if (c.typeId === 1 || c.typeId === 2) parts.push(encodeTlv(0x82, encodeBits(c.subtypes)));
  return encodeTlv(0xa0 | c.typeId, ...parts);
}

/**
 * A threshold condition from its threshold and subconditions, as ThresholdSha256
 * computes it: fingerprint over DER {threshold, SET OF sorted subconditions}, cost =
 * the `threshold` largest subcosts + 1024 per subcondition, subtypes = union of the
 * children's types and subtypes without threshold-sha-256 itself.
 */
export function thresholdCondition(threshold: number, subs: Condition02[]): Condition02 | CcError {
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > 65535) return { error: `threshold ${threshold} out of range` };
  if (subs.length < threshold) return { error: 'insufficient subconditions to meet the threshold' };
  const encoded = subs.map(conditionBinary).sort(compareBytes);
  const fingerprint = sha256(encodeTlv(0x30, encodeTlv(0x80, encodeUnsigned(threshold)), encodeTlv(0xa1, ...encoded)));
  const costs = subs.map((s) => s.cost).sort((a, b) => b - a);
  let cost = 1024 * subs.length;
  for (let i = 0; i < threshold; i++) cost += costs[i]!;
  let subtypes = 0;
  for (const s of subs) subtypes |= s.subtypes | (1 << s.typeId);
  return { typeId: THRESHOLD, fingerprint, cost, subtypes: subtypes & ~(1 << THRESHOLD) };
}

/** `ni:` URI of a draft-02 condition, subtypes sorted by name as the library writes them. */
export function conditionUri02(c: Condition02): string {
  let uri = `ni:///sha-256;${b64urlEncode(c.fingerprint)}?fpt=${TYPE_NAMES[c.typeId] ?? 'unknown'}&cost=${c.cost}`;
  if (c.typeId === 1 || c.typeId === 2) {
    const names = TYPE_NAMES.filter((_n, i) => (c.subtypes & (1 << i)) !== 0).sort();
    uri += `&subtypes=${names.join(',')}`;
  }
  return uri;
}

/** The condition a draft-02 fulfillment fulfills. */
export function condition02(f: Fulfillment02): Condition02 | CcError {
  if (f.type === 'ed25519-sha-256') return ed25519Condition(f.publicKey);
  const subs: Condition02[] = [...f.subconditions];
  for (const s of f.subfulfillments) {
    const c = condition02(s);
    if (isCcError(c)) return c;
    subs.push(c);
  }
  return thresholdCondition(f.subfulfillments.length, subs);
}

/** The condition URI a parsed fulfillment (either draft) fulfills. */
export function fulfillmentConditionUri(f: Fulfillment): string | CcError {
  if (f.draft === 1) {
    const c = condition01(f);
    return isCcError(c) ? c : conditionUri01(c);
  }
  const c = condition02(f);
  return isCcError(c) ? c : conditionUri02(c);
}

/**
 * Validate a parsed fulfillment against a message. Draft 02 threshold: every
 * subfulfillment must verify (the library treats their count as the threshold);
 * draft 01 threshold: the weights of the verifying subfulfillments reach the threshold.
 */
export function validateFulfillment(f: Fulfillment, message: Uint8Array, backend?: Ed25519Backend): boolean {
  if (f.draft === 1) return validate01(f, message, backend);
  if (f.type === 'ed25519-sha-256') return verifyEd25519(f.publicKey, message, f.signature, backend);
  return f.subfulfillments.length >= 1 && f.subfulfillments.every((s) => validateFulfillment(s, message, backend));
}

/** Every Ed25519 public key that signs inside a fulfillment. */
export function fulfillmentPublicKeys(f: Fulfillment): Uint8Array[] {
  if (f.draft === 1) return publicKeys01(f);
  if (f.type === 'ed25519-sha-256') return [f.publicKey];
  return f.subfulfillments.flatMap(fulfillmentPublicKeys);
}

/** Serialize a draft-02 fulfillment (fixtures and tests); SET OF elements in DER order. */
export function serializeFulfillment02(f: Fulfillment02): string {
  return b64urlEncode(fulfillmentBinary(f));
}

function fulfillmentBinary(f: Fulfillment02): Uint8Array {
  if (f.type === 'ed25519-sha-256') return encodeTlv(0xa4, encodeTlv(0x80, f.publicKey), encodeTlv(0x81, f.signature));
  const ffs = f.subfulfillments.map(fulfillmentBinary).sort(compareBytes);
  const conds = f.subconditions.map(conditionBinary).sort(compareBytes);
  return encodeTlv(0xa2, encodeTlv(0xa0, ...ffs), encodeTlv(0xa1, ...conds));
}

/**
 * The condition URI an output's `condition.details` describes.
 * Draft 02 (v1.0): `{type: 'ed25519-sha-256', public_key}` or
 * `{type: 'threshold-sha-256', threshold, subconditions: [details...]}`.
 * Draft 01 (v0.9, v0.10, version 1): cryptoconditions 0.5 `to_dict()` form.
 */
export function conditionUriFromDetails(details: unknown, draft: 1 | 2): string | CcError {
  if (draft === 1) {
    const c = condition01FromDetails(details, decodePublicKey);
    return isCcError(c) ? c : conditionUri01(c);
  }
  const o = details as Record<string, unknown> | null;
  // A single-key output, the common case: its URI is cached by the base58 text.
  const single = typeof o === 'object' && o !== null && o.type === 'ed25519-sha-256' && typeof o.public_key === 'string';
  const known = single ? keyUris.get(o.public_key as string) : undefined;
  if (known !== undefined) return known;
  const c = condition02FromDetails(details, 0);
  if (isCcError(c)) return c;
  const uri = conditionUri02(c);
  if (single) {
    if (keyUris.size >= 4096) keyUris.clear();
    keyUris.set(o.public_key as string, uri);
  }
  return uri;
}

const keyConditions = new Map<string, Condition02>();
const keyUris = new Map<string, string>();

function condition02FromDetails(d: unknown, depth: number): Condition02 | CcError {
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return { error: 'details is not an object' };
  const o = d as Record<string, unknown>;
  if (o.type === 'ed25519-sha-256') {
    // Owners repeat across a ledger: cache by the base58 text (saves a decode and a SHA-256 per output).
    const cached = typeof o.public_key === 'string' ? keyConditions.get(o.public_key) : undefined;
    if (cached !== undefined) return cached;
    const pk = decodePublicKey(o.public_key);
    if (pk === null) return { error: 'details.public_key is not a base58 Ed25519 key' };
    const c = ed25519Condition(pk);
    if (keyConditions.size >= 4096) keyConditions.clear();
    keyConditions.set(o.public_key as string, c);
    return c;
  }
  if (o.type !== 'threshold-sha-256') return { error: `details.type ${JSON.stringify(o.type) ?? 'undefined'} is not supported`, unsupported: true };
  if (depth >= MAX_DEPTH) return { error: 'threshold nested too deeply' };
  if (typeof o.threshold !== 'number' || !Array.isArray(o.subconditions)) return { error: 'bad threshold details' };
  const subs: Condition02[] = [];
  for (const s of o.subconditions as unknown[]) {
    const c = condition02FromDetails(s, depth + 1);
    if (isCcError(c)) return c;
    subs.push(c);
  }
  return thresholdCondition(o.threshold, subs);
}

/** Condition URI of a single Ed25519 key in the given draft (fixtures and tests). */
export function ed25519ConditionUri(publicKey: Uint8Array, draft: 1 | 2): string {
  return draft === 1 ? conditionUri01({ typeId: 4, bitmask: 0x20, hash: publicKey, maxLength: 96 }) : conditionUri02(ed25519Condition(publicKey));
}
