/**
 * Crypto-conditions draft 01, as the Python `cryptoconditions` 0.5.0 package wrote
 * them for BigchainDB ≤ 0.10 (reference §5.2, §5.3): fulfillments `cf:<type hex>:
 * <base64url payload>`, conditions `cc:<type hex>:<bitmask hex>:<base64url hash>:
 * <max fulfillment length>`. Supported: ed25519 (type 4) and threshold-sha-256
 * (type 2, weighted, subconditions of those two types). Every function returns a
 * value or a {@link CcError}; none throws on bad input.
 */
import { sha256 } from './hash.js';
import { verifyEd25519, type Ed25519Backend } from './ed25519.js';
import { compareBytes } from './der.js';
import { b64urlDecode, b64urlEncode, type CcError } from './cc-common.js';

/** A draft-01 Ed25519 fulfillment: the condition hash is the public key itself. */
export interface Ed25519Ff01 { draft: 1; type: 'ed25519-sha-256'; publicKey: Uint8Array; signature: Uint8Array }
/** A draft-01 condition in binary form. */
export interface Condition01 { typeId: number; bitmask: number; hash: Uint8Array; maxLength: number }
/** One weighted entry of a draft-01 threshold: a fulfillment or a bare condition. */
export interface ThresholdEntry01 { weight: number; fulfillment?: Fulfillment01; condition?: Condition01 }
/** A draft-01 threshold fulfillment. */
export interface ThresholdFf01 { draft: 1; type: 'threshold-sha-256'; threshold: number; subs: ThresholdEntry01[] }
/** Any draft-01 fulfillment this module understands. */
export type Fulfillment01 = Ed25519Ff01 | ThresholdFf01;

const FULFILLMENT_RE = /^cf:([1-9a-f][0-9a-f]{0,3}|0):([a-zA-Z0-9_-]*)$/;
const ED_BITMASK = 0x20;
const THRESHOLD_BITMASK = 0x09;
const MAX_DEPTH = 32;

/** Minimal big-endian bytes of a non-negative integer (at least one byte). */
function uintBytes(v: number): number[] {
  const out: number[] = [];
  for (let x = v; x > 0; x = Math.floor(x / 256)) out.unshift(x % 256);
  return out.length === 0 ? [0] : out;
}
function varOctets(b: Uint8Array | number[]): number[] {
  const len = b.length;
  const prefix = len <= 127 ? [len] : [0x80 | uintBytes(len).length, ...uintBytes(len)];
  return [...prefix, ...b];
}
const varUint = (v: number): number[] => varOctets(uintBytes(v));
const uint = (v: number, n: number): number[] => { const b = uintBytes(v); return [...new Array<number>(n - b.length).fill(0), ...b]; };

/** Reader over the OER-like binary format; every read returns null past the end. */
class Reader {
  private i = 0;
  constructor(private readonly b: Uint8Array) {}
  get done(): boolean { return this.i === this.b.length; }
  bytes(n: number): Uint8Array | null {
    if (this.i + n > this.b.length) return null;
    const out = this.b.subarray(this.i, this.i + n);
    this.i += n;
    return out;
  }
  varOctets(): Uint8Array | null {
    const first = this.bytes(1);
    if (first === null) return null;
    let len = first[0]!;
    if (len > 127) {
      const lb = this.bytes(len & 0x7f);
      if (lb === null || lb.length > 3) return null;
      len = 0;
      for (const x of lb) len = len * 256 + x;
    }
    return this.bytes(len);
  }
  uint(n: number): number | null {
    const b = this.bytes(n);
    return b === null ? null : b.reduce((a, x) => a * 256 + x, 0);
  }
  varUint(): number | null {
    const b = this.varOctets();
    if (b === null || b.length === 0 || b.length > 6) return null;
    return b.reduce((a, x) => a * 256 + x, 0);
  }
}

/** Parse a `cf:` URI. */
export function parseFulfillment01(uri: string): Fulfillment01 | CcError {
  const m = FULFILLMENT_RE.exec(uri);
  if (m === null) return { error: 'not a draft-01 fulfillment URI' };
  const payload = b64urlDecode(m[2]!);
  if (payload === null) return { error: 'bad base64url payload' };
  return parsePayload(parseInt(m[1]!, 16), payload, 0);
}

function parsePayload(typeId: number, p: Uint8Array, depth: number): Fulfillment01 | CcError {
  if (typeId === 4) {
    if (p.length !== 96) return { error: `ed25519 payload of ${p.length} bytes, expected 96` };
    return { draft: 1, type: 'ed25519-sha-256', publicKey: p.subarray(0, 32), signature: p.subarray(32) };
  }
  if (typeId !== 2) return { error: `condition type ${typeId} is not supported`, unsupported: true };
  if (depth >= MAX_DEPTH) return { error: 'threshold nested too deeply' };
  const r = new Reader(p);
  const threshold = r.varUint();
  const count = r.varUint();
  if (threshold === null || count === null) return { error: 'truncated threshold payload' };
  const subs: ThresholdEntry01[] = [];
  for (let i = 0; i < count; i++) {
    const weight = r.varUint();
    const ff = r.varOctets();
    const cond = r.varOctets();
    if (weight === null || ff === null || cond === null) return { error: 'truncated threshold entry' };
    if ((ff.length > 0) === (cond.length > 0)) return { error: 'threshold entry needs exactly one of fulfillment and condition' };
    if (ff.length > 0) {
      const fr = new Reader(ff);
      const t = fr.uint(2);
      const body = fr.varOctets();
      if (t === null || body === null || !fr.done) return { error: 'bad subfulfillment' };
      const sub = parsePayload(t, body, depth + 1);
      if ('error' in sub) return sub;
      subs.push({ weight, fulfillment: sub });
    } else {
      const cr = new Reader(cond);
      const typeId2 = cr.uint(2), bitmask = cr.varUint(), hash = cr.varOctets(), maxLength = cr.varUint();
      if (typeId2 === null || bitmask === null || hash === null || maxLength === null || !cr.done) return { error: 'bad subcondition' };
      subs.push({ weight, condition: { typeId: typeId2, bitmask, hash, maxLength } });
    }
  }
  if (!r.done) return { error: 'trailing bytes in threshold payload' };
  return { draft: 1, type: 'threshold-sha-256', threshold, subs };
}

/** The condition a draft-01 fulfillment fulfills. */
export function condition01(f: Fulfillment01): Condition01 | CcError {
  if (f.type === 'ed25519-sha-256') return { typeId: 4, bitmask: ED_BITMASK, hash: f.publicKey, maxLength: 96 };
  return thresholdCondition01(f.threshold, f.subs);
}

function conditionBinary01(c: Condition01): number[] {
  return [...uint(c.typeId, 2), ...varUint(c.bitmask), ...varOctets(c.hash), ...varUint(c.maxLength)];
}

/** Predicted length of a var-octet string of `n` bytes (cryptoconditions' Predictor). */
const varOctetsSize = (n: number): number => 1 + (n > 127 ? uintBytes(n).length : 0) + n;

/** Threshold condition, following ThresholdSha256Fulfillment 0.5.0 byte for byte. */
export function thresholdCondition01(threshold: number, subs: ThresholdEntry01[]): Condition01 | CcError {
  if (subs.length === 0) return { error: 'threshold without subconditions' };
  const conds: Condition01[] = [];
  for (const s of subs) {
    const c = s.fulfillment !== undefined ? condition01(s.fulfillment) : s.condition!;
    if ('error' in c) return c;
    conds.push(c);
  }
  // hash = SHA-256(uint32 threshold ‖ varuint count ‖ sorted(varuint weight ‖ condition binary))
  const entries = subs.map((s, i) => Uint8Array.from([...varUint(s.weight), ...conditionBinary01(conds[i]!)]));
  entries.sort((a, b) => a.length - b.length || compareBytes(a, b));
  const pre: number[] = [...uint(threshold, 4), ...varUint(subs.length)];
  for (const e of entries) pre.push(...e);
  let bitmask = THRESHOLD_BITMASK;
  for (const c of conds) bitmask |= c.bitmask;
  // max fulfillment length: the library's worst case over weighted subsets
  let totalCondLen = 0;
  const sized = subs.map((s, i) => {
    const condLen = conditionBinary01(conds[i]!).length;
    totalCondLen += condLen;
    return { weight: s.weight, size: 2 + varOctetsSize(conds[i]!.maxLength) - condLen };
  }).sort((a, b) => a.weight - b.weight);
  const worst = worstCase(threshold, sized, 0);
  if (worst === -Infinity) return { error: 'subconditions cannot meet the threshold' };
  let size = 4 + varOctetsSize(uintBytes(subs.length).length) + totalCondLen + worst;
  for (const s of subs) size += 1 + (s.weight !== 1 ? varOctetsSize(uintBytes(s.weight).length) : 0);
  return { typeId: 2, bitmask, hash: sha256(Uint8Array.from(pre)), maxLength: size };
}

function worstCase(threshold: number, subs: { weight: number; size: number }[], i: number): number {
  if (threshold <= 0) return 0;
  if (i >= subs.length) return -Infinity;
  const s = subs[i]!;
  return Math.max(s.size + worstCase(threshold - s.weight, subs, i + 1), worstCase(threshold, subs, i + 1));
}

/** `cc:` URI of a draft-01 condition. */
export function conditionUri01(c: Condition01): string {
  return `cc:${c.typeId.toString(16)}:${c.bitmask.toString(16)}:${b64urlEncode(c.hash)}:${c.maxLength}`;
}

/** Validate as 0.5.0 does: ed25519 signature; threshold: weight of valid subfulfillments ≥ threshold. */
export function validate01(f: Fulfillment01, message: Uint8Array, backend?: Ed25519Backend): boolean {
  if (f.type === 'ed25519-sha-256') return verifyEd25519(f.publicKey, message, f.signature, backend);
  let weight = 0;
  for (const s of f.subs) {
    if (s.fulfillment !== undefined && validate01(s.fulfillment, message, backend)) weight += s.weight;
  }
  return weight >= f.threshold;
}

/** Every Ed25519 public key that signs inside a draft-01 fulfillment. */
export function publicKeys01(f: Fulfillment01): Uint8Array[] {
  if (f.type === 'ed25519-sha-256') return [f.publicKey];
  return f.subs.flatMap((s) => (s.fulfillment !== undefined ? publicKeys01(s.fulfillment) : []));
}

/** Serialize a draft-01 fulfillment as a `cf:` URI (fixtures and tests). */
export function serializeFulfillment01(f: Fulfillment01): string {
  return `cf:${f.type === 'ed25519-sha-256' ? 4 : 2}:${b64urlEncode(payload01(f))}`;
}

function payload01(f: Fulfillment01): Uint8Array {
  if (f.type === 'ed25519-sha-256') return Uint8Array.from([...f.publicKey, ...f.signature]);
  const entries = f.subs.map((s) => {
    const ff = s.fulfillment !== undefined
      ? [...uint(s.fulfillment.type === 'ed25519-sha-256' ? 4 : 2, 2), ...varOctets(payload01(s.fulfillment))] : [];
    const cond = s.condition !== undefined ? conditionBinary01(s.condition) : [];
    return Uint8Array.from([...varUint(s.weight), ...varOctets(ff), ...varOctets(cond)]);
  });
  entries.sort((a, b) => a.length - b.length || compareBytes(a, b));
  const out: number[] = [...varUint(f.threshold), ...varUint(f.subs.length)];
  for (const e of entries) out.push(...e);
  return Uint8Array.from(out);
}

/**
 * The condition described by a draft-01 `condition.details` object, as
 * `Fulfillment.from_dict` (0.5.0) reads it: `type_id` 4 with a base58
 * `public_key`, or `type_id` 2 with `threshold` and weighted `subfulfillments`
 * (entries of `type` "fulfillment", or "condition" with a base58 `hash`).
 */
export function condition01FromDetails(d: unknown, decodeKey: (s: unknown) => Uint8Array | null,
  depth = 0): Condition01 | CcError {
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return { error: 'details is not an object' };
  const o = d as Record<string, unknown>;
  if (o.type === 'condition') {
    const hash = decodeKey(o.hash);
    if (!isUint(o.type_id) || !isUint(o.bitmask) || hash === null || !isUint(o.max_fulfillment_length)) {
      return { error: 'bad condition entry in details' };
    }
    return { typeId: o.type_id, bitmask: o.bitmask, hash, maxLength: o.max_fulfillment_length };
  }
  if (o.type_id === 4) {
    const pk = decodeKey(o.public_key);
    return pk === null ? { error: 'details.public_key is not a base58 Ed25519 key' } : condition01({ draft: 1, type: 'ed25519-sha-256', publicKey: pk, signature: new Uint8Array(64) });
  }
  if (o.type_id !== 2) return { error: `details.type_id ${String(o.type_id)} is not supported`, unsupported: true };
  if (depth >= MAX_DEPTH) return { error: 'threshold nested too deeply' };
  if (!isUint(o.threshold) || o.threshold < 1 || !Array.isArray(o.subfulfillments)) return { error: 'bad threshold details' };
  const subs: ThresholdEntry01[] = [];
  for (const s of o.subfulfillments as unknown[]) {
    const w = (s as Record<string, unknown> | null)?.weight;
    if (!isUint(w) || w < 1) return { error: 'bad weight in threshold details' };
    const c = condition01FromDetails(s, decodeKey, depth + 1);
    if ('error' in c) return c;
    subs.push({ weight: w, condition: c });
  }
  return thresholdCondition01(o.threshold, subs);
}

function isUint(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}
