/**
 * ledger-archive's public library surface (package.json "exports" → dist/src/index.js).
 * Everything else is internal. test/exports.test.ts pins this list.
 */
// Catalogues: stable codes (SPEC.md §8, §9, §14)
export { ERROR_CODES, LedgerError, isLedgerError, type ErrorCode } from './errors.js';
export { FINDING_CODES, finding, type Finding, type FindingCode, type DocKind } from './findings.js';

// Formats (SPEC.md §2–§6, §10)
export { parseJson, isJsonFloat, JsonFloat, type JsonValue } from './model/json.js';
export { canonicalize, canonicalBytes, tryCanonicalBytes } from './model/canonical.js';
export { computeTxId } from './model/tx-id.js';
export { loadFederation, federationFromJson, federationToJson, type Federation, type FederationFile } from './model/federation.js';
export { recoupleBlock, stripBlock } from './model/stored.js';
export type { Block, BlockBody, Vote, VoteBody, Transaction, AssetRow, MetadataRow, BlockStatus } from './model/types.js';
export { hashHex, type HashName } from './crypto/hash.js';
export { verifyEd25519, type Ed25519Backend } from './crypto/ed25519.js';

// Verification (SPEC.md §7)
export { verifyBlock } from './verify/block.js';
export { verifyVote, voteEligibility } from './verify/vote.js';
export { verifyTransaction } from './verify/transaction.js';
export { electBlock, decide, transactionStatus, type Election } from './verify/election.js';
export { checkDocument, type CheckedDoc } from './verify/document.js';
export { checkDocuments } from './verify/pool.js';

// Sources and files (SPEC.md §11, §16)
export type { RawDoc, TableName, Layout, Selection } from './model/documents.js';
export { openRethinkSource, openRethinkTarget, parseRethinkUrl } from './sources/rethinkdb.js';
export { openHttpSource } from './sources/http.js';
export { readDump, readDumpInfo } from './dump/read.js';
export { writeDump } from './dump/write.js';
export { readDocumentFiles, openAnySource } from './dump/documents.js';

// The archive (SPEC.md §15)
export { initArchive, openArchive, closeArchive, resolveArchiveDir, type Archive } from './store/archive.js';

// Operations, one per file (SPEC.md §13–§18)
export { verifyDocuments } from './ops/verify.js';
export { ingest } from './ops/ingest.js';
export { findGaps } from './ops/gaps.js';
export { status } from './ops/status.js';
export { show } from './ops/show.js';
export { check } from './ops/check.js';
export { repairIndexes } from './ops/repair-indexes.js';
export { pull } from './ops/pull.js';
export { rebuild } from './ops/rebuild.js';
export { planRebuild } from './rebuild/plan.js';
export { createIndexes } from './ops/create-indexes.js';
export { merge } from './ops/merge.js';
export { exportArchive } from './ops/export.js';
export { importFiles } from './ops/import.js';
export { listQuarantine, retryQuarantine, dropQuarantine } from './ops/quarantine.js';

// Export files (SPEC.md §17)
export { writeExport } from './export/write.js';
export { readExport, verifyExportFile } from './export/read.js';
export { checkChain } from './export/chain.js';
export { generateKeyFile, loadKeyFile } from './export/keyfile.js';

// Reporting (SPEC.md §12) and the CLI
export { noopReporter, type Reporter, type Progress } from './report/reporter.js';
export { HumanReporter } from './report/human.js';
export { JsonReporter } from './report/json.js';
export { main } from './cli/main.js';
export { EXIT } from './cli/exit-codes.js';
