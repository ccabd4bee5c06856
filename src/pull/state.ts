/**
 * What a pull keeps in and reads from the archive besides documents (docs/spec-pull.md):
 * the remembered selections (`meta!selection`, per source), the blocks whose votes
 * may still change (undecided elections), the blocks vote chains name but the
 * archive lacks (fill-gaps), and the bookkeeping that sums several ingest runs.
 */
import type { Reporter } from '../report/reporter.js';
import type { Selection } from '../model/documents.js';
import type { LedgerDb } from '../store/archive.js';
import type { StoredElection } from '../store/read.js';
import { META, key, keyParts, range } from '../store/schema.js';
import { commitBatch } from '../store/commit.js';
import { emptySummary, type IngestSummary } from '../ingest/context.js';

/** One remembered source: how to reach it again (never with a password) and what to pull. */
export interface RememberedSource { from: string; selection: Selection }

/** The value of `meta!selection`. */
export interface SelectionMemory { last: string | null; sources: Record<string, RememberedSource> }

/** The remembered selections (empty when none). */
export async function readSelectionMemory(db: LedgerDb): Promise<SelectionMemory> {
  const v = await db.get(key('meta', META.selection));
  return v === undefined ? { last: null, sources: {} } : JSON.parse(v) as SelectionMemory;
}

/** True when the selection asks for nothing. */
export function isEmptySelection(s: Selection | undefined): boolean {
  return s === undefined || (s.all !== true && (s.tx ?? []).length === 0 && (s.owner ?? []).length === 0 && (s.asset ?? []).length === 0);
}

/**
 * Union of two selections: an archive keeps up to date everything it was ever asked for
 * from a source, so `pull --tx A` then `pull --tx B` makes a bare pull fetch both.
 */
export function mergeSelections(a: Selection, b: Selection): Selection {
  const u = (x?: string[], y?: string[]): string[] | undefined => {
    const all = [...new Set([...(x ?? []), ...(y ?? [])])];
    return all.length > 0 ? all : undefined;
  };
  const out: Selection = {};
  if (a.all === true || b.all === true) out.all = true;
  const tx = u(a.tx, b.tx); const owner = u(a.owner, b.owner); const asset = u(a.asset, b.asset);
  if (tx !== undefined) out.tx = tx;
  if (owner !== undefined) out.owner = owner;
  if (asset !== undefined) out.asset = asset;
  return out;
}

/** Remember `selection` for source `name` (merged with what was remembered) and make it the default source. */
export async function rememberSelection(db: LedgerDb, name: string, from: string, selection: Selection): Promise<Selection> {
  const mem = await readSelectionMemory(db);
  const merged = mergeSelections(mem.sources[name]?.selection ?? {}, selection);
  mem.sources[name] = { from, selection: merged };
  mem.last = name;
  await commitBatch(db, [{ type: 'put', key: key('meta', META.selection), value: JSON.stringify(mem) }]);
  return merged;
}

/** Ids of stored blocks whose election is still undecided (their votes may still come). */
export async function undecidedBlocks(db: LedgerDb): Promise<string[]> {
  const out: string[] = [];
  for await (const [k, v] of db.iterator(range('es'))) {
    if ((JSON.parse(v) as StoredElection).status === 'undecided') out.push(keyParts(k)[0]!);
  }
  return out;
}

/** Block ids named by stored votes (`previous_block` and `voting_for_block`) that the archive does not hold. */
export async function namedMissingBlocks(db: LedgerDb): Promise<string[]> {
  const named = new Set<string>();
  for await (const k of db.keys(range('ch'))) {
    const [, prev, next] = keyParts(k);
    if (prev !== undefined) named.add(prev);
    if (next !== undefined) named.add(next);
  }
  const out: string[] = [];
  for (const id of named) if (await db.get(key('b', id)) === undefined) out.push(id);
  return out.sort();
}

/** True when the archive holds the block. */
export async function hasBlock(db: LedgerDb, id: string): Promise<boolean> {
  return await db.get(key('b', id)) !== undefined;
}

/** Add `b` into `a` (counts and findings). */
export function addSummary(a: IngestSummary, b: IngestSummary, maxFindings = 1000): IngestSummary {
  for (const f of ['new', 'duplicate', 'quarantined', 'conflicts', 'ignored'] as const) {
    a[f] += b[f];
    for (const k of Object.keys(a.byKind) as (keyof IngestSummary['byKind'])[]) a.byKind[k][f] += b.byKind[k][f];
  }
  a.findingsTotal += b.findingsTotal;
  a.findings.push(...b.findings.slice(0, Math.max(0, maxFindings - a.findings.length)));
  return a;
}

export { emptySummary };

/**
 * A reporter for one pull made of several ingest runs: progress counts go on from
 * run to run (one bar, one documents/s figure), and only the pull ends the display.
 */
export class PullReporter implements Reporter {
  private base = 0;
  private readonly inner: Reporter;
  constructor(inner: Reporter) { this.inner = inner; }
  progress(p: { phase: string; done: number; total?: number; unit?: string }): void {
    if (p.phase === 'ingest') this.inner.progress({ ...p, phase: 'pull', done: this.base + p.done });
    else this.inner.progress(p);
  }
  /** An ingest run ended having handled `n` documents (its own ticks come only every 1000). */
  endRun(n: number): void {
    this.base += n;
    this.inner.progress({ phase: 'pull', done: this.base, unit: 'documents' });
  }
  info(m: string): void { this.inner.info(m); }
  warn(m: string): void { this.inner.warn(m); }
  finding(f: Parameters<Reporter['finding']>[0]): void { this.inner.finding(f); }
  record(t: string, d: Record<string, unknown>): void { this.inner.record(t, d); }
  done(): void { /* the end of one ingest run is not the end of the pull: see finish() */ }
  /** End the display. */
  finish(): void { this.inner.done(); }
}
