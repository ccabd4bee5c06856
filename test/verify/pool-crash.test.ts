/**
 * Issue 9 item 6: no worker crash escapes. A check that throws is a DOC_MALFORMED verdict
 * naming the document; a worker that dies loses no verdict (its batches are checked inline)
 * and no rejection goes unhandled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDocuments } from '../../src/verify/pool.js';
import { federationFromJson } from '../../src/model/federation.js';
import type { RawDoc } from '../../src/model/documents.js';
import { buildLedger } from '../helpers/ledger-builder.js';

const l = buildLedger({ blocks: 3, seed: 'pool-crash', txsPerBlock: [1, 1] });
const federation = federationFromJson(l.federation);
const STEP = new URL('../helpers/crashing-step.js', import.meta.url).href;
const docs = (special: string, at: number): RawDoc[] => [...l.blocks, ...l.votes].map((d, i) => ({ table: null, doc: JSON.parse(JSON.stringify(d)) as unknown, origin: i === at ? special : `doc#${i}` }));

for (const workers of [0, 2]) {
  test(`a check that throws is a DOC_MALFORMED verdict naming the document (workers ${workers})`, async () => {
    const out = [];
    for await (const v of checkDocuments(docs('throw', 3), { federation, workers, batchSize: 2, post: STEP })) out.push(v);
    assert.equal(out.length, l.blocks.length + l.votes.length);
    assert.deepEqual(out[3]!.kind, 'invalid');
    assert.deepEqual(out[3]!.findings.map((f) => [f.code, f.doc]), [['DOC_MALFORMED', 'throw']]);
    assert.ok(out.every((v, i) => i === 3 || v.kind !== 'invalid'));
  });
}

test('a worker that dies loses no verdict and leaves no unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => { unhandled.push(e); };
  process.on('unhandledRejection', onUnhandled);
  try {
    const want = [];
    for await (const v of checkDocuments(docs('x', -1), { federation, workers: 0 })) want.push(v.findings.length);
    const got = [];
    for await (const v of checkDocuments(docs('die', 2), { federation, workers: 2, batchSize: 2, post: STEP })) got.push(v.findings.length);
    assert.deepEqual(got, want, 'every document has its verdict, in order');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
