/**
 * The shape of a rebuild plan (docs/spec-rebuild.md §2), apart from the planner
 * (./plan.ts) so that the row writer (./rows.ts), which the planner uses to count rows,
 * needs no import back into the planner.
 */
import type { BlockStatus } from '../model/types.js';
import type { Layout, TableName } from '../model/documents.js';
import type { LeftOutBlock } from './select.js';

/** `--until`: a block id or a unix-seconds timestamp. */
export type UntilSpec = { blockId: string } | { timestamp: string };

/** The first gap and what the plan did about it. */
export interface PlanGaps {
  /** Gap findings by code (GAP_UNREACHABLE_BLOCK is listed but is no gap: the restore rule decides those blocks). */
  byCode: Record<string, number>;
  /** Where the first chain break is, or null when every chain is unbroken. */
  first: { voter: string; completeThrough: string | null; timestamp: string | null } | null;
  /** True when blocks after the first gap were left out (gaps present, not allowed). */
  stopped: boolean;
  genesisMissing: boolean;
}

/** What a rebuild will write. */
export interface RebuildPlan {
  layout: Layout;
  layoutFrom: 'option' | 'archive' | 'default';
  /** Blocks per stored layout in the archive (`null`: unknown, e.g. NDJSON files). */
  archiveLayouts: Record<string, number>;
  until: { spec: UntilSpec; timestamp: string } | null;
  keepUndecided: boolean;
  allowGaps: boolean;
  genesis: string | null;
  /** Kept block ids (in memory: ~100 bytes a block). */
  keep: ReadonlySet<string>;
  /** Only votes with `vote.timestamp ≤` this are written (point in time), else null. */
  voteCutoff: string | null;
  /** Rows per table of the layout (BigchainDB's creation order); assets/metadata are null unless counted. */
  tables: Partial<Record<TableName, number | null>>;
  /** Statuses of the kept blocks (recomputed when `until` is given). */
  statuses: Record<BlockStatus, number>;
  leftOut: LeftOutBlock[];
  votesLeftOut: number;
  /** Kept votes that are second votes by one voter on one block (ledger history, BigchainDB refuses to count them). */
  duplicateVotes: number;
  gaps: PlanGaps;
}
