import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { connect as netConnect } from 'node:net';
import fc from 'fast-check';
import { r, type Connection, type RDatum } from 'rethinkdb-ts';
import { IMPLEMENTED_TERMS, startRethinkDouble, type RethinkDouble } from './rethinkdb-server.js';
import { describeServers, type TestServer } from '../helpers/rethink-servers.js';
import { compareDatum, MAXVAL, MINVAL } from './rethinkdb/datum.js';

// rethinkdb-ts drops the server message's final period and appends " in:" and the query.
const errMsg = (e: unknown): string => (e instanceof Error ? (e.message.split('\n')[0] ?? '').replace(/ in:$/, '') : String(e));

describe('RethinkDB double: handshake', () => {
  let d: RethinkDouble;
  before(async () => { d = await startRethinkDouble({ users: { admin: '', alice: 'wonder land' } }); });
  after(async () => { await d.close(); });

  it('accepts admin without a password and a user with one', async () => {
    const a = await r.connect({ host: d.host, port: d.port, silent: true });
    assert.deepEqual(await r.dbList().run(a), ['rethinkdb', 'test']);
    await a.close();
    const b = await r.connect({ host: d.host, port: d.port, user: 'alice', password: 'wonder land', silent: true });
    assert.equal(await r.expr(1).add(2).run(b), 3);
    await b.close();
    assert.deepEqual(d.queriesSeen.map((q) => q.user), ['admin', 'alice']);
  });

  it('refuses a wrong password and an unknown user with RethinkDB\'s errors', async () => {
    await assert.rejects(r.connect({ host: d.host, port: d.port, user: 'alice', password: 'nope', silent: true }), (e) => errMsg(e) === 'Wrong password');
    await assert.rejects(r.connect({ host: d.host, port: d.port, user: 'alice', silent: true }), (e) => errMsg(e) === 'Wrong password');
    await assert.rejects(r.connect({ host: d.host, port: d.port, user: 'mallory', password: 'x', silent: true }), (e) => errMsg(e) === 'Unknown user');
    d.setUser('mallory', 'x');
    const c = await r.connect({ host: d.host, port: d.port, user: 'mallory', password: 'x', silent: true });
    await c.close();
  });

  it('answers an old protocol magic number with the text error', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const s = netConnect(d.port, d.host, () => { const b = Buffer.alloc(4); b.writeUInt32LE(0x400c2d20, 0); s.write(b); });
      let got = '';
      s.on('data', (x) => { got += x.toString('utf8'); });
      s.on('close', () => resolve(got));
      s.on('error', reject);
    });
    assert.match(text, /^ERROR: Received an unsupported protocol version/);
  });

  it('serves SERVER_INFO and NOREPLY_WAIT', async () => {
    const c = await r.connect({ host: d.host, port: d.port, silent: true });
    const info = await c.server();
    assert.equal(info.name, 'rethinkdb_double');
    await c.noreplyWait();
    await c.close();
  });
});

// The same queries against the double and the real server: where they differ, the double is wrong (SPEC.md §20).
describeServers('RethinkDB queries', (server, kind) => {
  let s: TestServer;
  let c: Connection;
  const doubleOnly = kind === 'real' ? { skip: 'about the double itself' } : {};
  before(async () => {
    s = server();
    c = await s.connect('app');
    await r.dbCreate('app').run(c);
    await r.tableCreate('docs').run(c);
    await r.table('docs').indexCreate('tags', { multi: true }).run(c);
    await r.table('docs').indexCreate('pair', (row: RDatum) => [row('g'), row('n')]).run(c);
    await r.table('docs').indexCreate('n').run(c);
    await r.table('docs').indexWait().run(c);
    const docs = Array.from({ length: 350 }, (_, i) => ({ id: `d${String(i).padStart(3, '0')}`, n: i, g: i % 3, tags: i % 10 === 0 ? ['x', 'x', 'y'] : ['y'] }));
    await r.table('docs').insert(docs).run(c);
  });
  after(async () => { await c.close(); });

  it('refuses terms it does not implement, naming them', doubleOnly, async () => {
    await assert.rejects(r.table('docs').filter({ n: 1 }).run(c), (e) => /Term FILTER is not implemented/.test(errMsg(e)));
    await assert.rejects(r.uuid().run(c), (e) => /Term UUID is not implemented/.test(errMsg(e)));
    assert.ok(IMPLEMENTED_TERMS.includes('GET_ALL') && !IMPLEMENTED_TERMS.includes('FILTER'));
  });

  it('reports missing tables, databases and indexes like RethinkDB', async () => {
    await assert.rejects(r.table('nope').run(c), (e) => errMsg(e) === 'Table `app.nope` does not exist');
    await assert.rejects(r.db('gone').tableList().run(c), (e) => errMsg(e) === 'Database `gone` does not exist');
    await assert.rejects(r.table('docs').getAll(1, { index: 'zzz' }).run(c), (e) => errMsg(e) === 'Index `zzz` was not found on table `app.docs`');
    await assert.rejects(r.error('boom').run(c), (e) => errMsg(e) === 'boom');
  });

  it('streams in batches; a cut after N documents ends the cursor with a connection error', async () => {
    const all = await r.table('docs').orderBy({ index: 'n' }).run(c);
    assert.deepEqual(all.map((x: { n: number }) => x.n), Array.from({ length: 350 }, (_, i) => i));
    const d = s.double;
    if (d === null) return; // the cut after exactly N documents is the double's fault hook
    const c2 = await r.connect({ host: d.host, port: d.port, db: 'app', silent: true });
    d.dropAfterDocs(150);
    const cursor = await r.table('docs').getCursor(c2);
    let n = 0;
    await assert.rejects((async () => { for await (const _ of cursor) n++; })());
    assert.equal(n, 150);
    await c2.close();
  });

  it('get_all on a multi index returns a row once per matching entry', async () => {
    assert.equal((await r.table('docs').getAll('x', { index: 'tags' }).run(c)).length, 70);
    assert.equal((await r.table('docs').getAll('y', { index: 'tags' }).count().run(c)), 350);
    assert.deepEqual((await r.table('docs').getAll('d001', 'd002', 'zz').run(c)).map((x: { n: number }) => x.n), [1, 2]);
  });

  it('between on a compound index with minval/maxval and bounds', async () => {
    const g1 = await r.table('docs').between([1, r.minval], [1, r.maxval], { index: 'pair' }).run(c);
    assert.equal(g1.length, 117);
    assert.ok(g1.every((x: { g: number }) => x.g === 1));
    const closed = await r.table('docs').between(10, 20, { index: 'n', rightBound: 'closed', leftBound: 'open' }).orderBy({ index: 'n' }).run(c);
    assert.deepEqual(closed.map((x: { n: number }) => x.n), Array.from({ length: 10 }, (_, i) => 11 + i));
    const desc = await r.table('docs').orderBy({ index: r.desc('n') }).limit(2).run(c);
    assert.deepEqual(desc.map((x: { n: number }) => x.n), [349, 348]);
    await assert.rejects(r.table('docs').between(1, 2, { index: 'n' }).orderBy({ index: 'pair' }).run(c), (e) => /Cannot order by index `pair`/.test(errMsg(e)));
  });

  it('insert honours conflict and durability and generates keys', async () => {
    await r.tableCreate('w').run(c);
    const first = await r.table('w').insert([{ id: 1, a: 1 }, { b: 2 }], { durability: 'hard' }).run(c);
    assert.equal(first.inserted, 2);
    assert.equal(first.generated_keys?.length, 1);
    const dup = await r.table('w').insert({ id: 1, a: 2 }).run(c);
    assert.equal(dup.errors, 1);
    assert.match(dup.first_error ?? '', /^Duplicate primary key `id`/);
    assert.equal((await r.table('w').insert({ id: 1, a: 1 }, { conflict: 'replace' }).run(c)).unchanged, 1);
    assert.equal((await r.table('w').insert({ id: 1, c: 3 }, { conflict: 'update' }).run(c)).replaced, 1);
    assert.deepEqual(await r.table('w').get(1).run(c), { id: 1, a: 1, c: 3 });
    await assert.rejects(r.table('w').insert({ id: 2 }, { durability: 'fast' as 'hard' }).run(c), (e) => /Durability option `fast` unrecognized/.test(errMsg(e)));
  });

  it('changefeeds deliver initial rows and later changes', async () => {
    await r.tableCreate('f').run(c);
    await r.table('f').insert({ id: 'old' }).run(c);
    const feed = await r.table('f').changes({ includeInitial: true }).run(c);
    const first = await feed.next();
    assert.deepEqual(first, { new_val: { id: 'old' } });
    setTimeout(() => { void r.table('f').insert({ id: 'new' }).run(c); }, 10);
    assert.deepEqual(await feed.next(), { new_val: { id: 'new' }, old_val: null });
    await feed.close();
    while (await s.feedCount() > 0) await new Promise((res) => setTimeout(res, 5));
  });

  // Each of these was a difference between the double and RethinkDB 2.4 (SPEC.md §20).
  it('behaves as the real server where the double once differed', async () => {
    await r.tableCreate('k').run(c);
    await r.table('k').insert({ id: 'o', zeta: 1, alpha: { '\u2028': 1, 'é': 2, b: 3 }, Z: 0 }).run(c);
    const doc = await r.table('k').get('o').run(c) as Record<string, Record<string, number>>;
    assert.deepEqual(Object.keys(doc), ['Z', 'alpha', 'id', 'zeta'], 'object keys in UTF-8 byte order');
    assert.deepEqual(Object.keys(doc.alpha!), ['b', 'é', '\u2028']);
    assert.ok((await r.dbList().run(c)).includes('rethinkdb'), 'the system database is listed');
    await assert.rejects(r.table('docs').getAll(null, { index: 'n' }).run(c), (e) => errMsg(e) === 'Keys cannot be NULL');
    await assert.rejects(r.table('docs').between(null, 5, { index: 'n' }).run(c), (e) => /^Cannot use `null` in BETWEEN/.test(errMsg(e)));
    const bad = await r.table('k').insert([{ id: 'o' }, 5 as unknown as object]).run(c);
    assert.equal(bad.errors, 2);
    assert.equal(bad.first_error, 'Expected type OBJECT but found NUMBER.', 'type errors before duplicate keys');
    // Table scans and unordered index reads are not in key order (shard by shard).
    const scan = (await r.table('docs').run(c)).map((x: { n: number }) => x.n);
    assert.notDeepEqual(scan, [...scan].sort((x, y) => x - y));
    const slice = (await r.table('docs').between(0, 100, { index: 'n' }).run(c)).map((x: { n: number }) => x.n);
    assert.equal(slice.length, 100);
    assert.notDeepEqual(slice, [...slice].sort((x, y) => x - y));
    // Data limits: keys cut at NUL, pseudo-types, lone surrogates, primary key length.
    await r.table('k').insert({ id: 'nul', d: { 'a\u0000b': 1 } }).run(c);
    assert.deepEqual(await r.table('k').get('nul').run(c), { id: 'nul', d: { a: 1 } });
    await assert.rejects(r.table('k').insert({ id: 'pt', d: { $reql_type$: 'FOO' } }).run(c), (e) => errMsg(e) === 'Unknown $reql_type$ `PTYPE<FOO>`');
    await assert.rejects(r.table('k').insert({ id: 'ls', d: '\ud800' }).run(c), (e) => errMsg(e) === 'Client is buggy (failed to deserialize query)');
    const long = await r.table('k').insert({ id: 'x'.repeat(128) }).run(c);
    assert.match(long.first_error ?? '', /^Primary key too long \(max 127 characters\)/);
    assert.equal((await r.table('k').insert({ id: 'x'.repeat(127) }).run(c)).inserted, 1);
    await assert.rejects(r.expr(Array.from({ length: 100_001 }, (_, i) => i)).count().run(c), (e) => /^Array over size limit `100000`/.test(errMsg(e)));
    // concatMap over an array whose function returns a table slice: a stream, in the array's order.
    const groups = await r.expr([2, 0, 1]).concatMap((g: RDatum) => r.table('docs').between([g, r.minval], [g, r.maxval], { index: 'pair' })).run(c);
    const gs = groups.map((x: { g: number }) => x.g);
    assert.deepEqual([...new Set(gs)], [2, 0, 1]);
    assert.equal(gs.length, 350);
  });

  it('records term names and global optargs of every query', async () => {
    const d = s.double;
    if (d !== null) {
      d.clearQueries();
      await r.table('docs').getAll('x', { index: 'tags' }).count().run(c, { readMode: 'majority' });
      assert.deepEqual(d.queriesSeen[0]?.terms, ['COUNT', 'GET_ALL', 'TABLE', 'DB']);
      assert.equal(d.queriesSeen[0]?.optargs.read_mode, 'majority');
    }
    await assert.rejects(r.table('docs').count().run(c, { readMode: 'sloppy' as 'single' }), (e) => /Read mode `sloppy` unrecognized/.test(errMsg(e)));
  });
}, { double: { batchSize: 100 } });

describe('RethinkDB double: ReQL order', () => {
  const datum = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ unit: 'binary' }), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.string(), tie('v'), { maxKeys: 3 })),
  })).v;

  it('is a total order: antisymmetric and transitive, minval/maxval at the ends', () => {
    fc.assert(fc.property(datum, datum, datum, (a, b, c) => {
      assert.equal(Math.sign(compareDatum(a, b)) + Math.sign(compareDatum(b, a)), 0);
      if (compareDatum(a, b) <= 0 && compareDatum(b, c) <= 0) assert.ok(compareDatum(a, c) <= 0);
      assert.ok(compareDatum(MINVAL, a) < 0 && compareDatum(a, MAXVAL) < 0);
    }), { numRuns: 500 });
  });

  it('orders types as RethinkDB does and arrays lexicographically', () => {
    const items = [MINVAL, [], [1], [1, 2], [2], false, true, null, -1, 3, {}, { a: 1 }, '', 'a', 'b', '\u{1F600}', '\uFFFF', MAXVAL];
    const shuffled = [...items].reverse().sort(compareDatum);
    assert.deepEqual(shuffled, [MINVAL, [], [1], [1, 2], [2], false, true, null, -1, 3, {}, { a: 1 }, '', 'a', 'b', '\uFFFF', '\u{1F600}', MAXVAL]);
  });
});
