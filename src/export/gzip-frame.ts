/**
 * The checksum member that ends every export's gzip stream (docs/spec-export.md §3).
 *
 * Why: gzip's own CRC covers the uncompressed content, and the trailer line's SHA-256 covers
 * it again, but some compressed bytes do not reach the content at all (the gzip header's
 * MTIME/XFL/OS bytes, deflate padding bits), so a change there would go unnoticed. An empty
 * second gzip member carries the SHA-256 of every compressed byte before it in an extra
 * field (subfield id "LA"): every byte of the file is then covered, and the file is still
 * plain multi-member gzip that `gzip -d`/`zcat` read as usual.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { LedgerError } from '../errors.js';

/** Length of the checksum member. */
export const TAIL_BYTES = 58;

/** The checksum member for a SHA-256 of the bytes before it. */
export function tailMember(digest: Uint8Array): Buffer {
  const head = Buffer.from([0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 36, 0, 0x4c, 0x41, 32, 0]);
  // 03 00 = one final fixed-Huffman block holding nothing; then CRC32 = 0 and ISIZE = 0 of empty content.
  return Buffer.concat([head, digest, Buffer.from([0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0])]);
}

/** Passes gzip output through, hashing it, and appends the checksum member at the end. */
export class TailWriter extends Transform {
  private readonly hash: Hash = createHash('sha256');

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(null, tailMember(this.hash.digest()));
  }
}

/**
 * Passes the first gzip member through and checks the checksum member at the end
 * (it is held back, never passed on). Error: LEDGER_EXPORT_CORRUPT.
 */
export class TailChecker extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private readonly path: string;
  private held: Buffer = Buffer.alloc(0);
  private passed = 0;

  constructor(path: string) {
    super();
    this.path = path;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const all = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    const cut = Math.max(0, all.length - TAIL_BYTES);
    this.held = Buffer.from(all.subarray(cut));
    if (cut === 0) return done();
    const out = all.subarray(0, cut);
    this.hash.update(out);
    this.passed += cut;
    done(null, out);
  }

  override _flush(done: TransformCallback): void {
    const total = this.passed + this.held.length;
    if (this.held.length < TAIL_BYTES || !this.held.equals(tailMember(this.hash.digest()))) {
      return done(new LedgerError('LEDGER_EXPORT_CORRUPT',
        `${this.path}: the compressed stream's checksum member is missing or does not match (the file is cut short or changed; ${total} compressed bytes)`,
        { path: this.path, compressedBytes: total }));
    }
    done();
  }
}
