/**
 * Key sets: what an archive had exported as of each export (docs/spec-export.md §8).
 *
 * Stop-gap: the store has no change sequence yet, so an incremental export is "every
 * document key the archive holds now that it did not hold at the previous export". The
 * exporting archive remembers, per export digest, its full sorted key list in
 * `<archive>/exports/<digest>.keys.gz`; the next incremental merges the archive's sorted
 * keys against it (bounded memory). Documents are never removed from an archive, so the
 * difference is exactly what is new.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { createGunzip, createGzip, type Gzip } from 'node:zlib';

/** Where an archive folder keeps the key set of the export with `digest`. */
export function keysetPath(archiveDir: string, digest: string): string {
  return join(archiveDir, 'exports', `${digest}.keys.gz`);
}

/** Writes a key set while an export runs; `commit` names it after the export's digest. */
export class KeysetWriter {
  private readonly hash: Hash = createHash('sha256');
  private readonly gzip: Gzip = createGzip({ level: 1 });
  private readonly file: WriteStream;
  private readonly tmp: string;
  private readonly dir: string;

  constructor(archiveDir: string) {
    this.dir = archiveDir;
    mkdirSync(join(archiveDir, 'exports'), { recursive: true });
    this.tmp = join(archiveDir, 'exports', `.keys.${process.pid}.${Date.now().toString(36)}.tmp`);
    this.file = createWriteStream(this.tmp);
    this.gzip.pipe(this.file);
  }

  /** Add the next key (keys arrive in {@link compareKeys} order). */
  async add(key: string): Promise<void> {
    this.hash.update(`${key}\n`);
    if (!this.gzip.write(`${key}\n`)) await once(this.gzip, 'drain');
  }

  /** The store cursor this key set stands for (a hash of the keys). */
  cursor(): string {
    return `keyset-sha256:${this.hash.copy().digest('hex')}`;
  }

  /** Finish and name the key set after the export's digest. */
  async commit(digest: string): Promise<string> {
    this.gzip.end();
    await once(this.file, 'close');
    const path = keysetPath(this.dir, digest);
    await rename(this.tmp, path);
    return path;
  }

  /** Drop it (the export failed). */
  async abort(): Promise<void> {
    this.gzip.destroy();
    this.file.destroy();
    await rm(this.tmp, { force: true });
  }
}

/**
 * Membership in a key set for keys asked in ascending order (one merge pass).
 * @param order the namespace order the keys were written in
 */
export class KeysetCursor {
  private readonly lines: AsyncIterator<string>;
  private current: string | null | undefined = undefined;
  private readonly order: readonly string[];

  constructor(path: string, order: readonly string[]) {
    this.order = order;
    this.lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity })[Symbol.asyncIterator]();
  }

  /** True when `key` is in the set; keys must be asked in ascending order. */
  async has(key: string): Promise<boolean> {
    for (;;) {
      if (this.current === undefined) {
        const n = await this.lines.next();
        this.current = n.done === true ? null : n.value;
      }
      if (this.current === null) return false;
      const c = compareKeys(this.current, key, this.order);
      if (c === 0) return true;
      if (c > 0) return false;
      this.current = undefined;
    }
  }

  /** Release the file. */
  async close(): Promise<void> {
    await this.lines.return?.();
  }
}

/** Order of keys: by namespace (in `order`), then by key, as the store iterates each namespace. */
export function compareKeys(a: string, b: string, order: readonly string[]): number {
  const na = order.indexOf(a.slice(0, a.indexOf('!')));
  const nb = order.indexOf(b.slice(0, b.indexOf('!')));
  if (na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when an archive folder holds the key set of export `digest`. */
export function hasKeyset(archiveDir: string, digest: string): boolean {
  return existsSync(keysetPath(archiveDir, digest));
}
