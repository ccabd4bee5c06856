/**
 * A tiny, strict DER reader/writer for exactly what crypto-conditions (draft 02)
 * use: low-number tags (context-specific and universal), definite lengths in
 * minimal short or long form, and plain concatenated children (SEQUENCE / SET OF).
 * Anything else (indefinite lengths, high tag numbers, non-minimal lengths,
 * truncation, trailing bytes) is refused with a reason; nothing here throws on
 * bad input. Strictness is safe: BigchainDB stored every fulfillment as
 * re-encoded by pyasn1's DER encoder (Input.to_dict → serialize_uri).
 */

/** One decoded TLV; `contents` is a view into the input buffer. */
export interface DerNode {
  /** The whole identifier octet, e.g. 0xa4 for a constructed context-specific [4]. */
  tag: number;
  /** True when bit 6 of the identifier is set. */
  constructed: boolean;
  /** The tag number (0..30). */
  number: number;
  contents: Uint8Array;
}

/** A decode failure: where and why. */
export interface DerError { error: string }

/** True when a DER result is an error. */
export function isDerError(x: unknown): x is DerError {
  return typeof x === 'object' && x !== null && typeof (x as DerError).error === 'string';
}

// Lengths beyond this are never legitimate in a fulfillment and keep arithmetic exact.
const MAX_LENGTH_OCTETS = 3;

/** Read one TLV at `offset`; returns the node and the offset after it. */
export function readTlv(buf: Uint8Array, offset: number): { node: DerNode; next: number } | DerError {
  if (offset >= buf.length) return { error: `truncated: no tag at ${offset}` };
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) return { error: `high tag number form at ${offset}` };
  if (offset + 1 >= buf.length) return { error: `truncated: no length at ${offset + 1}` };
  const first = buf[offset + 1]!;
  let length: number;
  let pos = offset + 2;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    return { error: `indefinite length at ${offset + 1}` };
  } else {
    const n = first & 0x7f;
    if (n > MAX_LENGTH_OCTETS) return { error: `length of ${n} octets at ${offset + 1}` };
    if (pos + n > buf.length) return { error: `truncated length at ${offset + 1}` };
    if (buf[pos] === 0) return { error: `non-minimal length (leading zero) at ${offset + 1}` };
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[pos + i]!;
    if (length < 0x80) return { error: `non-minimal length (long form for ${length}) at ${offset + 1}` };
    pos += n;
  }
  if (pos + length > buf.length) return { error: `truncated: ${length} content octets declared at ${offset}` };
  return {
    node: { tag, constructed: (tag & 0x20) !== 0, number: tag & 0x1f, contents: buf.subarray(pos, pos + length) },
    next: pos + length,
  };
}

/** Read exactly one TLV that spans all of `buf`. */
export function readOne(buf: Uint8Array): DerNode | DerError {
  const r = readTlv(buf, 0);
  if (isDerError(r)) return r;
  if (r.next !== buf.length) return { error: `${buf.length - r.next} trailing octets` };
  return r.node;
}

/** Read the children of a constructed node: consecutive TLVs filling it exactly. */
export function readChildren(contents: Uint8Array): DerNode[] | DerError {
  const out: DerNode[] = [];
  let off = 0;
  while (off < contents.length) {
    const r = readTlv(contents, off);
    if (isDerError(r)) return r;
    out.push(r.node);
    off = r.next;
  }
  return out;
}

/** Decode a DER INTEGER body as a non-negative safe integer (minimal form required). */
export function readUnsigned(contents: Uint8Array): number | DerError {
  if (contents.length === 0) return { error: 'empty INTEGER' };
  if (contents.length > 1 && contents[0] === 0 && contents[1]! < 0x80) return { error: 'non-minimal INTEGER' };
  if (contents.length > 1 && contents[0] === 0xff && contents[1]! >= 0x80) return { error: 'non-minimal INTEGER' };
  if (contents[0]! >= 0x80) return { error: 'negative INTEGER' };
  if (contents.length > 7) return { error: 'INTEGER too large' };
  let v = 0;
  for (const b of contents) v = v * 256 + b;
  return v;
}

/** Encode a DER length. */
export function encodeLength(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`bad DER length ${n}`);
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

/** Encode one TLV from an identifier octet and contents (concatenated parts). */
export function encodeTlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const head = encodeLength(len);
  const out = new Uint8Array(1 + head.length + len);
  out[0] = tag;
  out.set(head, 1);
  let off = 1 + head.length;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

/** Minimal two's-complement contents of a non-negative integer (as DER INTEGER needs). */
export function encodeUnsigned(v: number): Uint8Array {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`bad DER integer ${v}`);
  const bytes: number[] = [];
  for (let x = v; x > 0; x = Math.floor(x / 256)) bytes.unshift(x % 256);
  if (bytes.length === 0 || bytes[0]! >= 0x80) bytes.unshift(0);
  return Uint8Array.from(bytes);
}

/** BIT STRING contents for a set of bit positions (bit 0 = most significant), trailing zeros dropped. */
export function encodeBits(bits: number): Uint8Array {
  if (bits === 0) return Uint8Array.of(0);
  let last = 0;
  for (let i = 0; i < 32; i++) if (bits & (2 ** i)) last = i;
  const nbytes = Math.floor(last / 8) + 1;
  const out = new Uint8Array(1 + nbytes);
  out[0] = nbytes * 8 - (last + 1);
  for (let i = 0; i <= last; i++) if (bits & (2 ** i)) out[1 + (i >> 3)]! |= 0x80 >> (i & 7);
  return out;
}

/** Decode BIT STRING contents into a bit set (bit i = position i from the left). */
export function readBits(contents: Uint8Array): number | DerError {
  if (contents.length === 0) return { error: 'empty BIT STRING' };
  const unused = contents[0]!;
  if (unused > 7 || (contents.length === 1 && unused !== 0)) return { error: 'bad BIT STRING padding' };
  if (contents.length > 4) return { error: 'BIT STRING too long' };
  const last = contents[contents.length - 1]!;
  if (unused > 0 && (last & ((1 << unused) - 1)) !== 0) return { error: 'non-zero BIT STRING padding' };
  let bits = 0;
  for (let i = 0; i < (contents.length - 1) * 8 - unused; i++) {
    if (contents[1 + (i >> 3)]! & (0x80 >> (i & 7))) bits |= 2 ** i;
  }
  return bits;
}

/** Compare byte strings lexicographically (DER SET OF order for equal-shaped elements). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
