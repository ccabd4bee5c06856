import { before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { pull, resolvePullSource } from '../../src/ops/pull.js';
import { compareTimestamps, rewind } from '../../src/pull/rethinkdb.js';
import { readSelectionMemory } from '../../src/pull/state.js';
import { readElection, readVotesOf } from '../../src/store/read.js';
import { readSyncRecord } from '../../src/store/sync.js';
import type { Selection } from '../../src/model/documents.js';
import { describeServers, type TestServer } from '../helpers/rethink-servers.js';
import { memoryArchive } from '../helpers/store-archive.js';
import { archiveContents, countPrefix, createLedgerDb, federationOf, insertRows, rethinkUrl, serverEnv, smallLedger } from './helpers.js';

// The real server runs with an admin password (--initial-password), given as the product's environment.
describeServers('pull from RethinkDB', (server) => {
  let d: TestServer;
  let W: { workers: number; env: Record<string, string> };
  const l = smallLedger({ seed: 'pull-rdb' });
  const LAYOUT_OF: Record<string, string> = { l13: '1.3', l1_0: '1.0', l10: '0.10' };
  before(async () => {
    d = server();
    W = { workers: 0, env: serverEnv(d) };
    await createLedgerDb(d, 'l13', '1.3', l.blocks, l.votes);
    await createLedgerDb(d, 'l1_0', '1.0', l.blocks, l.votes);
    await createLedgerDb(d, 'l10', '0.10', l.blocks, l.votes);
  });

  for (const db of ['l13', 'l1_0', 'l10']) {
    it(`--all (${db}) stores every block and vote, with the intended elections, through majority reads`, async () => {
      const a = await memoryArchive(federationOf(l));
      d.double?.clearQueries();
      const before = await d.queryCount();
      const r = await pull({ archive: a, from: rethinkUrl(d, db), selection: { all: true }, ...W });
      // Votes come per group of blocks (one concatMap query), so the whole pull takes fewer queries than there are blocks.
      const queries = await d.queryCount() - before;
      assert.ok(queries > 0 && queries < l.blocks.length, `${queries} queries for ${l.blocks.length} blocks`);
      assert.equal(r.summary.byKind.block.new, l.blocks.length);
      assert.equal(r.summary.byKind.vote.new, l.votes.length);
      assert.equal(r.summary.quarantined, 0, JSON.stringify(r.summary.findings.slice(0, 3)));
      assert.equal(r.layout, LAYOUT_OF[db]);
      for (const b of l.blocks) assert.equal((await readElection(a.db, b.id))?.status, l.statuses.get(b.id), b.id);
      if (d.double !== null) {
        const reads = d.double.queriesSeen.filter((q) => q.terms.includes('TABLE') && !q.terms.includes('CHANGES') && !q.terms.includes('TABLE_LIST'));
        assert.ok(reads.length > 0 && reads.every((q) => q.optargs.read_mode === 'majority'), 'every read uses read_mode majority');
        // Votes of many blocks in one query per group of blocks, not one per block.
        const voteQueries = d.double.queriesSeen.filter((q) => q.terms.includes('BETWEEN') && q.terms.includes('CONCAT_MAP'));
        assert.equal(voteQueries.length, 1, `${l.blocks.length} blocks, one votes query`);
      }
      const newest = l.blocks.map((b) => b.block.timestamp).sort(compareTimestamps).at(-1);
      assert.equal((r.cursor as { blockTimestamp: string }).blockTimestamp, newest);
      assert.equal((await readSyncRecord(a.db, r.source))?.cursor !== null, true);
    });
  }

  for (const db of ['l13', 'l1_0']) it(`--tx, --owner and --asset (${db}) fetch exactly the selected blocks, each with its votes`, async () => {
    const txBlock = l.blocks[4]!;
    const tx = txBlock.block.transactions[0]!;
    const keysOf = (t: unknown): string[] => ((t as { outputs: unknown }).outputs as { public_keys: string[] }[]).flatMap((o) => o.public_keys);
    const owner = keysOf(l.blocks[6]!.block.transactions[0]!)[0]!;
    const create = l.blocks.slice(1).flatMap((b) => b.block.transactions).find((t) => t.operation === 'CREATE')!;
    const expect = {
      tx: l.blocks.filter((b) => b.block.transactions.some((t) => t.id === tx.id)),
      owner: l.blocks.filter((b) => b.block.transactions.some((t) => keysOf(t).includes(owner))),
      asset: l.blocks.filter((b) => b.block.transactions.some((t) => t.id === create.id || (t.asset as { id?: string } | undefined)?.id === create.id)),
    };
    const cases: ['tx' | 'owner' | 'asset', Selection][] = [['tx', { tx: [tx.id] }], ['owner', { owner: [owner] }], ['asset', { asset: [create.id] }]];
    for (const [kind, selection] of cases) {
      const a = await memoryArchive(federationOf(l));
      const r = await pull({ archive: a, from: rethinkUrl(d, db), selection, ...W });
      const want = expect[kind];
      assert.equal(r.summary.byKind.block.new, want.length, kind);
      assert.equal(await countPrefix(a.db, 'b!'), want.length, kind);
      const votes = l.votes.filter((v) => want.some((b) => b.id === v.vote.voting_for_block)).length;
      assert.equal(r.summary.byKind.vote.new, votes, kind);
      assert.equal(r.summary.quarantined, 0);
    }
  });

  it('remembers selections per source: a bare pull repeats their union', async () => {
    const a = await memoryArchive(federationOf(l));
    const t1 = l.blocks[2]!.block.transactions[0]!.id;
    const t2 = l.blocks[5]!.block.transactions[0]!.id;
    await pull({ archive: a, from: rethinkUrl(d, 'l13'), selection: { tx: [t1] }, ...W });
    await pull({ archive: a, from: rethinkUrl(d, 'l13'), selection: { tx: [t2] }, ...W });
    const mem = await readSelectionMemory(a.db);
    const name = resolvePullSource(rethinkUrl(d, 'l13')).name;
    assert.deepEqual(mem.sources[name]?.selection, { tx: [t1, t2] });
    const r = await pull({ archive: a, ...W });
    assert.deepEqual(r.selection, { tx: [t1, t2] });
    assert.equal(r.summary.byKind.block.new, 0);
    assert.equal(r.summary.byKind.block.duplicate, 2);
    await assert.rejects(pull({ archive: await memoryArchive(federationOf(l)), ...W }), { code: 'LEDGER_USAGE' });
    await assert.rejects(pull({ archive: await memoryArchive(federationOf(l)), from: rethinkUrl(d, 'l13'), ...W }), { code: 'LEDGER_USAGE' });
  });

  for (const layout of ['1.3', '1.0'] as const) it(`incremental (${layout}): the second pull fetches only what is new, and undecided blocks get their new votes`, async () => {
    const db = `inc${layout.replace('.', '_')}`;
    const inc = smallLedger({ seed: 'pull-inc', blocks: 14 });
    const first = inc.blocks.slice(0, 9);
    const laterBlocks = inc.blocks.slice(9);
    const late = inc.blocks[4]!; // decided in the end, undecided after the first pull
    const lateVotes = inc.votes.filter((v) => v.vote.voting_for_block === late.id);
    const early = inc.votes.filter((v) => first.some((b) => b.id === v.vote.voting_for_block)
      && (v.vote.voting_for_block !== late.id || v === lateVotes[0]));
    const rest = inc.votes.filter((v) => !early.includes(v));
    await createLedgerDb(d, db, layout, first, early);
    const a = await memoryArchive(federationOf(inc));
    const from = rethinkUrl(d, db);
    const r1 = await pull({ archive: a, from, selection: { all: true }, overlapSeconds: 0, ...W });
    assert.equal(r1.summary.byKind.block.new, first.length);
    assert.equal((await readElection(a.db, late.id))?.status, 'undecided');
    await insertRows(d, db, layout, laterBlocks, rest);
    const r2 = await pull({ archive: a, overlapSeconds: 0, ...W });
    assert.equal(r2.summary.byKind.block.new, laterBlocks.length);
    assert.ok(r2.summary.byKind.block.duplicate <= 1, `re-read only the cursor's second (got ${r2.summary.byKind.block.duplicate})`);
    assert.equal(r2.summary.byKind.vote.new, rest.length);
    assert.equal((await readElection(a.db, late.id))?.status, inc.statuses.get(late.id));
    const clean = await memoryArchive(federationOf(inc));
    await pull({ archive: clean, from, selection: { all: true }, ...W });
    assert.deepEqual(await archiveContents(a.db), await archiveContents(clean.db));
  });

  it('--fill-gaps fetches the blocks named by stored votes until the chains close, and lists what the source lacks', async () => {
    const a = await memoryArchive(federationOf(l));
    const last = l.blocks.at(-3)!;
    await pull({ archive: a, from: rethinkUrl(d, 'l13'), selection: { tx: [last.block.transactions[0]!.id] }, ...W });
    assert.equal(await countPrefix(a.db, 'b!'), 1);
    d.double?.clearQueries();
    const r = await pull({ archive: a, from: rethinkUrl(d, 'l13'), fillGaps: true, selection: {}, ...W });
    assert.deepEqual(r.unresolved, []);
    // Named blocks come per group through get_all, not one get per block.
    if (d.double !== null) assert.ok(!d.double.queriesSeen.some((q) => q.terms.includes('GET')), 'no single-block get');
    const upTo = l.blocks.indexOf(last);
    assert.ok(await countPrefix(a.db, 'b!') >= upTo + 1, 'every block up to the known one');
    // A source that lost a block: it is listed, the rest is fetched.
    const lost = l.blocks[3]!;
    await createLedgerDb(d, 'lost', '1.3', l.blocks.filter((b) => b !== lost), l.votes);
    const b = await memoryArchive(federationOf(l));
    await pull({ archive: b, from: rethinkUrl(d, 'lost'), selection: { tx: [last.block.transactions[0]!.id] }, ...W });
    const r2 = await pull({ archive: b, from: rethinkUrl(d, 'lost'), fillGaps: true, ...W });
    assert.deepEqual(r2.unresolved, [lost.id]);
    assert.ok((await readVotesOf(b.db, lost.id)).votes.length > 0, 'the votes on the lost block are kept');
  });

  it('cursor arithmetic: rewind keeps the digit count, comparison is numeric', () => {
    fc.assert(fc.property(fc.integer({ min: 1_000_000_000, max: 9_999_999_999 }), fc.integer({ min: 0, max: 10_000 }), (t, s) => {
      const r = rewind(String(t), s);
      if (String(t - s).length === 10) assert.equal(r, String(t - s)); else assert.equal(r, null);
    }));
    fc.assert(fc.property(fc.nat(), fc.nat(), (x, y) => Math.sign(compareTimestamps(String(x), String(y))) === Math.sign(x - y)));
  });
}, { real: { password: 'pull-real-pw' } });
