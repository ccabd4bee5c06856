/**
 * The completeness record (SPEC.md §15.10): what proves that every batch the tool
 * committed is still in the database. LevelDB acknowledges a batch once it is in its
 * write-ahead log; a damaged log, a truncated table or a copy taken mid-write can lose
 * batches without any LevelDB error (a corrupt log record is skipped on recovery).
 *
 * Every batch carries one commit record `cm!<n>` → {from, seq, docs, digest}: its number,
 * the document sequence before and after it (`sq!`, ./schema.ts), the sha256 of the
 * `sq!` keys it added and a running digest chaining every commit before it. After the
 * batch is written, `commit.json` beside the database (outside LevelDB's files) is
 * replaced with {n, seq, digest}. On open the commit records are scanned (one small key
 * per batch) and must run 1..n without a hole, chain to their digests, and reach what
 * `commit.json` says: anything less is LEDGER_ARCHIVE_CORRUPT naming the lost commits
 * and their sequence range. `check` also recomputes each commit's `docs` from `sq!`.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerError } from '../errors.js';
import { sha256 } from '../crypto/hash.js';
import type { LedgerDb } from './db.js';
import { META, key } from './schema.js';

/** The file beside `db/` holding the last commit. */
export const COMMIT_FILE = 'commit.json';
/** The digest a chain starts from. */
export const CHAIN_START = '0'.repeat(64);

/** The last commit: its number, the document sequence it reached, the running digest. */
export interface CommitState { n: number; seq: number; digest: string }
/** What `cm!<n>` holds. */
export interface CommitRecord { from: number; seq: number; docs: string; digest: string }

/** One batch operation. */
export type BatchOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

const N_DIGITS = 16;

/** The key of commit `n` (zero-padded: key order is commit order). */
export function commitKey(n: number): string {
  return key('cm', String(n).padStart(N_DIGITS, '0'));
}

/** sha256 hex of the `sq!` keys a batch added, in key order. */
export function docsDigest(seqKeys: readonly string[]): string {
  return sha256(Buffer.from([...seqKeys].sort().join('\n'), 'utf8')).toString('hex');
}

/** The running digest after commit `n`. */
export function chainDigest(prev: string, n: number, r: Omit<CommitRecord, 'digest'>): string {
  return sha256(Buffer.from(`${prev}\n${n}\n${r.from}\n${r.seq}\n${r.docs}`, 'utf8')).toString('hex');
}

/** What a database handle commits through: set when an archive is opened. */
interface CommitContext { dir: string | null; readOnly: boolean; state: CommitState }
const contexts = new WeakMap<object, CommitContext>();

/** Attach the commit state to an opened database (store/archive.ts). */
export function attachCommits(db: LedgerDb, dir: string | null, readOnly: boolean, state: CommitState): void {
  contexts.set(db, { dir, readOnly, state });
}

/** The last commit of an opened archive's database. */
export function commitState(db: LedgerDb): CommitState | null {
  return contexts.get(db)?.state ?? null;
}

/**
 * Write `ops` as one LevelDB batch with its commit record, then `commit.json`.
 * A database opened without an archive (scratch stores) just writes the batch.
 * @throws Error when the archive was opened read-only (a bug: read-only commands never write)
 */
export async function commitBatch(db: LedgerDb, ops: BatchOp[]): Promise<void> {
  const ctx = contexts.get(db);
  if (ctx === undefined) { if (ops.length > 0) await db.batch(ops); return; }
  if (ctx.readOnly) throw new Error('internal: a write to an archive opened read-only');
  if (ops.length === 0) return;
  const seqKeys = ops.filter((o) => o.type === 'put' && o.key.startsWith('sq!')).map((o) => o.key);
  const seqOp = ops.find((o): o is Extract<BatchOp, { type: 'put' }> => o.type === 'put' && o.key === key('meta', META.seq));
  const n = ctx.state.n + 1;
  const base = { from: ctx.state.seq, seq: seqOp === undefined ? ctx.state.seq : JSON.parse(seqOp.value) as number, docs: docsDigest(seqKeys) };
  const rec: CommitRecord = { ...base, digest: chainDigest(ctx.state.digest, n, base) };
  await db.batch([...ops, { type: 'put', key: commitKey(n), value: JSON.stringify(rec) }]);
  ctx.state = { n, seq: rec.seq, digest: rec.digest };
  if (ctx.dir !== null) writeCommitFile(ctx.dir, ctx.state);
}

/** Replace `commit.json` atomically (temp file and rename). */
export function writeCommitFile(dir: string, s: CommitState): void {
  const tmp = join(dir, `${COMMIT_FILE}.tmp`);
  writeFileSync(tmp, `${JSON.stringify({ format: 'ledger-archive-commit', n: s.n, seq: s.seq, digest: s.digest })}\n`);
  renameSync(tmp, join(dir, COMMIT_FILE));
}

/** `commit.json`, or null when absent. @throws LedgerError LEDGER_ARCHIVE_CORRUPT when unreadable */
export function readCommitFile(dir: string): CommitState | null {
  const file = join(dir, COMMIT_FILE);
  if (!existsSync(file)) return null;
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as Partial<CommitState> & { format?: string };
    if (j.format === 'ledger-archive-commit' && Number.isSafeInteger(j.n) && Number.isSafeInteger(j.seq) && typeof j.digest === 'string' && /^[0-9a-f]{64}$/.test(j.digest)) {
      return { n: j.n!, seq: j.seq!, digest: j.digest };
    }
  } catch { /* reported below */ }
  throw new LedgerError('LEDGER_ARCHIVE_CORRUPT', `${file} is damaged: the archive cannot prove it is complete (run "ledger-archive check --repair" to rebuild it from the database after checking)`,
    { dir, file, damage: 'commit-file' });
}
