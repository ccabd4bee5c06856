/**
 * The `ingest` operation (SPEC.md §12.4): the one door every source uses to put documents
 * into an archive. Outline: check the options, run the pipeline (ingest/pipeline.ts:
 * verification in worker threads, re-coupling of stored layouts in ingest/recouple.ts,
 * atomic batches in ingest/writer.ts), return the summary (ingest/context.ts).
 */
import { ingestDocuments, type IngestOptions } from '../ingest/pipeline.js';
import type { IngestSummary } from '../ingest/context.js';

export type { IngestOptions } from '../ingest/pipeline.js';
export type { IngestSummary, KindTally, IngestKind } from '../ingest/context.js';
export { isFatalFinding } from '../ingest/pipeline.js';

/**
 * Verify and store documents.
 * @returns counts by outcome and kind, and the findings (first `maxFindings`)
 * @throws LedgerError LEDGER_ABORTED when `signal` fires (what was complete is kept)
 * @example const s = await ingest({ archive, docs: readDump('dump.tar.gz') }); s.new
 */
export async function ingest(opts: IngestOptions): Promise<IngestSummary> {
  if (opts.archive === undefined || opts.docs === undefined) throw new TypeError('ingest: archive and docs are required');
  return ingestDocuments(opts);
}
