/**
 * The activity record (SPEC.md §15.6.1): `DIR/activity.json`, beside `archive.json`, holds
 * the last export and the last check, so `status` can say when the last good backup was.
 * It is not part of the store: the read-only commands that write it (`export`, `check`)
 * still never touch the database, `archive.json` or `commit.json` (§15.1). It is replaced
 * atomically (a temp file named by process id, then a rename); two commands finishing at
 * once each keep their own field (read, merge, replace), the later wins within a field.
 * A missing or damaged file reads as "nothing recorded"; a file that cannot be written (a
 * read-only mount) is reported by the caller as a warning, never as a failed export or check.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file beside `archive.json`. */
export const ACTIVITY_FILE = 'activity.json';

/** The last export: where, when, its digest and its place in its chain (`sequence` 0 = full). */
export interface ExportActivity { at: string; path: string; digest: string; sequence: number; incremental: boolean; complete: boolean }
/** The last check: when, whether it passed, how many findings. */
export interface CheckActivity { at: string; ok: boolean; findings: number }
/** The contents of `activity.json`. */
export interface Activity { lastExport: ExportActivity | null; lastCheck: CheckActivity | null }

/** Read `DIR/activity.json`; nothing recorded when it is missing or does not parse as one. */
export function readActivity(dir: string): Activity & { damaged: boolean } {
  const file = join(dir, ACTIVITY_FILE);
  const none = { lastExport: null, lastCheck: null };
  if (!existsSync(file)) return { ...none, damaged: false };
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as Partial<Activity> & { format?: unknown };
    if (j.format !== 'ledger-archive-activity') return { ...none, damaged: true };
    const ex = j.lastExport;
    const ck = j.lastCheck;
    const okEx = ex != null && typeof ex.at === 'string' && typeof ex.path === 'string' && Number.isSafeInteger(ex.sequence);
    const okCk = ck != null && typeof ck.at === 'string' && typeof ck.ok === 'boolean';
    return { lastExport: okEx ? ex : null, lastCheck: okCk ? ck : null, damaged: (ex != null && !okEx) || (ck != null && !okCk) };
  } catch {
    return { ...none, damaged: true };
  }
}

/**
 * Record an export or a check in `DIR/activity.json`.
 * @returns null when written, else why not (the caller warns)
 */
export function recordActivity(dir: string, change: Partial<Activity>): string | null {
  const { lastExport, lastCheck } = readActivity(dir);
  const next = { format: 'ledger-archive-activity', lastExport, lastCheck, ...change };
  const tmp = join(dir, `${ACTIVITY_FILE}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
    renameSync(tmp, join(dir, ACTIVITY_FILE));
    return null;
  } catch (err) {
    rmSync(tmp, { force: true });
    return `cannot record it in ${join(dir, ACTIVITY_FILE)}: ${(err as Error).message}`;
  }
}
