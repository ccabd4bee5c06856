import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers/fixtures.js';

// The public surface is a contract: adding or removing a name is a deliberate change here.
const EXPECTED = ['ERROR_CODES', 'EXIT', 'FINDING_CODES', 'HumanReporter', 'JsonFloat', 'JsonReporter', 'LedgerError',
  'canonicalBytes', 'canonicalize', 'check', 'checkChain', 'checkDocument', 'checkDocuments', 'closeArchive', 'computeTxId',
  'createIndexes', 'decide', 'dropQuarantine', 'electBlock', 'exportArchive', 'federationFromJson', 'federationToJson', 'findGaps', 'finding',
  'generateKeyFile', 'hashHex', 'importFiles', 'ingest', 'initArchive', 'isJsonFloat', 'isLedgerError', 'listQuarantine', 'loadFederation',
  'loadKeyFile', 'main', 'merge', 'noopReporter', 'openAnySource', 'openArchive', 'openHttpSource', 'openRethinkSource',
  'openRethinkTarget', 'parseJson', 'parseRethinkUrl', 'planRebuild', 'pull', 'readDocumentFiles', 'readDump', 'readDumpInfo',
  'readExport', 'rebuild', 'recoupleBlock', 'repairIndexes', 'resolveArchiveDir', 'retryQuarantine', 'show', 'status', 'stripBlock',
  'transactionStatus', 'tryCanonicalBytes', 'verifyBlock', 'verifyDocuments', 'verifyEd25519', 'verifyExportFile',
  'verifyTransaction', 'verifyVote', 'voteEligibility', 'writeDump', 'writeExport'];

test('the package entry point exports exactly the documented surface', async () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { default: string }> };
  const mod = await import(join(ROOT, pkg.exports['.']!.default)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(mod).sort(), EXPECTED);
});

test('the entry point verifies the reference chain end to end', async () => {
  const mod = await import(join(ROOT, 'dist/src/index.js')) as typeof import('../src/index.js');
  const chain = mod.parseJson(readFileSync(join(ROOT, 'fixtures/vectors/reference/derived-chain-v1.0.json'), 'utf8')) as unknown as Record<string, import('../src/index.js').Block>;
  const fed = mod.federationFromJson({ keys: ['DngBurxfeNVKZWCEcDnLj1eMPAS7focUZTE5FndFGuHT'] });
  assert.deepEqual(mod.verifyBlock(chain.block2!, fed), []);
});
