import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { r } from 'rethinkdb-ts';
import { describeServers, type TestServer } from '../helpers/rethink-servers.js';
import { openRethinkSource, openRethinkTarget, parseRethinkUrl, type RethinkSource } from '../../src/sources/rethinkdb.js';
import { indexesFor, tablesFor } from '../../src/sources/rethinkdb-schema.js';
import { toPlainJson } from '../../src/sources/rethinkdb-target.js';
import { JsonFloat } from '../../src/model/json.js';
import type { Layout, RawDoc, TableName } from '../../src/model/documents.js';
import { syntheticDb, type SyntheticDb } from './rethinkdb-fixtures.js';

const LAYOUTS: Layout[] = ['0.9', '0.10', '1.0', '1.3'];

async function collect(it: AsyncIterable<RawDoc>): Promise<RawDoc[]> {
  const out: RawDoc[] = [];
  for await (const d of it) out.push(d);
  return out;
}
const ids = (docs: RawDoc[]): string[] => docs.map((d) => (d.doc as { id: string }).id);
const urlOf = (d: TestServer, db: string, user = 'admin') => parseRethinkUrl(d.url(db, user), { env: d.env() });

/** Create `db` with the layout's schema through the product's target and load `data`. */
async function loadDb(d: TestServer, db: string, layout: Layout, data: SyntheticDb): Promise<void> {
  const target = await openRethinkTarget({ url: urlOf(d, db) });
  try {
    await target.createDatabase(layout);
    for (const t of tablesFor(layout)) {
      if (t !== 'backlog') await target.insert(t, data[t as 'bigchain' | 'votes' | 'assets' | 'metadata'], { batch: 500 });
    }
  } finally { await target.close(); }
}

describe('parseRethinkUrl', () => {
  it('fills defaults and reads user, password, port and db', () => {
    const u = parseRethinkUrl('rethinkdb://db.example', { env: {} });
    assert.deepEqual({ ...u }, { host: 'db.example', port: 28015, db: 'bigchain', user: 'admin', tls: null });
    assert.equal(u.password, '');
    const v = parseRethinkUrl('rethinkdb://reader:p%40ss@10.0.0.1:29015/ledger', { env: {} });
    assert.equal(v.user, 'reader');
    assert.equal(v.password, 'p@ss');
    assert.equal(v.port, 29015);
    assert.equal(v.db, 'ledger');
  });
  it('takes the password from a file, else from the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'la-rdb-'));
    writeFileSync(join(dir, 'pw'), 'from-file\n');
    assert.equal(parseRethinkUrl('rethinkdb://h/db', { passwordFile: join(dir, 'pw'), env: { LEDGER_ARCHIVE_RETHINKDB_PASSWORD: 'env' } }).password, 'from-file');
    assert.equal(parseRethinkUrl('rethinkdb://h/db', { env: { LEDGER_ARCHIVE_RETHINKDB_PASSWORD: 'env' } }).password, 'env');
    assert.throws(() => parseRethinkUrl('rethinkdb://h/db', { passwordFile: join(dir, 'missing') }), { code: 'LEDGER_INPUT' });
  });
  it('enables TLS with a CA file', () => {
    assert.deepEqual(parseRethinkUrl('rethinkdb://h/db?ca=/etc/ca.pem', { env: {} }).tls, { caFile: '/etc/ca.pem' });
    assert.deepEqual(parseRethinkUrl('rethinkdb://h/db?tls=1', { env: {} }).tls, { caFile: null });
  });
  it('never shows the password', () => {
    const u = parseRethinkUrl('rethinkdb://admin:hunter2@h:1/db', { env: {} });
    for (const shown of [String(u), JSON.stringify(u), inspect(u)]) assert.ok(!shown.includes('hunter2'), shown);
    assert.equal(String(u), 'rethinkdb://admin@h:1/db');
    for (const bad of ['http://a:hunter2@h/db', 'rethinkdb://a:hunter2@h/a/b', 'rethinkdb://a:hunter2@h/db?x=1']) {
      assert.throws(() => parseRethinkUrl(bad), (e: Error & { code?: string }) => e.code === 'LEDGER_USAGE' && !e.message.includes('hunter2') && e.message.includes('***'));
    }
  });
});

describeServers('schema and target', (server) => {

  for (const layout of LAYOUTS) {
    it(`createDatabase(${layout}) makes exactly BigchainDB's tables and indexes`, async () => {
      const d = server();
      const db = `schema_${layout.replace('.', '_')}`;
      const t = await openRethinkTarget({ url: urlOf(d, db) });
      try {
        assert.equal(await t.isEmpty(), true);
        await t.createDatabase(layout);
        assert.equal(await t.isEmpty(), true);
        await assert.rejects(t.createDatabase(layout), { code: 'LEDGER_TARGET' });
        assert.deepEqual(await t.createIndexes(layout), []);
      } finally { await t.close(); }
      for (const table of tablesFor(layout)) {
        const want = indexesFor(layout).filter((i) => i.table === table).map((i) => i.name).sort();
        assert.deepEqual(await d.indexes(db, table), want, `${table} indexes`);
      }
      const expected = { '0.9': 3, '0.10': 3, '1.0': 4, '1.3': 5 }[layout];
      assert.equal(tablesFor(layout).length, expected);
    });
  }

  it('index functions give the keys BigchainDB intends (inputs, outputs, compound)', async () => {
    const d = server();
    for (const layout of ['0.10', '1.3'] as Layout[]) {
      const db = `keys_${layout.replace('.', '_')}`;
      const data = syntheticDb(layout, 3);
      await loadDb(d, db, layout, data);
      const c = await d.connect(db);
      try {
        // inputs: the CREATE's null `fulfills` is skipped (with_fields), the TRANSFER's link is indexed.
        const link = [`c00000001`.padEnd(64, '0'), 0];
        const spenders = await r.table('bigchain').getAll(link, { index: 'inputs' }).run(c);
        assert.deepEqual(spenders.map((b: { id: string }) => b.id), [`b00000002`.padEnd(64, '0')]);
        // outputs: flattened keys, one entry per key occurrence.
        const creator = await r.table('bigchain').getAll('creator', { index: 'outputs' }).run(c);
        assert.equal(creator.length, 3);
        // block_and_voter between [id, minval] and [id, maxval].
        const votes = await r.table('votes').between([`b00000001`.padEnd(64, '0'), r.minval], [`b00000001`.padEnd(64, '0'), r.maxval], { index: 'block_and_voter' }).run(c);
        assert.deepEqual(votes.map((v: { node_pubkey: string }) => v.node_pubkey).sort(), ['node-a', 'node-b']);
        // asset_id holds only TRANSFER links (CREATE assets have no id).
        const keys = d.double !== null ? d.double.indexKeys(db, 'bigchain', 'asset_id')
          : await r.table('bigchain').distinct({ index: 'asset_id' }).run(c);
        assert.deepEqual(keys, [link[0], `c00000000`.padEnd(64, '0')].sort());
      } finally { await c.close(); }
    }
  });

  it('insert refuses duplicates and unsafe integers as LEDGER_TARGET, and reads back', async () => {
    const d = server();
    const t = await openRethinkTarget({ url: urlOf(d, 'ins') });
    try {
      await t.createDatabase('1.3');
      const res = await t.insert('assets', (function* () { for (let i = 0; i < 5; i++) yield { id: `a${i}`, data: { f: new JsonFloat(1.5) } }; })(), { batch: 2 });
      assert.deepEqual(res, { inserted: 5, batches: 3 });
      assert.equal(await t.isEmpty(), false);
      await assert.rejects(t.insert('assets', [{ id: 'a1' }]), (e: Error & { code?: string }) => e.code === 'LEDGER_TARGET' && /Duplicate primary key/.test(e.message));
      // A table scan is in no particular order on the real server (nor, on purpose, on the double).
      const back = (await collect(t.readBack('assets'))).sort((x, y) => ids([x])[0]!.localeCompare(ids([y])[0]!));
      assert.deepEqual(back.map((x) => x.doc), [0, 1, 2, 3, 4].map((i) => ({ id: `a${i}`, data: { f: 1.5 } })));
      assert.throws(() => toPlainJson({ amount: 2n ** 60n }), { code: 'LEDGER_TARGET' });
      assert.deepEqual(toPlainJson({ a: [5n, new JsonFloat(2)] }), { a: [5, 2] });
      // Deep user data (the driver's default limit is 20 levels) is written and read back as it is.
      const deep = { id: 'deep', data: JSON.parse(`${'{"a":['.repeat(150)}1${']}'.repeat(150)}`) as unknown };
      assert.deepEqual(await t.insert('assets', [deep]), { inserted: 1, batches: 1 });
      assert.deepEqual((await collect(t.readBack('assets'))).find((x) => ids([x])[0] === 'deep')?.doc, deep);
      const votes = await t.insert('votes', [{ node_pubkey: 'k', vote: {} }]);
      assert.equal(votes.inserted, 1); // the server makes the vote's UUID
    } finally { await t.close(); }
  });
});

describeServers('openRethinkSource', (server) => {
  let d: TestServer;
  let data: SyntheticDb;
  let src: RethinkSource;
  before(async () => {
    d = server();
    await d.addUser('reader', 'secret');
    data = syntheticDb('1.3', 2500);
    await loadDb(d, 'bigchain', '1.3', data);
    src = await openRethinkSource({ url: parseRethinkUrl(`rethinkdb://reader:secret@${d.host}:${d.port}/bigchain`, { env: {} }), chunk: 7 });
  });
  after(async () => { await src.close(); });

  it('detects every layout', async () => {
    for (const layout of LAYOUTS) {
      const db = `detect_${layout.replace('.', '_')}`;
      await loadDb(d, db, layout, syntheticDb(layout, 2));
      const s = await openRethinkSource({ url: urlOf(d, db) });
      try { assert.equal(await s.detectLayout(), layout); } finally { await s.close(); }
    }
  });

  it('blocksByTx returns each block holding the ids once (fast-check)', async () => {
    const txIds = [...data.blockOfTx.keys()];
    await fc.assert(fc.asyncProperty(fc.subarray(txIds.slice(0, 300), { maxLength: 30 }), async (pick) => {
      const got = ids(await collect(src.blocksByTx([...pick, ...pick])));
      const want = new Set(pick.map((t) => data.blockOfTx.get(t)));
      assert.equal(got.length, new Set(got).size);
      assert.deepEqual(new Set(got), want);
    }), { numRuns: 20 });
    const [one] = await collect(src.blocksByTx([txIds[5] as string]));
    assert.equal(one?.table, 'bigchain');
    assert.equal(one?.origin, `rethinkdb://${d.host}:${d.port}/bigchain/bigchain/${data.blockOfTx.get(txIds[5] as string)}`);
  });

  it('blocksByOwner uses the outputs index and falls back to a scan without it', async () => {
    const got = ids(await collect(src.blocksByOwner(['next-3', 'owner-1'])));
    const want = new Set([...(data.blocksOfOwner.get('next-3') ?? []), ...(data.blocksOfOwner.get('owner-1') ?? [])]);
    assert.equal(got.length, want.size);
    assert.deepEqual(new Set(got), want);
    // A database without BigchainDB's indexes: the fallback scan must agree.
    const small = syntheticDb('0.9', 40);
    await d.load('noindex', 'bigchain', small.bigchain);
    const s = await openRethinkSource({ url: urlOf(d, 'noindex') });
    try {
      assert.equal(await s.detectLayout(), '0.9');
      const scanned = ids(await collect(s.blocksByOwner(['next-3'])));
      assert.deepEqual(new Set(scanned), small.blocksOfOwner.get('next-3'));
    } finally { await s.close(); }
  });

  it('blocksByAsset returns the CREATE block and the TRANSFER blocks', async () => {
    const asset = `c00000010`.padEnd(64, '0');
    const got = ids(await collect(src.blocksByAsset([asset])));
    assert.deepEqual(new Set(got), data.blocksOfAsset.get(asset));
    assert.equal(got.length, 2);
  });

  it('blocksSince streams in timestamp order across batches, inclusive', async () => {
    d.double?.clearQueries();
    const all = await collect(src.blocksSince(null));
    assert.equal(all.length, 2500);
    const ts = all.map((b) => (b.doc as { block: { timestamp: string } }).block.timestamp);
    assert.deepEqual(ts, [...ts].sort());
    const since = await collect(src.blocksSince('1500001000'));
    assert.equal(since.length, 500); // timestamps 1500001000..1500001249, two blocks each
    assert.equal((since[0]?.doc as { block: { timestamp: string } }).block.timestamp, '1500001000');
    if (d.double !== null) {
      const q = d.double.queriesSeen.find((x) => x.terms.includes('BETWEEN'));
      assert.equal(q?.optargs.read_mode, 'majority');
      assert.equal(q?.user, 'reader');
    }
  });

  it('blockById, votesForBlock, assetsFor, metadataFor', async () => {
    const id = `b00000007`.padEnd(64, '0');
    assert.equal(((await src.blockById(id))?.doc as { id: string }).id, id);
    assert.equal(await src.blockById('nope'), null);
    const votes = await collect(src.votesForBlock(id));
    assert.deepEqual(votes.map((v) => (v.doc as { node_pubkey: string }).node_pubkey).sort(), ['node-a', 'node-b']);
    assert.ok(votes.every((v) => v.table === 'votes'));
    const tx = [`c00000003`.padEnd(64, '0'), `c00000004`.padEnd(64, '0'), 'missing'];
    assert.deepEqual((await collect(src.assetsFor(tx))).map((a) => a.doc), [{ id: tx[0], data: { n: 3 } }, { id: tx[1], data: { n: 4 } }]);
    assert.deepEqual((await collect(src.metadataFor(tx))).map((a) => a.table), ['metadata', 'metadata']);
  });

  it('votesForBlocks: one query per chunk of blocks, block after block, every vote once', async () => {
    const blockIds = Array.from({ length: 40 }, (_, i) => `b${(i * 37 % 2500).toString(16).padStart(8, '0')}`.padEnd(64, '0'));
    d.double?.clearQueries();
    const votes = await collect(src.votesForBlocks([...blockIds, 'absent', blockIds[0]!]));
    const of = (v: RawDoc): string => (v.doc as { vote: { voting_for_block: string } }).vote.voting_for_block;
    assert.equal(votes.length, 80);
    assert.deepEqual([...new Set(votes.map(of))], blockIds, 'grouped by block, in the order asked');
    assert.equal(new Set(ids(votes)).size, 80);
    if (d.double !== null) {
      const q = d.double.queriesSeen.filter((x) => x.terms.includes('CONCAT_MAP'));
      assert.equal(q.length, Math.ceil(41 / 7), 'one query per chunk of 7 ids');
      assert.ok(q.every((x) => x.terms.includes('BETWEEN') && x.optargs.read_mode === 'majority'));
    }
  });

  it('changes() delivers inserts from several tables and stops its feeds on exit', async () => {
    const feed = src.changes(['bigchain', 'votes'] as TableName[]);
    const got: RawDoc[] = [];
    const reading = (async () => { for await (const doc of feed) { got.push(doc); if (got.length === 2) break; } })();
    while (await d.feedCount() < 2) await new Promise((res) => setTimeout(res, 5));
    await d.load('bigchain', 'votes', [{ id: 'vote-new', node_pubkey: 'x', vote: {} }]);
    await d.load('bigchain', 'bigchain', [{ id: 'block-new', block: { timestamp: '1600000000', transactions: [] } }]);
    await reading;
    assert.deepEqual(got.map((g) => `${g.table}/${(g.doc as { id: string }).id}`).sort(), ['bigchain/block-new', 'votes/vote-new']);
    while (await d.feedCount() > 0) await new Promise((res) => setTimeout(res, 5));
  });

  it('a dropped connection surfaces as LEDGER_SOURCE naming host and db', async () => {
    if (d.double !== null) { // a cut after exactly N documents: only the double can
      const s = await openRethinkSource({ url: urlOf(d, 'bigchain') });
      d.double.dropAfterDocs(1500);
      let n = 0;
      await assert.rejects((async () => { for await (const _ of s.blocksSince(null)) n++; })(),
        (e: Error & { code?: string; data?: Record<string, unknown> }) => e.code === 'LEDGER_SOURCE' && e.message.includes(`${d.host}:${d.port}/bigchain`) && e.data?.db === 'bigchain');
      assert.equal(n, 1500);
      await s.close();
    }
    const s2 = await openRethinkSource({ url: urlOf(d, 'bigchain') });
    const waiting = (async () => { for await (const _ of s2.changes(['bigchain'])) { /* none */ } })();
    while (await d.feedCount() < 1) await new Promise((res) => setTimeout(res, 5));
    d.dropConnections();
    await assert.rejects(waiting, { code: 'LEDGER_SOURCE' });
    await s2.close();
  });

  it('wrong password and missing database are LEDGER_SOURCE without the password', async () => {
    await assert.rejects(openRethinkSource({ url: parseRethinkUrl(`rethinkdb://reader:wrong-pw@${d.host}:${d.port}/bigchain`) }),
      (e: Error & { code?: string }) => e.code === 'LEDGER_SOURCE' && /Wrong password/.test(e.message) && !e.message.includes('wrong-pw'));
    const s = await openRethinkSource({ url: urlOf(d, 'absent') });
    try {
      await assert.rejects(s.detectLayout(), (e: Error & { code?: string }) => e.code === 'LEDGER_SOURCE' && e.message.endsWith('table_list failed: Database `absent` does not exist'));
    } finally { await s.close(); }
  });
});
