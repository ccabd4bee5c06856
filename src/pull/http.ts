/**
 * Pulling over BigchainDB's HTTP API (docs/spec-pull.md §3): selections through the
 * HTTP walkers (each block followed by its votes), fill-gaps along votes'
 * `previous_block`. The API has no endpoint listing blocks, so `--all` is refused
 * before anything is fetched (see pull.ts). Re-walking a selection is the
 * incremental step: new transfers and new votes appear, stored ones count as duplicate.
 */
import type { HttpSource } from '../sources/http.js';
import type { MissingRef, WalkReport } from '../sources/http-walk.js';
import type { RawDoc, Selection } from '../model/documents.js';
import { hasBlock, namedMissingBlocks, undecidedBlocks } from './state.js';
import type { PullRun } from './run.js';

/** Walk the selection and ingest what it reaches (one run); returns what could not be followed. */
export async function pullHttpSelection(run: PullRun, src: HttpSource, sel: Selection): Promise<MissingRef[]> {
  const seen = new Set<string>();
  const missing: MissingRef[] = [];
  const opts = { seen };
  await run.ingest((async function* (): AsyncGenerator<RawDoc> {
    const reports: WalkReport[] = [];
    if ((sel.tx ?? []).length > 0) reports.push(yield* src.blocksForTxs(sel.tx!, opts));
    if ((sel.owner ?? []).length > 0) reports.push(yield* src.blocksForOwners(sel.owner!, opts));
    if ((sel.asset ?? []).length > 0) reports.push(yield* src.blocksForAssets(sel.asset!, opts));
    // Undecided blocks of earlier pulls: their votes may have come since.
    for (const id of await undecidedBlocks(run.archive.db)) {
      if (seen.has(id)) continue;
      seen.add(id);
      yield* await src.votes(id);
    }
    for (const r of reports) missing.push(...r.missing);
  })());
  return missing;
}

/**
 * Fill gaps: from the blocks stored votes name but the archive lacks, walk back along
 * `previous_block` until a stored block, genesis or a 404.
 * @returns the block ids the node did not have (or that were quarantined), and what else could not be followed
 */
export async function fillGapsHttp(run: PullRun, src: HttpSource, opts: { maxBlocks?: number } = {}): Promise<{ unresolved: string[]; missing: MissingRef[] }> {
  const start = await namedMissingBlocks(run.archive.db);
  if (start.length === 0) return { unresolved: [], missing: [] };
  let report: WalkReport | undefined;
  await run.ingest((async function* (): AsyncGenerator<RawDoc> {
    report = yield* src.walkPrevious(start, (id) => hasBlock(run.archive.db, id), { maxBlocks: opts.maxBlocks });
  })());
  const unresolved = (await namedMissingBlocks(run.archive.db));
  const missing = (report?.missing ?? []).filter((m) => m.kind !== 'block');
  return { unresolved, missing };
}
