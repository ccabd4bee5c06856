/**
 * Checking the completeness record on open (SPEC.md §15.10, ./commit.ts): the commit
 * records must run 1..n with no hole, each chaining to the one before, and reach what
 * `commit.json` says. Cost: one small key per committed batch.
 */
import { LedgerError } from '../errors.js';
import type { LedgerDb } from './db.js';
import { CHAIN_START, chainDigest, readCommitFile, type CommitRecord, type CommitState } from './commit.js';
import { entryBatches } from './scan.js';
import { META, key, range } from './schema.js';

/** Commits missing from the database: numbers and document sequences (inclusive; null when unknown). */
export interface LostCommits { commits: [number, number]; sequences: [number, number] | null }

/** What the scan found. */
export interface CommitScan { state: CommitState; lost: LostCommits[]; broken: number[] }

/** Scan the commit records and compare them with `commit.json` (null: no file to compare). */
export async function scanCommits(db: LedgerDb, file: CommitState | null): Promise<CommitScan> {
  const seqText = await db.get(key('meta', META.seq));
  // An archive made before commit records: its first commit starts from the sequence it has.
  let state: CommitState = { n: 0, seq: 0, digest: CHAIN_START };
  const lost: LostCommits[] = [];
  const broken: number[] = [];
  let fileDigestSeen: string | null = null;
  let first = true;
  for await (const batch of entryBatches(db, range('cm'))) {
    for (const [k, v] of batch) {
      const n = Number(k.slice(3));
      let rec: CommitRecord;
      try { rec = JSON.parse(v) as CommitRecord; } catch { broken.push(n); continue; }
      if (first && n === 1) state = { n: 0, seq: rec.from, digest: CHAIN_START };
      first = false;
      if (n !== state.n + 1) {
        lost.push({ commits: [state.n + 1, n - 1], sequences: rec.from > state.seq ? [state.seq + 1, rec.from] : null });
      } else if (rec.from !== state.seq || chainDigest(state.digest, n, rec) !== rec.digest) {
        broken.push(n);
      }
      state = { n, seq: rec.seq, digest: rec.digest };
      if (file !== null && n === file.n) fileDigestSeen = rec.digest;
    }
  }
  if (state.n === 0 && seqText !== undefined) state = { ...state, seq: JSON.parse(seqText) as number };
  if (file !== null && file.n > state.n) {
    lost.push({ commits: [state.n + 1, file.n], sequences: file.seq > state.seq ? [state.seq + 1, file.seq] : null });
  } else if (file !== null && file.n > 0 && fileDigestSeen !== file.digest && !lost.some((l) => l.commits[0] <= file.n && file.n <= l.commits[1])) {
    broken.push(file.n);
  }
  return { state, lost, broken };
}

/** A sentence naming lost commits, e.g. "commits 7–9 (documents 1201–1850)". */
export function describeLost(l: LostCommits): string {
  const c = l.commits[0] === l.commits[1] ? `commit ${l.commits[0]}` : `commits ${l.commits[0]}–${l.commits[1]}`;
  return l.sequences === null ? c : `${c} (document sequence ${l.sequences[0]}–${l.sequences[1]})`;
}

/** What opening found about completeness: the state to go on from, and the damage (error null: complete). */
export interface Completeness extends CommitScan { fileMissing: boolean; error: LedgerError | null }

/** Assess the completeness record without throwing on damage (`check --repair` goes on from it); `against` replaces commit.json. */
export async function assessCompleteness(db: LedgerDb, dir: string, against?: CommitState | null): Promise<Completeness> {
  let file: CommitState | null = null;
  let fileError: LedgerError | null = null;
  // `against`: the commit.json read before a live copy was taken (./beside-writer.ts).
  if (against !== undefined) file = against;
  else try { file = readCommitFile(dir); } catch (err) { fileError = err as LedgerError; }
  const scan = await scanCommits(db, file);
  let error: LedgerError | null = fileError;
  try { if (error === null) judge(scan, file, dir); } catch (err) { error = err as LedgerError; }
  return { ...scan, fileMissing: file === null, error };
}

/**
 * The commit state of an archive's database, after proving it complete.
 * @throws LedgerError LEDGER_ARCHIVE_CORRUPT naming the lost or altered commits and what to do
 */
export async function verifyCompleteness(db: LedgerDb, dir: string): Promise<CommitState> {
  const c = await assessCompleteness(db, dir);
  if (c.error !== null) throw c.error;
  return c.state;
}

function judge(scan: CommitScan, file: CommitState | null, dir: string): void {
  const todo = 'the archive is incomplete; restore it from a backup or re-ingest its sources, then run "ledger-archive check"';
  if (scan.lost.length > 0) {
    throw new LedgerError('LEDGER_ARCHIVE_CORRUPT', `${dir}: batches committed earlier are missing from the database: ${scan.lost.map(describeLost).join(', ')}; ${todo}`,
      { dir, damage: 'lost-commits', lost: scan.lost });
  }
  if (scan.broken.length > 0) {
    throw new LedgerError('LEDGER_ARCHIVE_CORRUPT', `${dir}: the commit record does not chain at commit(s) ${scan.broken.slice(0, 10).join(', ')} (changed, or commit.json belongs to another database); ${todo}`,
      { dir, damage: 'commit-chain', commits: scan.broken.slice(0, 100) });
  }
  if (file === null && scan.state.n > 0) {
    throw new LedgerError('LEDGER_ARCHIVE_CORRUPT', `${dir}: commit.json is missing, so the archive cannot prove it is complete; run "ledger-archive check --repair" to check the database and write it again`,
      { dir, damage: 'commit-file-missing' });
  }
}
