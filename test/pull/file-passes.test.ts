/**
 * Pulling everything from a dump in a stored layout reads the assets/metadata tables
 * first (rethinkdb dump tars bigchain before metadata), so blocks never wait for rows;
 * the archive is the same as with one pass in dump order.
 */
import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDump } from '../../src/dump/write.js';
import { ingest } from '../../src/ops/ingest.js';
import { pull } from '../../src/ops/pull.js';
import { fileDocuments, filePasses } from '../../src/pull/file.js';
import { memoryArchive, tempDir } from '../helpers/store-archive.js';
import { archiveContents, federationOf, rowsFor, smallLedger } from './helpers.js';

const l = smallLedger({ seed: 'pull-file-passes', blocks: 14 });

describe('pull from a dump: rows first', () => {
  it('passes: rows tables first for a stored layout; one pass otherwise', async () => {
    const { dir, cleanup } = tempDir('la-passes-');
    try {
      const rows = rowsFor('1.3', l.blocks, l.votes);
      const sorted = ['assets', 'bigchain', 'metadata', 'votes'] as const;
      const d13 = join(dir, 'v13.tar.gz');
      await writeDump(d13, { db: 'bigchain', tables: sorted.map((name) => ({ name, docs: rows[name] })) });
      assert.deepEqual(await filePasses(d13), [['assets', 'metadata'], ['bigchain', 'votes']]);
      const plain = rowsFor('0.10', l.blocks, l.votes);
      const d10 = join(dir, 'v10.tar.gz');
      await writeDump(d10, { db: 'bigchain', tables: (['bigchain', 'votes'] as const).map((name) => ({ name, docs: plain[name] })) });
      assert.deepEqual(await filePasses(d10), [undefined]);
      const nd = join(dir, 'l.ndjson');
      writeFileSync(nd, l.blocks.map((b) => JSON.stringify(b)).join('\n'));
      assert.deepEqual(await filePasses(nd), [undefined]);
      assert.deepEqual(await filePasses(join(dir, 'absent.tar.gz')), [undefined]);

      // The same archive as ingesting the dump in its own order (blocks waiting for their rows).
      const a = await memoryArchive(federationOf(l));
      const r = await pull({ archive: a, from: d13, workers: 0 });
      assert.equal(r.summary.byKind.block.new, l.blocks.length);
      assert.equal(r.summary.byKind.vote.new, l.votes.length);
      assert.equal(r.summary.quarantined, 0);
      const b = await memoryArchive(federationOf(l));
      const s = await ingest({ archive: b, docs: fileDocuments(d13), workers: 0, pendingLimit: 2 });
      assert.equal(s.byKind.block.new, l.blocks.length);
      assert.deepEqual(await archiveContents(a.db), await archiveContents(b.db));
    } finally { cleanup(); }
  });
});
