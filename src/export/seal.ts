/**
 * Sealed (encrypted) exports (docs/spec-export.md §5): NaCl secretbox (XSalsa20-Poly1305;
 * tweetnacl, or libsodium when it loads: ./secretbox.ts) over a chunked stream, because
 * secretbox seals one message at a time.
 *
 *   header  "LAEXSEAL" | version 0x01 | file nonce (16) | key check (16) | header check (8)   = 49 bytes
 *   chunk   u32be length of the box (16..65552) | box = secretbox(≤ 64 KiB plaintext, nonce, key)
 *   nonce   file nonce (16) | u64be chunk counter, top bit set on the last chunk
 *
 * The counter in the nonce makes dropped, repeated or reordered chunks fail authentication;
 * the final bit makes a cut at a chunk boundary detectable; nothing may follow the final
 * chunk. The key check (HMAC-SHA256 of the nonce under the key) tells a wrong key apart
 * from a changed byte; the header check (SHA-256 of the bytes before it) tells a changed
 * header apart from a wrong key.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { LedgerError } from '../errors.js';
import { BOX_OVERHEAD, secretbox } from './secretbox.js';

/** The first bytes of a sealed export. */
export const SEAL_MAGIC = Buffer.from('LAEXSEAL', 'latin1');
/** The seal format version. */
export const SEAL_VERSION = 1;
/** Plaintext bytes per chunk. */
export const SEAL_CHUNK = 64 * 1024;
/** Length of the sealed-file header. */
export const SEAL_HEADER_BYTES = 8 + 1 + 16 + 16 + 8;
const KEY_CHECK_LABEL = Buffer.from('ledger-archive export key check v1\0', 'latin1');

/** True when `head` (the first bytes of a file) starts like a sealed export. */
export function isSealed(head: Uint8Array): boolean {
  return head.length >= SEAL_MAGIC.length && Buffer.from(head.subarray(0, SEAL_MAGIC.length)).equals(SEAL_MAGIC);
}

function keyCheck(key: Uint8Array, fileNonce: Uint8Array): Buffer {
  return createHmac('sha256', key).update(KEY_CHECK_LABEL).update(fileNonce).digest().subarray(0, 16);
}

function chunkNonce(fileNonce: Uint8Array, counter: number, final: boolean): Uint8Array {
  const n = Buffer.alloc(24);
  n.set(fileNonce, 0);
  n.writeUInt32BE((Math.floor(counter / 2 ** 32) | (final ? 0x80000000 : 0)) >>> 0, 16);
  n.writeUInt32BE(counter >>> 0, 20);
  return n;
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new TypeError('an export key is 32 bytes');
}

/** A transform that seals its input (the whole export file) under `key`. */
export class SealStream extends Transform {
  private readonly key: Uint8Array;
  private readonly fileNonce = randomBytes(16);
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private counter = 0;

  constructor(key: Uint8Array) {
    super();
    checkKey(key);
    this.key = key;
    const head = Buffer.concat([SEAL_MAGIC, Buffer.of(SEAL_VERSION), this.fileNonce, keyCheck(key, this.fileNonce)]);
    this.push(Buffer.concat([head, createHash('sha256').update(head).digest().subarray(0, 8)]));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // Keep at least one byte back: only at the end do we know which chunk is the last.
    if (this.pendingBytes > SEAL_CHUNK) {
      const all = Buffer.concat(this.pending);
      let at = 0;
      while (all.length - at > SEAL_CHUNK) {
        this.emitBox(all.subarray(at, at + SEAL_CHUNK), false);
        at += SEAL_CHUNK;
      }
      this.pending = [all.subarray(at)];
      this.pendingBytes = all.length - at;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.emitBox(Buffer.concat(this.pending), true);
    done();
  }

  private emitBox(plain: Uint8Array, final: boolean): void {
    const box = secretbox.seal(plain, chunkNonce(this.fileNonce, this.counter++, final), this.key);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(box.length);
    this.push(len);
    this.push(box);
  }
}

/**
 * A transform that opens a sealed export, failing on the first problem.
 * Errors: LEDGER_EXPORT_KEY (wrong key), LEDGER_EXPORT_CORRUPT (changed, cut, reordered, extended).
 */
export class UnsealStream extends Transform {
  private readonly key: Uint8Array;
  private readonly path: string;
  private buf: Buffer = Buffer.alloc(0);
  private fileNonce: Buffer | null = null;
  private offset = 0;
  private counter = 0;
  private finished = false;

  constructor(key: Uint8Array, path: string) {
    super();
    checkKey(key);
    this.key = key;
    this.path = path;
  }

  private fail(code: 'LEDGER_EXPORT_CORRUPT' | 'LEDGER_EXPORT_KEY', why: string): LedgerError {
    return new LedgerError(code, `${this.path}: ${why}`, { path: this.path, offset: this.offset, chunk: this.counter });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    try {
      this.drain();
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.fileNonce === null) return done(this.fail('LEDGER_EXPORT_CORRUPT', `sealed header cut short (${this.buf.length} of ${SEAL_HEADER_BYTES} bytes)`));
    if (!this.finished) {
      return done(this.fail('LEDGER_EXPORT_CORRUPT', `truncated: the sealed stream ends at byte ${this.offset + this.buf.length} without its final chunk`));
    }
    done();
  }

  private drain(): void {
    if (this.fileNonce === null) {
      if (this.buf.length < SEAL_HEADER_BYTES) return;
      this.openHeader(this.buf.subarray(0, SEAL_HEADER_BYTES));
      this.consume(SEAL_HEADER_BYTES);
    }
    while (this.buf.length > 0) {
      if (this.finished) throw this.fail('LEDGER_EXPORT_CORRUPT', `data after the final sealed chunk at byte ${this.offset}`);
      if (this.buf.length < 4) return;
      const len = this.buf.readUInt32BE(0);
      if (len < BOX_OVERHEAD || len > SEAL_CHUNK + BOX_OVERHEAD) throw this.fail('LEDGER_EXPORT_CORRUPT', `sealed chunk ${this.counter} at byte ${this.offset} has an impossible length ${len}`);
      if (this.buf.length < 4 + len) return;
      this.openChunk(this.buf.subarray(4, 4 + len));
      this.consume(4 + len);
    }
  }

  private consume(n: number): void {
    this.buf = this.buf.subarray(n);
    this.offset += n;
  }

  private openHeader(h: Buffer): void {
    const sum = createHash('sha256').update(h.subarray(0, SEAL_HEADER_BYTES - 8)).digest().subarray(0, 8);
    if (!h.subarray(0, SEAL_MAGIC.length).equals(SEAL_MAGIC) || !sum.equals(h.subarray(SEAL_HEADER_BYTES - 8))) {
      throw this.fail('LEDGER_EXPORT_CORRUPT', 'the sealed header is damaged');
    }
    if (h[8] !== SEAL_VERSION) throw this.fail('LEDGER_EXPORT_CORRUPT', `seal version ${h[8]} is not supported`);
    const nonce = h.subarray(9, 25);
    if (!keyCheck(this.key, nonce).equals(h.subarray(25, 41))) {
      throw this.fail('LEDGER_EXPORT_KEY', 'wrong key: this export was sealed with another key');
    }
    this.fileNonce = Buffer.from(nonce);
  }

  private openChunk(box: Buffer): void {
    const n = this.counter;
    // The final flag is not stored in clear: try "not final" first (every chunk but one), then "final".
    let plain = secretbox.open(box, chunkNonce(this.fileNonce!, n, false), this.key);
    if (plain === null) {
      plain = secretbox.open(box, chunkNonce(this.fileNonce!, n, true), this.key);
      if (plain === null) throw this.fail('LEDGER_EXPORT_CORRUPT', `sealed chunk ${n} at byte ${this.offset} fails authentication (changed, reordered or cut)`);
      this.finished = true;
    }
    this.counter++;
    if (plain.length > 0) this.push(plain);
  }
}
