/**
 * The `gaps` operation (SPEC.md §12.5): which blocks and votes the vote chains name but the
 * archive lacks, forks, duplicates, and how far each voter's chain is complete. Outline:
 * the archive is streamed into the pure detector (chain/gaps.ts) by chain/archive.ts.
 */
import { scanArchiveGaps, type GapsOptions } from '../chain/archive.js';
import type { GapReport } from '../chain/gaps.js';

export type { GapReport } from '../chain/gaps.js';
export type { GapsOptions } from '../chain/archive.js';

/**
 * Detect gaps in an archive.
 * @returns the report; `findings` is empty when the archive is complete as far as its chains show
 * @example const r = await findGaps({ archive }); r.completeThroughTimestamp
 */
export async function findGaps(opts: GapsOptions): Promise<GapReport> {
  if (opts.archive === undefined) throw new TypeError('findGaps: archive is required');
  return scanArchiveGaps(opts);
}
