/**
 * The `verify` operation (SPEC.md §13.1): check a stream of documents against the
 * pinned federation without storing anything, and decide every block's election.
 * Stored-layout blocks (dumps of BigchainDB 1.0/1.3) are re-coupled with their rows
 * as ingest does: they wait in a scratch LevelDB until the stream ends (the rows may
 * come after them), take part in elections meanwhile, and are verified at the end;
 * an election is reported only once its block verified.
 */
import type { Finding } from '../findings.js';
import type { Federation } from '../model/federation.js';
import { noopReporter, type Reporter } from '../report/reporter.js';
import type { RawDoc } from '../model/documents.js';
import { checkDocuments } from '../verify/pool.js';
import { ElectionTracker, type Decided } from '../verify/election-tracker.js';
import type { BlockStatus } from '../model/types.js';
import { openScratchDb, type ScratchDb } from '../store/scratch.js';
import { StoredStage, type Recoupled } from '../ingest/verify-recouple.js';

/** Per-kind tallies. */
export interface KindCount { checked: number; verified: number; withFindings: number }

/** What {@link verifyDocuments} found. */
export interface VerifyReport {
  counts: Record<'block' | 'vote' | 'tx' | 'asset' | 'metadata' | 'invalid', KindCount>;
  statuses: Record<BlockStatus, number>;
  findings: number;
  /** Votes whose block was not in the input: block id → number of votes. */
  votesWithoutBlock: number;
  /** Stored-layout blocks whose assets rows were not in the input (BLOCK_MISSING_ASSET, not verified). */
  blocksNeedingRows: number;
  /** Transactions inside the blocks read (each checked with its block; `counts.tx` counts bare transaction documents). */
  transactionsInBlocks: number;
}

/** Options of {@link verifyDocuments}. */
export interface VerifyOptions {
  docs: AsyncIterable<RawDoc> | Iterable<RawDoc>;
  federation: Federation;
  reporter?: Reporter;
  workers?: number;
  signal?: AbortSignal;
  /** Opens the scratch database for stored-layout blocks (default: a temporary LevelDB folder). */
  scratch?: () => Promise<ScratchDb>;
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
    statuses: { valid: 0, invalid: 0, undecided: 0 }, findings: 0, votesWithoutBlock: 0, blocksNeedingRows: 0, transactionsInBlocks: 0,
  };
  const tracker = new ElectionTracker(opts.federation);
  const stage = new StoredStage(opts.scratch ?? (() => openScratchDb()));
  const emitFinding = (f: Finding): void => { report.findings++; reporter.finding(f); };
  const emitDecided = (d: Decided | null): void => {
    if (d === null) return;
    if (stage.has(d.blockId)) { stage.saveElection(d); return; } // reported once its block verified
    report.statuses[d.election.status]++;
    d.election.findings.forEach(emitFinding);
    const e = d.election;
    reporter.record('block', { id: d.blockId, status: e.status, n_voters: e.nVoters, n_valid: e.nValid, n_invalid: e.nInvalid });
  };
  const tally = (kind: keyof VerifyReport['counts'], findings: readonly Finding[]): void => {
    const c = report.counts[kind];
    c.checked++;
    if (findings.length === 0) c.verified++; else c.withFindings++;
    findings.forEach(emitFinding);
  };
  let done = 0;
  try {
    for await (const v of checkDocuments(opts.docs, { federation: opts.federation, workers: opts.workers, signal: opts.signal })) {
      if (v.kind === 'block') report.transactionsInBlocks += v.transactionCount ?? (Array.isArray(v.block.block.transactions) ? v.block.block.transactions.length : 0);
      if (v.kind === 'block' && v.needs !== null) {
        // Stored layout: counted when verified, at the end; its votes elect it meanwhile.
        v.findings.forEach(emitFinding); // DOC_UNSIGNED_FIELD: the signed form goes on
        if (stage.addBlock(v.block, v.origin, v.stored)) emitDecided(tracker.addBlock(v.block.id, v.block.block.voters, v.block.block.timestamp));
      } else {
        tally(v.kind, v.findings);
        if (v.kind === 'block') {
          if (v.findings.every(isUnsigned)) emitDecided(tracker.addBlock(v.block.id, v.block.block.voters, v.block.block.timestamp));
          else reporter.record('block', { id: v.block.id, status: 'unverified' });
        } else if (v.kind === 'vote') {
          const r = tracker.addVote(v.vote, v.signatureOk);
          r.late.forEach(emitFinding);
          emitDecided(r.decided);
        } else if (v.kind === 'asset' || v.kind === 'metadata') stage.addRow(v.kind, v.id, v.row, v.origin);
      }
      stage.takeConflicts().forEach(emitFinding);
      await stage.maybeFlush();
      if (++done % 500 === 0) reporter.progress({ phase: 'verify', done });
    }
    const end = tracker.finish();
    end.decided.forEach(emitDecided);
    for (const n of end.orphanVotes.values()) report.votesWithoutBlock += n;
    if (stage.size > 0) await verifyStaged(stage, opts, report, { tally, emitFinding });
  } finally {
    await stage.close();
  }
  reporter.done();
  return report;
}

/** A dropped unsigned field leaves the signed form standing (SPEC.md §15.3.1): the block is still elected. */
const isUnsigned = (f: Finding): boolean => f.code === 'DOC_UNSIGNED_FIELD';

interface Emitters {
  tally(kind: 'block', findings: readonly Finding[]): void;
  emitFinding(f: Finding): void;
}

/** Verify the re-coupled stored-layout blocks (in the pool) and report their saved elections. */
async function verifyStaged(stage: StoredStage, opts: VerifyOptions, report: VerifyReport, out: Emitters): Promise<void> {
  const reporter = opts.reporter ?? noopReporter;
  const queue: Recoupled[] = [];
  const incomplete: Recoupled[] = [];
  async function* full(): AsyncGenerator<RawDoc> {
    for await (const r of stage.recoupled()) {
      if (r.raw === null) incomplete.push(r);
      else { queue.push(r); yield r.raw; }
    }
  }
  const finishBlock = async (id: string, findings: readonly Finding[]): Promise<void> => {
    out.tally('block', findings);
    const d = await stage.election(id);
    if (findings.length > 0) { reporter.record('block', { id, status: 'unverified' }); return; }
    if (d === null) return;
    report.statuses[d.election.status]++;
    d.election.findings.forEach(out.emitFinding);
    const e = d.election;
    reporter.record('block', { id, status: e.status, n_voters: e.nVoters, n_valid: e.nValid, n_invalid: e.nInvalid });
  };
  for await (const v of checkDocuments(full(), { federation: opts.federation, workers: opts.workers, signal: opts.signal })) {
    const r = queue.shift()!;
    for (const m of incomplete.splice(0)) { report.blocksNeedingRows++; await finishBlock(m.id, m.missing!); }
    await finishBlock(r.id, v.findings);
  }
  for (const m of incomplete.splice(0)) { report.blocksNeedingRows++; await finishBlock(m.id, m.missing!); }
}
