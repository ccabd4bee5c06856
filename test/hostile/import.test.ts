/**
 * Import (issue 10): an intact export file whose documents break the limits (written by a
 * hostile exporter, so digest and chain are fine) gives DOC_LIMIT findings for those
 * documents; the valid documents around them are stored.
 */
import { test } from 'node:test';
import { join } from 'node:path';
import { writeExport } from '../../src/export/write.js';
import { federationFromJson } from '../../src/model/federation.js';
import { parseJson } from '../../src/model/json.js';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { FEDERATION, GOOD_LINES, assertBounded, assertFinding, initArchive, runChild, workspace } from './helpers.js';

const ws = workspace();
test.after(() => ws.cleanup());

test('an intact export holding a 150-deep document and a 1,001-transaction block: DOC_LIMIT each, the rest stored', async () => {
  const federation = federationFromJson(JSON.parse(readFileSync(FEDERATION, 'utf8')));
  let deep: unknown = 1;
  for (let i = 0; i < 150; i++) deep = [deep];
  const big = { id: 'ef'.repeat(32), signature: 'x', block: { timestamp: '1509955200', node_pubkey: 'x', voters: [],
    transactions: Array.from({ length: 1001 }, (_, i) => ({ id: String(i) })) } };
  const good = GOOD_LINES.map((l) => parseJson(l) as Record<string, unknown>);
  const records = [
    ...good.slice(0, 20).map((doc) => ({ kind: 'block' in doc ? 'block' as const : 'vote' as const, doc: doc as never })),
    { kind: 'vote' as const, doc: { vote: { deep }, node_pubkey: 'x', signature: 'y' } as never },
    { kind: 'block' as const, doc: big as never },
    ...good.slice(20).map((doc) => ({ kind: 'block' in doc ? 'block' as const : 'vote' as const, doc: doc as never })),
  ];
  const file = join(ws.dir, 'hostile.lae');
  await writeExport(file, { federation, records });
  const archive = join(ws.dir, 'archive');
  await initArchive(archive);
  const r = await runChild(['import', file, '--archive', archive, '--workers', '1']);
  assertBounded(r, 1, 60_000, 'import');
  assertFinding(r, 'DOC_LIMIT', /.+/, 'maxDepth');
  assertFinding(r, 'DOC_LIMIT', 'ef'.repeat(32), 'maxBlockTransactions');
  const ingest = (r.summary?.files as { ingest: { new: number; quarantined: number } }[])[0]!.ingest;
  assert.deepEqual([ingest.new, ingest.quarantined], [GOOD_LINES.length, 2]);
});
