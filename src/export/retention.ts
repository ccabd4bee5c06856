/**
 * Retention of a chain folder (SPEC.md §17.10): which export files to keep. The policy picks
 * files — the newest `last`, and the newest file of each of the newest `daily` days, `weekly`
 * ISO weeks (Monday start) and `monthly` months that hold files (UTC) — and then everything a
 * picked file needs is kept too: every file of its chain with a lower sequence, down to the full
 * export. So retention never keeps an incremental without its whole chain before it. Pure.
 */

/** One file of a chain folder: its chain (the full export's name), place and time. */
export interface RetainFile { name: string; chain: string; sequence: number; at: Date }
/** How many of each to keep (absent or 0: none by that rule). */
export interface RetentionPolicy { last?: number; daily?: number; weekly?: number; monthly?: number }

const day = (d: Date): string => d.toISOString().slice(0, 10);
const month = (d: Date): string => d.toISOString().slice(0, 7);
function week(d: Date): string {
  const monday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - ((d.getUTCDay() + 6) % 7) * 86_400_000);
  return day(monday);
}

/** True when the policy keeps anything at all (an empty policy deletes nothing: retention is off). */
export function retentionGiven(p: RetentionPolicy): boolean {
  return (p.last ?? 0) + (p.daily ?? 0) + (p.weekly ?? 0) + (p.monthly ?? 0) > 0;
}

/**
 * The files to keep and to delete.
 * @example retain(files, { last: 3, daily: 7 }).delete
 */
export function retain(files: readonly RetainFile[], p: RetentionPolicy): { keep: RetainFile[]; delete: RetainFile[] } {
  if (!retentionGiven(p)) return { keep: [...files], delete: [] };
  const newest = [...files].sort((a, b) => b.at.getTime() - a.at.getTime() || b.sequence - a.sequence);
  const picked = new Set<RetainFile>(newest.slice(0, p.last ?? 0));
  for (const [n, bucket] of [[p.daily, day], [p.weekly, week], [p.monthly, month]] as const) {
    const seen = new Set<string>();
    for (const f of newest) {
      if (seen.size >= (n ?? 0)) break;
      const b = bucket(f.at);
      if (!seen.has(b)) { seen.add(b); picked.add(f); }
    }
  }
  // What a picked file needs: its chain up to it.
  const need = new Map<string, number>();
  for (const f of picked) need.set(f.chain, Math.max(need.get(f.chain) ?? -1, f.sequence));
  const keep = files.filter((f) => f.sequence <= (need.get(f.chain) ?? -1));
  return { keep, delete: files.filter((f) => !keep.includes(f)) };
}
