/**
 * The `verify` operation (SPEC.md §13.1): check a stream of documents against the
 * pinned federation without storing anything, and decide every block's election.
 */
import type { Finding } from '../findings.js';
import type { Federation } from '../model/federation.js';
import { noopReporter, type Reporter } from '../report/reporter.js';
import type { RawDoc } from '../sources/source.js';
import { checkDocuments } from '../verify/pool.js';
import { ElectionTracker, type Decided } from '../verify/election-tracker.js';
import type { BlockStatus } from '../model/types.js';

/** Per-kind tallies. */
export interface KindCount { checked: number; verified: number; withFindings: number }

/** What {@link verifyDocuments} found. */
export interface VerifyReport {
  counts: Record<'block' | 'vote' | 'tx' | 'asset' | 'metadata' | 'invalid', KindCount>;
  statuses: Record<BlockStatus, number>;
  findings: number;
  /** Votes whose block was not in the input: block id → number of votes. */
  votesWithoutBlock: number;
  /** Stored-layout blocks whose assets/metadata rows were not in the input (not verified). */
  blocksNeedingRows: number;
}

/** Options of {@link verifyDocuments}. */
export interface VerifyOptions {
  docs: AsyncIterable<RawDoc>;
  federation: Federation;
  reporter?: Reporter;
  workers?: number;
  signal?: AbortSignal;
}

const zero = (): KindCount => ({ checked: 0, verified: 0, withFindings: 0 });

/**
 * Verify documents and decide elections; findings and `block` records go to the reporter.
 * @returns the tallies; `findings > 0` means something did not verify
 */
export async function verifyDocuments(opts: VerifyOptions): Promise<VerifyReport> {
  const reporter = opts.reporter ?? noopReporter;
  const report: VerifyReport = {
    counts: { block: zero(), vote: zero(), tx: zero(), asset: zero(), metadata: zero(), invalid: zero() },
    statuses: { valid: 0, invalid: 0, undecided: 0 }, findings: 0, votesWithoutBlock: 0, blocksNeedingRows: 0,
  };
  const tracker = new ElectionTracker(opts.federation);
  const emitFinding = (f: Finding): void => { report.findings++; reporter.finding(f); };
  const emitDecided = (d: Decided | null): void => {
    if (d === null) return;
    report.statuses[d.election.status]++;
    d.election.findings.forEach(emitFinding);
    const e = d.election;
    reporter.record('block', { id: d.blockId, status: e.status, n_voters: e.nVoters, n_valid: e.nValid, n_invalid: e.nInvalid });
  };
  let done = 0;
  for await (const v of checkDocuments(opts.docs, { federation: opts.federation, workers: opts.workers, signal: opts.signal })) {
    const c = report.counts[v.kind];
    c.checked++;
    if (v.findings.length === 0) c.verified++; else c.withFindings++;
    v.findings.forEach(emitFinding);
    if (v.kind === 'block') {
      if (v.needs !== null) { report.blocksNeedingRows++; c.verified--; reporter.warn(`block ${v.block.id} is in stored layout and its assets/metadata rows were not given: not verified`); }
      else if (v.findings.length === 0) emitDecided(tracker.addBlock(v.block.id, v.block.block.voters, v.block.block.timestamp));
      else reporter.record('block', { id: v.block.id, status: 'unverified' });
    } else if (v.kind === 'vote') {
      const r = tracker.addVote(v.vote, v.signatureOk);
      r.late.forEach(emitFinding);
      emitDecided(r.decided);
    }
    if (++done % 500 === 0) reporter.progress({ phase: 'verify', done });
  }
  const end = tracker.finish();
  end.decided.forEach(emitDecided);
  for (const n of end.orphanVotes.values()) report.votesWithoutBlock += n;
  reporter.done();
  return report;
}
