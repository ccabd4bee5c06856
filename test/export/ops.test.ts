import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ingest } from '../../src/ops/ingest.js';
import { exportArchive } from '../../src/ops/export.js';
import { importFiles } from '../../src/ops/import.js';
import { closeArchive, type LedgerDb } from '../../src/store/archive.js';
import { buildLedger, makeVote } from '../helpers/store-ledger.js';
import { diskArchive, dumpDb, memoryArchive, raw } from '../helpers/store-archive.js';
import { rejectsWith, tempDir } from './helpers.js';

const W = { workers: 0 };
/** Documents and what is derived from them; not `bm!` (how a source stored a block) or `sy!` (sync records). */
const COMPARED = /^(b|v|vd|ra|rm|es|ch|tx|ow|as|ts|q)!/;

async function docsOf(db: LedgerDb): Promise<Map<string, string>> {
  return new Map([...(await dumpDb(db))].filter(([k]) => COMPARED.test(k)));
}

/** Each block's stored layout (`bm!`). */
async function layoutsOf(db: LedgerDb): Promise<Map<string, unknown>> {
  return new Map([...(await dumpDb(db))].filter(([k]) => k.startsWith('bm!')).map(([k, v]) => [k, (JSON.parse(v) as { layout: unknown }).layout]));
}

test('ops: full export → import into an empty archive gives the same documents and elections (plain and sealed)', async () => {
  const l = buildLedger({ voters: 3, blocks: 6 });
  const src = await diskArchive(l.federation);
  const dup = makeVote(l.signers[0]!, l.blocks[0]!.id, l.genesis.id, true, 1_500_000_999); // a second vote: kept under vd!
  // Two stored layouts, as after pulls from two sources: each block's layout must survive the round trip.
  await ingest({ archive: src.archive, docs: raw([l.genesis, ...l.blocks.slice(0, 3)]), layout: '1.0', ...W });
  await ingest({ archive: src.archive, docs: raw([...l.blocks.slice(3), ...l.votes, dup]), layout: '1.3', ...W });
  const dir = tempDir('ops-full');
  for (const key of [undefined, randomBytes(32)]) {
    const out = join(dir, key === undefined ? 'full.lae' : 'full.sealed.lae');
    const w = await exportArchive({ archive: src.archive, out, key });
    assert.equal(w.incremental, false);
    assert.equal(w.counts.block, 7);
    const dst = await memoryArchive(l.federation);
    const r = await importFiles({ archive: dst, files: [out], key, ...W });
    assert.equal(r.files[0]!.ingest.quarantined, 0);
    assert.deepEqual(await docsOf(dst.db), await docsOf(src.archive.db));
    assert.deepEqual(await layoutsOf(dst.db), await layoutsOf(src.archive.db));
  }
  assert.deepEqual(new Set((await layoutsOf(src.archive.db)).values()), new Set(['1.0', '1.3']));
  await closeArchive(src.archive);
  src.cleanup();
});

test('ops: full + incrementals → import equals the archive they came from (property over ledgers and cut points)', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.array(fc.nat({ max: 100 }), { minLength: 1, maxLength: 3 }),
    async (voters, blocks, cuts) => {
      const l = buildLedger({ voters, blocks, seed: `p${voters}-${blocks}` });
      const docs = [l.genesis, ...l.blocks, ...l.votes];
      const points = [...new Set(cuts.map((c) => Math.floor((c / 100) * docs.length)))].sort((a, b) => a - b);
      const src = await diskArchive(l.federation);
      const dir = tempDir('ops-chain');
      const files: string[] = [];
      let from = 0;
      for (const [i, to] of [...points, docs.length].entries()) {
        await ingest({ archive: src.archive, docs: raw(docs.slice(from, to)), ...W });
        const out = join(dir, `e${i}.lae`);
        const w = await exportArchive({ archive: src.archive, out, since: files.at(-1) });
        assert.equal(w.header.sequence, i);
        files.push(out);
        from = to;
      }
      const dst = await memoryArchive(l.federation);
      await importFiles({ archive: dst, files: [...files].reverse(), after: null, ...W });
      assert.deepEqual(await docsOf(dst.db), await docsOf(src.archive.db));
      await closeArchive(src.archive);
      src.cleanup();
    }), { numRuns: 8 });
});

test('ops: an incremental holds only what is new; broken chains and damaged files stop import before any write', async () => {
  const l = buildLedger({ voters: 2, blocks: 4 });
  const src = await diskArchive(l.federation);
  const dir = tempDir('ops-inc');
  await ingest({ archive: src.archive, docs: raw([l.genesis, ...l.blocks.slice(0, 2)]), ...W });
  const full = await exportArchive({ archive: src.archive, out: join(dir, 'full.lae') });
  await ingest({ archive: src.archive, docs: raw([...l.blocks.slice(2), ...l.votes]), ...W });
  const inc = await exportArchive({ archive: src.archive, out: join(dir, 'inc.lae'), since: full.path });
  assert.deepEqual(inc.counts, { block: 2, vote: l.votes.length, asset: 0, metadata: 0 });
  assert.equal(inc.header.previous, full.digest);
  assert.equal(inc.header.since, full.header.until);
  const nothing = await exportArchive({ archive: src.archive, out: join(dir, 'none.lae'), since: inc.path });
  assert.equal(nothing.counts.block + nothing.counts.vote, 0);

  const dst = await memoryArchive(l.federation);
  await rejectsWith(importFiles({ archive: dst, files: [inc.path], after: null, ...W }), 'LEDGER_EXPORT_CORRUPT', 'no full');
  await rejectsWith(importFiles({ archive: dst, files: [full.path, nothing.path], ...W }), 'LEDGER_EXPORT_CORRUPT', 'missing link');
  // Across imports: an incremental alone needs its predecessor imported before (or --unlinked).
  await rejectsWith(importFiles({ archive: dst, files: [inc.path], ...W }), 'LEDGER_EXPORT_CORRUPT', 'not imported before');
  assert.equal((await dumpDb(dst.db)).size, 0, 'nothing written');
  const bad = join(dir, 'bad.lae');
  const bytes = readFileSync(inc.path);
  bytes[Math.floor(bytes.length / 2)] ^= 0x40;
  writeFileSync(bad, bytes);
  await rejectsWith(importFiles({ archive: dst, files: [full.path, bad], ...W }), 'LEDGER_EXPORT_CORRUPT', 'damaged');
  assert.equal((await dumpDb(dst.db)).size, 0, 'nothing written');

  const later = await memoryArchive(l.federation);
  await importFiles({ archive: later, files: [full.path], ...W });
  await importFiles({ archive: later, files: [inc.path], ...W }); // links to the import before
  await importFiles({ archive: later, files: [inc.path, nothing.path], ...W }); // re-import is harmless
  const loose = await memoryArchive(l.federation);
  const r = await importFiles({ archive: loose, files: [inc.path], unlinked: true, ...W });
  assert.equal(r.files[0]!.ingest.byKind.block.new, 2);
  const other = buildLedger({ voters: 2, blocks: 1, seed: 'other' });
  const foreign = await diskArchive(other.federation);
  await rejectsWith(exportArchive({ archive: foreign.archive, out: join(dir, 'f.lae'), since: full.path }), 'LEDGER_ARCHIVE_FEDERATION', 'foreign since');
  await rejectsWith(importFiles({ archive: foreign.archive, files: [full.path], ...W }), 'LEDGER_ARCHIVE_FEDERATION', 'foreign import');
  const twin = await diskArchive(l.federation);
  await rejectsWith(exportArchive({ archive: twin.archive, out: join(dir, 't.lae'), since: full.path }), 'LEDGER_USAGE', 'not from this archive');
  for (const a of [src, foreign, twin]) { await closeArchive(a.archive); a.cleanup(); }
});
