/**
 * The ingest pipeline behind the `ingest` operation (ops/ingest.ts, SPEC.md §12.4): the one
 * door every source uses to put documents into an archive. Documents are verified (in worker threads, see
 * verify/pool.ts), stored-layout blocks are re-coupled with their rows, and each
 * document is written with all its index entries — or quarantined with its findings.
 * Idempotent; never overwrites; crash-safe because every LevelDB batch holds whole
 * documents and the elections they change (ingest/writer.ts).
 */
import { LedgerError } from '../errors.js';
import type { Finding } from '../findings.js';
import { noopReporter, type Reporter } from '../report/reporter.js';
import { docSize, type Layout, type RawDoc } from '../model/documents.js';
import type { Archive } from '../store/archive.js';
import { noteDocumentHandled } from '../model/large-documents.js';
import { checkDocuments, openVerifyPool } from '../verify/pool.js';
import type { CheckedDoc } from '../verify/document.js';
import { key } from '../store/schema.js';
import { PREPARE_STEP, preparedBlock, preparedRow, preparedVote } from '../store/prepare.js';
import { BatchWriter } from './writer.js';
import { FATAL_BLOCK_FINDINGS, FATAL_VOTE_FINDINGS as FATAL_VOTE, Recoupler } from './recouple.js';
import { IngestContext, emptySummary, type IngestSummary } from './context.js';
import { chunks } from './chunks.js';
import { canonicalize } from '../model/canonical.js';
import { CheckLane } from './lane.js';

export type { IngestSummary, KindTally, IngestKind } from './context.js';

/** Options of {@link ingest}. */
export interface IngestOptions {
  archive: Archive;
  docs: AsyncIterable<RawDoc> | Iterable<RawDoc>;
  /** The stored layout of the source (recorded with each block; inferred from the blocks when absent). */
  layout?: Layout;
  reporter?: Reporter;
  signal?: AbortSignal;
  /** Record a successful run of this source (sync record `sy!`) in the last batch. */
  source?: { name: string; cursor?: unknown };
  /** Verification worker threads (default: two per core, max 8; 0 = inline). */
  workers?: number;
  /** Documents per LevelDB batch (default 1000). */
  batchDocs?: number;
  /** Stored-layout blocks kept waiting in memory before spilling to disk (default 10,000). */
  pendingLimit?: number;
  /** Findings kept in the summary (all go to the reporter; default 1000). */
  maxFindings?: number;
  now?: () => Date;
}

const isUnsigned = (f: Finding): boolean => f.code === 'DOC_UNSIGNED_FIELD';

/**
 * Verify and store documents (options checked by the caller: ops/ingest.ts).
 * @throws LedgerError LEDGER_ABORTED when `signal` fires (what was complete is kept)
 */
export async function ingestDocuments(opts: IngestOptions): Promise<IngestSummary> {
  const reporter = opts.reporter ?? noopReporter;
  const now = opts.now ?? (() => new Date());
  const writer = new BatchWriter(opts.archive.db, opts.archive.federation, { maxDocs: opts.batchDocs });
  const summary = emptySummary();
  const ctx = new IngestContext(writer, summary, reporter, opts.maxFindings ?? 1000, now);
  // One pool for the stream and the re-coupled blocks sent back to it (./lane.ts).
  const pool = openVerifyPool({ federation: opts.archive.federation, workers: opts.workers, post: PREPARE_STEP });
  const recoupler = new Recoupler(writer, opts.archive.federation, ctx.sink(), opts.pendingLimit ?? 10_000, new CheckLane(pool));
  // Verdicts come back in input order, so the raw documents (for quarantine) queue beside them.
  const raws: RawDoc[] = [];
  const sizes: number[] = []; // the same documents' sizes, for the chunker: a chunk holds at most 8 MiB of them
  async function* tap(): AsyncGenerator<RawDoc> {
    for await (const d of opts.docs) { raws.push(d); sizes.push(docSize(d)); yield d; }
  }
  let done = 0;
  try {
    for await (const chunk of chunks(checkDocuments(tap(), { federation: opts.archive.federation, pool, post: PREPARE_STEP, signal: opts.signal }), 256, () => sizes.shift() ?? 0, 8 << 20)) {
     await writer.prefetch(chunk.flatMap(readsOf));
     for (const v of chunk) {
      const raw = raws.shift()!;
      // Unsigned fields were dropped in the worker (SPEC.md §15.3.1): always said, whatever
      // becomes of the signed form (stored, duplicate, waiting for rows, quarantined).
      if (v.kind !== 'invalid' && v.findings.some(isUnsigned)) {
        v.findings.filter(isUnsigned).forEach((f) => ctx.report(f));
        v.findings = v.findings.filter((f) => !isUnsigned(f));
      }
      switch (v.kind) {
        case 'invalid': await ctx.quarantine(raw, 'document', v.findings); break;
        case 'tx': ctx.tally('tx', 'ignored'); break; // bare transactions (backlog) are not ledger history
        case 'asset': case 'metadata':
          ctx.tally(v.kind, await recoupler.addRow(v.kind, v.row, v.origin, preparedRow(v)?.bytes));
          break;
        case 'block':
          if (v.needs !== null) await recoupler.addBlock(v.block.id, v.stored ?? canonicalize(v.block), v.needs, v.origin, opts.layout ?? (v.needs.metadata.length > 0 ? '1.3' : '1.0'));
          else if (v.findings.some((f) => FATAL_BLOCK_FINDINGS.has(f.code))) await ctx.quarantine(raw, 'block', v.findings);
          else await ctx.storeBlock(v.block, v.origin, opts.layout ?? null, v.findings, raw, preparedBlock(v));
          break;
        case 'vote':
          if (v.findings.some((f) => FATAL_VOTE.has(f.code))) await ctx.quarantine(raw, 'vote', v.findings);
          else await ctx.storeVote(v.vote, v.origin, v.findings, raw, preparedVote(v));
          break;
      }
      writer.noteDoc();
      await writer.maybeFlush();
      noteDocumentHandled(docSize(raw)); // bounded memory under large documents (SPEC.md §21)
      if (++done % 1000 === 0) reporter.progress({ phase: 'ingest', done, unit: 'documents' });
     }
     await recoupler.settle(); // re-coupled blocks checked meanwhile are stored here, between documents
     await writer.maybeFlush();
    }
    await recoupler.finish();
  } catch (err) {
    await writer.flush(); // whole documents handled so far are kept
    if (opts.signal?.aborted === true) throw new LedgerError('LEDGER_ABORTED', 'ingest interrupted; documents handled so far are stored', { done }, err);
    throw err;
  } finally {
    await pool.close();
  }
  if (opts.source !== undefined) ctx.recordSync(opts.source.name, opts.source.cursor ?? null);
  await writer.flush();
  reporter.done();
  return summary;
}

/** Keys handling a verdict will read (fetched ahead in one getMany per chunk). */
function readsOf(v: CheckedDoc): string[] {
  if (v.kind === 'block' && v.needs === null) return [key('b', v.block.id)];
  if (v.kind === 'vote') return [key('v', v.vote.vote.voting_for_block, v.vote.node_pubkey), key('bm', v.vote.vote.voting_for_block)];
  if (v.kind === 'asset' || v.kind === 'metadata') return [key(v.kind === 'asset' ? 'ra' : 'rm', v.id)]; // Recoupler.addRow reads it
  return [];
}

/** Findings of a summary that concern stored documents but did not stop them (for callers' display). */
export function isFatalFinding(f: Finding): boolean {
  return FATAL_BLOCK_FINDINGS.has(f.code) || FATAL_VOTE.has(f.code) || f.code.startsWith('DOC_') || f.code === 'BLOCK_MISSING_ASSET';
}
