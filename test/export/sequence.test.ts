import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { ingest } from '../../src/ops/ingest.js';
import { exportArchive } from '../../src/ops/export.js';
import { importFiles } from '../../src/ops/import.js';
import { check } from '../../src/ops/check.js';
import { closeArchive, openArchive, type LedgerDb } from '../../src/store/archive.js';
import { buildLedger } from '../helpers/store-ledger.js';
import { diskArchive, dumpDb, memoryArchive, raw } from '../helpers/store-archive.js';
import { tempDir } from './helpers.js';

const W = { workers: 0 };
const DOCS = /^(b|v|vd|ra|rm)!/;

/** Document keys and values (what an export carries). */
async function docsOf(db: LedgerDb): Promise<Map<string, string>> {
  return new Map([...(await dumpDb(db))].filter(([k]) => DOCS.test(k)));
}

test('sequence: every document has one sq! entry, numbered 1..meta!seq; check does not call them stray', async () => {
  const l = buildLedger({ voters: 3, blocks: 4, seed: 'seq' });
  const src = await diskArchive(l.federation);
  await ingest({ archive: src.archive, docs: raw([l.genesis, ...l.blocks.slice(0, 2)]), batchDocs: 2, ...W });
  await ingest({ archive: src.archive, docs: raw([...l.blocks, ...l.votes, l.genesis]), batchDocs: 3, ...W }); // repeats get no new entry
  const all = await dumpDb(src.archive.db);
  const seqs = [...all.keys()].filter((k) => k.startsWith('sq!'));
  const pointed = seqs.map((k) => k.slice('sq!0000000000000000!'.length));
  assert.deepEqual(new Set(pointed), new Set((await docsOf(src.archive.db)).keys()));
  assert.equal(pointed.length, new Set(pointed).size, 'one entry per document');
  assert.deepEqual(seqs.map((k) => Number(k.slice(3, 19))), seqs.map((_, i) => i + 1));
  assert.equal(all.get('meta!seq'), String(seqs.length));
  assert.equal((await check({ archive: src.archive })).ok, true);
  await closeArchive(src.archive);
  src.cleanup();
});

test('sequence: an incremental export from a COPY of the archive folder holds exactly what the copy added', async () => {
  const l = buildLedger({ voters: 2, blocks: 5, seed: 'copy' });
  const src = await diskArchive(l.federation);
  const dir = tempDir('seq-copy');
  await ingest({ archive: src.archive, docs: raw([l.genesis, ...l.blocks.slice(0, 2)]), ...W });
  const full = await exportArchive({ archive: src.archive, out: join(dir, 'full.lae') });
  assert.match(full.header.until!, new RegExp(`^seq:${full.counts.block}@[0-9]+\\.[0-9a-f]{64}$`), 'the cursor names the commit that reached it');
  await closeArchive(src.archive);
  const copyDir = join(dir, 'copy');
  cpSync(src.dir, copyDir, { recursive: true });
  const copy = await openArchive({ dir: copyDir });
  await ingest({ archive: copy, docs: raw([...l.blocks.slice(2), ...l.votes]), ...W });
  const inc = await exportArchive({ archive: copy, out: join(dir, 'inc.lae'), since: full.path });
  assert.deepEqual(inc.counts, { block: 3, vote: l.votes.length, asset: 0, metadata: 0 });
  assert.equal(inc.header.since, full.header.until);
  const dst = await memoryArchive(l.federation);
  await importFiles({ archive: dst, files: [full.path, inc.path], after: null, ...W });
  assert.deepEqual(await docsOf(dst.db), await docsOf(copy.db));
  await closeArchive(copy);
  src.cleanup();
});
