import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { ChainLink } from '../../src/chain/gaps.js';
import type { BlockStatus } from '../../src/model/types.js';
import { pull } from '../../src/ops/pull.js';
import { rebuild } from '../../src/ops/rebuild.js';
import { selectBlocks, type PlanBlock } from '../../src/rebuild/select.js';
import { describeServers, type TestServer } from '../helpers/rethink-servers.js';
import { memoryArchive } from '../helpers/store-archive.js';
import { archiveOf, comparable, firstDifference, idsOf } from './helpers.js';
import { federationOf, rethinkUrl, smallLedger } from '../pull/helpers.js';

const W = { workers: 0 };

/** Small generated ledgers: seed, size, federation, reordering, one chosen invalid block. */
const ledgerArb = fc.record({
  seed: fc.string({ minLength: 1, maxLength: 8 }),
  blocks: fc.integer({ min: 2, max: 7 }),
  federationSize: fc.integer({ min: 1, max: 4 }),
  reorderRate: fc.constantFrom(0, 0.3),
  invalid: fc.integer({ min: 0, max: 7 }),
  layout: fc.constantFrom('1.3' as const, '1.0' as const, '0.10' as const),
  keepUndecided: fc.boolean(),
});

type LedgerParams = typeof ledgerArb extends fc.Arbitrary<infer T> ? T : never;

function ledgerFor(p: LedgerParams) {
  const undecided = p.federationSize >= 2 ? [1, 0] : [0];
  return smallLedger({
    seed: `props/${p.seed}`, blocks: p.blocks, federationSize: p.federationSize, reorderRate: p.reorderRate,
    invalidAt: p.invalid > 0 && p.invalid < p.blocks - undecided.length ? [p.invalid] : [], undecided,
  });
}

let run = 0;

describeServers('rebuild properties over generated ledgers', (server, kind) => {
  let d: TestServer;
  before(() => { d = server(); });

  it('archive → rebuild into RethinkDB → pull back gives the same archive (restricted to the plan\'s blocks)', async () => {
    await fc.assert(fc.asyncProperty(ledgerArb, async (p) => {
      const l = ledgerFor(p);
      const a = await archiveOf(l, p.layout);
      const db = `props${run++}`;
      const r = await rebuild({ archive: a, to: rethinkUrl(d, db), keepUndecided: p.keepUndecided, env: d.env() });
      assert.equal(r.check?.equal, true, JSON.stringify(r.check?.differences.slice(0, 3)));
      assert.equal(r.marker, 'complete');
      const back = await memoryArchive(federationOf(l));
      const pr = await pull({ archive: back, from: rethinkUrl(d, db), selection: { all: true }, ...W });
      assert.equal(pr.summary.quarantined, 0);
      assert.deepEqual(new Set(await idsOf(back.db, 'b')), new Set(r.plan.keep));
      if (p.keepUndecided) {
        assert.equal(firstDifference(await comparable(a.db), await comparable(back.db)), 'none');
      } else {
        for (const id of r.plan.keep) assert.equal(await back.db.get(`es!${id}`), await a.db.get(`es!${id}`), `election of ${id}`);
      }
    }), { numRuns: kind === 'real' ? 4 : 8 }); // a database on the real server costs ~1 s (table_create)
  });
});

describe('rebuild properties over generated ledgers (files)', () => {
  let tmp: string;
  before(() => { tmp = mkdtempSync(join(tmpdir(), 'la-rebuild-props-')); });
  after(() => { rmSync(tmp, { recursive: true, force: true }); });

  it('archive → dump file → pull from the file gives the same archive', async () => {
    await fc.assert(fc.asyncProperty(ledgerArb, async (p) => {
      const l = ledgerFor(p);
      const a = await archiveOf(l, p.layout);
      const file = join(tmp, `props-${run++}.tar.gz`);
      await rebuild({ archive: a, to: file, keepUndecided: true });
      const back = await memoryArchive(federationOf(l));
      const pr = await pull({ archive: back, from: file, ...W });
      assert.equal(pr.summary.quarantined, 0);
      assert.equal(firstDifference(await comparable(a.db, true), await comparable(back.db, true)), 'none');
    }), { numRuns: 8 });
  });
});

/** Abstract ledgers for the selection rule: statuses and each voter's order of a subset of blocks. */
const modelArb = fc.integer({ min: 1, max: 10 }).chain((n) => fc.record({
  statuses: fc.array(fc.constantFrom<BlockStatus>('valid', 'invalid', 'undecided'), { minLength: n, maxLength: n }),
  orders: fc.array(fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i + 1)), { minLength: 1, maxLength: 4 }),
}));

it('property: a block is kept exactly when it is genesis or some voter\'s chain reaches a VALID block from it', () => {
  fc.assert(fc.property(modelArb, ({ statuses, orders }) => {
    const id = (i: number): string => `b${i}`;
    const blocks: PlanBlock[] = [{ id: id(0), timestamp: '0', status: 'undecided' },
      ...statuses.map((s, i) => ({ id: id(i + 1), timestamp: String(i + 1), status: s }))];
    const chains = orders.map((o, v) => {
      const links: ChainLink[] = [];
      let prev = id(0);
      for (const b of o) { links.push({ prev, next: id(b) }); prev = id(b); }
      return { voter: `v${v}`, links };
    });
    const { keep, leftOut } = selectBlocks({ blocks, genesis: id(0), chains });
    // Oracle: forward along each voter's order (a different walk from the implementation's backward one).
    const status = new Map(blocks.map((b) => [b.id, b.status]));
    const want = new Set([id(0), ...blocks.filter((b) => b.status === 'valid').map((b) => b.id)]);
    for (const o of orders) o.forEach((b, k) => { if (o.slice(k).some((x) => status.get(id(x)) === 'valid')) want.add(id(b)); });
    assert.deepEqual(new Set(keep), want);
    assert.equal(keep.size + leftOut.length, blocks.length);
    assert.ok(leftOut.every((b) => b.reason === 'after-last-valid' && b.status !== 'valid'));
    const all = selectBlocks({ blocks, genesis: id(0), chains, keepUndecided: true });
    assert.equal(all.keep.size, blocks.length);
  }), { numRuns: 300 });
});
