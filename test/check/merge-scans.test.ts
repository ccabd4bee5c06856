/** check's merged scans: groups with only derived records, votes without blocks, workers on and off agree. */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { ingest } from '../../src/ops/ingest.js';
import { check } from '../../src/ops/check.js';
import { key } from '../../src/store/schema.js';
import { buildLedger } from '../helpers/store-ledger.js';
import { memoryArchive, raw } from '../helpers/store-archive.js';

test('check: stray meta/election records between blocks, votes before their block, damage — same findings with and without workers', async () => {
  const l = buildLedger({ voters: 3, blocks: 5, shuffle: true });
  const a = await memoryArchive(l.federation);
  // the last block is withheld: its votes are stored without it (history), which is no damage
  await ingest({ archive: a, docs: raw([l.genesis, ...l.blocks.slice(0, -1), ...l.votes]), workers: 0 });
  for (const workers of [0, 2]) assert.deepEqual((await check({ archive: a, workers })).findings, [], `clean, workers ${workers}`);
  const ghost = '0'.repeat(63) + '1'; // sorts before every real id
  const late = 'f'.repeat(64); // after every real id
  const mid = l.blocks[1]!.id.slice(0, 63) + (l.blocks[1]!.id.endsWith('0') ? '1' : '0');
  await a.db.put(key('es', ghost), '{}');
  await a.db.put(key('bm', late), '{}');
  await a.db.put(key('es', mid), '{}');
  const vk = key('v', l.blocks[2]!.id, l.signers[1]!.key);
  await a.db.put(vk, (await a.db.get(vk))!.replace('"is_block_valid":true', '"is_block_valid":false'));
  const want = [key('es', ghost), key('bm', late), key('es', mid), vk].sort(); // as before the merged scans (the baseline gives the same)
  for (const workers of [0, 2]) {
    const r = await check({ archive: a, workers });
    assert.deepEqual(r.findings.map((f) => f.doc).sort(), want, `workers ${workers}: ${JSON.stringify(r.findings.map((f) => f.message))}`);
    assert.equal(r.documents.blocks, l.blocks.length); // genesis + all but the withheld one
    assert.equal(r.documents.votes, l.votes.length);
  }
});
