/**
 * Pulling a stored layout from RethinkDB re-couples blocks with their rows before
 * ingest (so the worker pool verifies them): the re-coupled block is the original,
 * an absent metadata row means null, an absent asset row leaves the block stored
 * (ingest's re-coupler decides), and a tampered row makes the block fail verification.
 */
import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { canonicalize } from '../../src/model/canonical.js';
import { stripBlock } from '../../src/model/stored.js';
import type { Block } from '../../src/model/types.js';
import { pull } from '../../src/ops/pull.js';
import { recoupleRaw } from '../../src/pull/rethinkdb.js';
import { hasBlock } from '../../src/pull/state.js';
import { openRethinkTarget, parseRethinkUrl } from '../../src/sources/rethinkdb.js';
import type { Layout, RawDoc } from '../../src/model/documents.js';
import { readElection } from '../../src/store/read.js';
import { describeServers, type TestServer } from '../helpers/rethink-servers.js';
import { memoryArchive } from '../helpers/store-archive.js';
import { federationOf, rethinkUrl, rowsFor, smallLedger } from './helpers.js';

const l = smallLedger({ seed: 'pull-recouple', blocks: 12 });
const raw = (table: 'bigchain' | 'assets' | 'metadata', doc: unknown): RawDoc => ({ table, doc, origin: `test/${table}` });
const byId = (rows: { id: string }[]): Map<string, RawDoc> => new Map(rows.map((r) => [r.id, raw('assets', structuredClone(r))]));

describe('pull: re-coupling stored blocks before ingest', () => {
  it('re-coupled = original; a dropped metadata row is null; a dropped asset row leaves the stored block', () => {
    fc.assert(fc.property(fc.constantFrom<Layout>('1.0', '1.3'), fc.nat(l.blocks.length - 1), fc.nat(), fc.boolean(),
      (layout, i, pick, dropAsset) => {
        const full = l.blocks[i]!;
        const s = stripBlock(full, layout);
        const stored = raw('bigchain', structuredClone(s.block));
        const assets = byId(s.assets);
        const metadata = byId(s.metadata);
        const same = recoupleRaw(stored, assets, metadata, layout);
        assert.equal(canonicalize(same.doc), canonicalize(full));
        assert.equal(canonicalize(stored.doc), canonicalize(s.block), 'the input is not changed');
        if (dropAsset && s.assets.length > 0) {
          assets.delete(s.assets[pick % s.assets.length]!.id);
          assert.equal(recoupleRaw(stored, assets, metadata, layout), stored);
        } else if (s.metadata.length > 0) {
          const gone = s.metadata[pick % s.metadata.length]!.id;
          metadata.delete(gone);
          const got = recoupleRaw(stored, assets, metadata, layout).doc as Block;
          for (const tx of got.block.transactions) {
            const want = full.block.transactions.find((t) => t.id === tx.id)!;
            assert.equal(canonicalize(tx.metadata ?? null), tx.id === gone ? 'null' : canonicalize(want.metadata ?? null));
          }
        }
      }), { numRuns: 60 });
  });

  it('malformed stored blocks are passed on unchanged (ingest reports them)', () => {
    for (const doc of [null, 3, { id: 'x' }, { id: 'x', block: { transactions: 'no' } }, { id: 'x', block: { transactions: [7] } }]) {
      const d = raw('bigchain', doc);
      assert.equal(recoupleRaw(d, new Map(), new Map(), '1.3'), d);
    }
  });

  describeServers('from RethinkDB (v1.3) with a tampered metadata row and a missing asset row', (server) => {
    let d: TestServer;
    // Two distinct blocks: one whose CREATE loses its asset row, one whose metadata row is altered.
    const withCreate = l.blocks.findIndex((b, i) => i > 0 && b.block.transactions.some((t) => t.operation === 'CREATE'));
    const missing = l.blocks[withCreate]!;
    const tampered = l.blocks.find((b, i) => i > 0 && i !== withCreate && b.block.transactions.some((t) => t.metadata !== null))!;
    before(async () => {
      d = server();
      const rows = rowsFor('1.3', l.blocks, l.votes) as Record<string, { id: string; metadata?: unknown }[]>;
      const lost = missing.block.transactions.find((t) => t.operation === 'CREATE')!.id;
      rows.assets = rows.assets!.filter((r) => r.id !== lost);
      const changed = tampered.block.transactions.find((t) => t.metadata !== null)!.id;
      rows.metadata = rows.metadata!.map((r) => (r.id === changed ? { ...r, metadata: { tampered: true } } : r));
      const t = await openRethinkTarget({ url: parseRethinkUrl(rethinkUrl(d, 'bad'), { env: {} }) });
      try {
        await t.createDatabase('1.3');
        for (const table of ['assets', 'metadata', 'bigchain', 'votes'] as const) await t.insert(table, rows[table]!);
      } finally { await t.close(); }
    });

    for (const workers of [0, 2]) {
      it(`only the two damaged blocks are refused, with the stored-layout findings (workers ${workers})`, async () => {
        const a = await memoryArchive(federationOf(l));
        const r = await pull({ archive: a, from: rethinkUrl(d, 'bad'), selection: { all: true }, workers });
        assert.equal(r.summary.byKind.block.quarantined, 2, JSON.stringify(r.summary.findings));
        assert.equal(r.summary.byKind.block.new, l.blocks.length - 2);
        assert.equal(r.summary.byKind.vote.new, l.votes.length, 'votes of refused blocks are kept (history)');
        const codes = (id: string): string[] => r.summary.findings.filter((f) => f.doc === id).map((f) => f.code);
        assert.ok(codes(missing.id).includes('BLOCK_MISSING_ASSET'), JSON.stringify(codes(missing.id)));
        assert.ok(codes(tampered.id).includes('BLOCK_ID_MISMATCH'), JSON.stringify(codes(tampered.id)));
        for (const b of l.blocks) {
          const refused = b.id === missing.id || b.id === tampered.id;
          assert.equal(await hasBlock(a.db, b.id), !refused, b.id);
          if (!refused) assert.equal((await readElection(a.db, b.id))?.status, l.statuses.get(b.id), b.id);
        }
      });
    }
  });
});
