/**
 * What the HTML report shows (docs/spec-report.md, SPEC.md §23), already aggregated: the
 * timeline and the voter lanes are fixed numbers of buckets and every list is capped, so the
 * page's size does not grow with the archive (a 100,000-block archive gives the same number of
 * SVG elements as a 100-block one). Built by ops/report.ts, drawn by html/page.ts.
 */

/** Block counts of one time bucket by election status. */
export interface StatusCounts { valid: number; invalid: number; undecided: number; unelected: number }

/** A capped list: the first `items`, and how many there are in all. */
export interface Capped<T> { items: T[]; total: number }

/** One voter's lane: per bucket, blocks voted on, votes missing (gaps) and forks. */
export interface VoterLane {
  key: string;
  name: string;
  votes: number;
  depth: number;
  completeThrough: string | null;
  completeThroughTimestamp: string | null;
  voted: number[];
  missing: number[];
  forks: number[];
}

/** A block in a drill-down list. */
export interface BlockRow { id: string; timestamp: string | null; nValid: number; nInvalid: number; nVoters: number }

/** Everything the page shows. Timestamps are BigchainDB's (seconds, as decimal text). */
export interface ReportData {
  generatedAt: string;
  archive: { dir: string | null; createdAt: string; formatVersion: number; commits: number };
  federation: { hash: string; keys: { key: string; name: string }[] };
  counts: { blocks: number; votes: number; duplicateVotes: number; transactions: number; quarantined: number; pendingBlocks: number };
  statuses: StatusCounts;
  /** Complete through, overall (the smallest per-voter point), as a block timestamp. */
  completeThroughTimestamp: string | null;
  sources: { name: string; lastPullAt: string; ageSeconds: number; stale: boolean }[];
  /** `null`: this archive keeps no record of it. */
  lastExport: string | null;
  lastCheck: string | null;
  /** `null`: no audit has run (or none is recorded). */
  audit: null | { at: string; summary: string };
  warnings: { code: string; message: string }[];
  /** Bucket edges: bucket i spans [start + i·width, start + (i+1)·width). */
  timeline: { start: number; width: number; buckets: StatusCounts[] };
  lanes: VoterLane[];
  gaps: {
    missingBlocks: Capped<{ block: string; namedBy: string[] }>;
    missingVotes: Capped<{ block: string; voter: string }>;
    forks: Capped<{ voter: string; previous: string; next: string[] }>;
    unreachable: Capped<string>;
    pending: number;
  };
  /** Findings by code, and where they come from (gaps, elections, quarantine). */
  findings: { code: string; count: number; source: string }[];
  quarantine: Capped<{ hash: string; kind: string; origin: string; codes: string[]; at: string }>;
  invalid: Capped<BlockRow>;
  undecided: Capped<BlockRow>;
}
