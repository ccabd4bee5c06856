/**
 * Totals for the terminal progress bar (SPEC.md §12.1): how many documents the inputs hold,
 * from the tables' `.info` `doc_count_estimates` of a dump or export folder. Asked only when a
 * bar is drawn (stderr a terminal, no --json or --quiet): for a dump it costs one more read.
 * NDJSON files have no count; their progress stays a plain count. On an archive, the
 * blocks stored (a key-only scan) are the total of `check` and `gaps`.
 */
import { statSync } from 'node:fs';
import { readDumpInfo } from '../dump/read.js';
import { readExportDirInfo } from '../dump/export-dir.js';
import type { DumpTableInfo } from '../dump/tables.js';
import type { Progress, Reporter } from '../report/reporter.js';
import type { Archive } from '../store/archive.js';
import { countKeys } from '../store/read.js';
import { range } from '../store/schema.js';
import type { CliIo, GlobalArgs } from './context.js';

const TABLES = new Set(['bigchain', 'votes', 'assets', 'metadata']);

function sum(tables: readonly DumpTableInfo[], db: string | undefined): number | undefined {
  let n = 0;
  for (const t of tables) {
    if (!TABLES.has(t.table) || (db !== undefined && t.db !== db)) continue;
    const est = (t.info as { doc_count_estimates?: unknown } | null)?.doc_count_estimates;
    if (!Array.isArray(est) || !est.every((x) => typeof x === 'number')) return undefined;
    n += (est as number[]).reduce((a, b) => a + b, 0);
  }
  return n;
}

/** Estimated documents in `paths`, or undefined when any path cannot tell (never throws: the read reports errors). */
export async function estimateDocuments(paths: readonly string[], db?: string): Promise<number | undefined> {
  let total = 0;
  try {
    for (const p of paths) {
      const n = statSync(p).isDirectory() ? sum(await readExportDirInfo(p), db)
        : /\.(tar\.gz|tgz|tar)$/i.test(p) ? sum((await readDumpInfo(p)).tables, db ?? 'bigchain') : undefined;
      if (n === undefined) return undefined;
      total += n;
    }
  } catch {
    return undefined;
  }
  return total > 0 ? total : undefined;
}

/** Whether a progress bar will be drawn for these arguments. */
export const drawsBar = (io: CliIo, args: GlobalArgs): boolean => args.json !== true && args.quiet !== true && io.err.isTTY === true;

/** A reporter whose progress in `phase` carries `total` (for the bar), everything else passed on. */
export function withTotal(inner: Reporter, phase: string, total: number | undefined): Reporter {
  if (total === undefined) return inner;
  const progress = (p: Progress): void => inner.progress(p.phase === phase && p.total === undefined ? { ...p, total: Math.max(total, p.done) } : p);
  return new Proxy(inner, { get: (t, k) => (k === 'progress' ? progress : Reflect.get(t, k, t) as unknown) });
}

/** Blocks stored in an archive (keys only), for the bar of a per-block phase. */
export const countBlocks = (archive: Archive): Promise<number> => countKeys(archive.db, range('b'));
