/**
 * The real `rethinkdb dump` / `restore` / `export` (Python driver 2.4) against the real
 * RethinkDB 2.4 server (issue 8): a dump of a ledger database ingests with no finding
 * and the source's counts; `rebuild --to FILE.tar.gz`, restored by the real tool, then
 * `create-indexes`, equals the source database table by table, indexes included; an
 * export folder pulls. And the CLI over TLS with a password prints no Node warning.
 */
import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { r, type Connection } from 'rethinkdb-ts';
import { pull } from '../../src/ops/pull.js';
import { rebuild } from '../../src/ops/rebuild.js';
import { initArchive } from '../../src/store/archive.js';
import { openRethinkTarget, parseRethinkUrl } from '../../src/sources/rethinkdb.js';
import type { Layout, TableName } from '../../src/model/documents.js';
import { syntheticDb } from '../sources/rethinkdb-fixtures.js';
import { events, runCli } from '../helpers/cli.js';
import { findRethinkdb, findRethinkdbTools, pythonScript, rethinkdbTool } from '../helpers/real-rethinkdb.js';
import { indexesFor, tablesFor } from '../../src/sources/rethinkdb-schema.js';
import { startServer, type TestServer } from '../helpers/rethink-servers.js';
import { memoryArchive, tempDir } from '../helpers/store-archive.js';
import { archiveContents, createLedgerDb, federationOf, rowsFor, smallLedger } from '../pull/helpers.js';

const server = findRethinkdb();
const tools = 'skip' in server ? server : findRethinkdbTools();
const skip = 'skip' in tools ? tools.skip : undefined;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Every row of every table of a database (sorted by id) and its index definitions, as RethinkDB reports them. */
async function snapshot(c: Connection, db: string): Promise<Record<string, { rows: string[]; indexes: unknown[]; keys: Record<string, unknown[]> }>> {
  const out: Record<string, { rows: string[]; indexes: unknown[]; keys: Record<string, unknown[]> }> = {};
  for (const t of (await r.db(db).tableList().run(c)).sort()) {
    const rows = (await r.db(db).table(t).orderBy({ index: 'id' }).run(c)).map((x) => JSON.stringify(x));
    const status = (await r.db(db).table(t).indexStatus().run(c)) as unknown as Record<string, unknown>[];
    const indexes = status.map(({ index, multi, geo, outdated, function: fn }) => ({ index, multi, geo, outdated, fn: Buffer.from(fn as Uint8Array).toString('base64') }))
      .sort((a, b) => String(a.index).localeCompare(String(b.index)));
    const keys: Record<string, unknown[]> = {};
    // What each index holds: its distinct keys (the real server computes them).
    for (const i of indexes) keys[String(i.index)] = await r.db(db).table(t).distinct({ index: String(i.index) }).run(c);
    out[t] = { rows, indexes, keys };
  }
  return out;
}

describe('real rethinkdb dump / restore / export', skip === undefined ? {} : { skip }, () => {
  const l = smallLedger({ seed: 'real-tools', blocks: 12 });
  let s: TestServer;
  let c: Connection;
  let n = 0;
  const tmp = tempDir('la-real-tools-');
  const scratch = (): string => { const d = join(tmp.dir, `w${n++}`); mkdirSync(d); return d; };
  const addr = (): string => `${s.host}:${s.port}`;
  const tool = async (args: string[], cwd: string): Promise<void> => {
    const res = await rethinkdbTool(args, cwd);
    assert.equal(res.status, 0, `rethinkdb ${args[0]}: ${res.stdout}\n${res.stderr}`);
  };
  before(async () => {
    s = await startServer('real');
    c = await s.connect();
    await createLedgerDb(s, 'l13', '1.3', l.blocks, l.votes);
    await createLedgerDb(s, 'l10', '1.0', l.blocks, l.votes);
  });
  after(async () => { await c?.close(); await s?.close(); tmp.cleanup(); });

  for (const [db, layout] of [['l13', '1.3'], ['l10', '1.0']] as [string, Layout][]) {
    it(`a real dump (${layout}) ingests with no finding and the source's counts, and equals a pull`, async () => {
      const dir = scratch();
      const file = join(dir, `${db}.tar.gz`);
      await tool(['dump', '-c', addr(), '-e', db, '-f', file], dir);
      const archive = join(dir, 'archive');
      await initArchive({ dir: archive, federation: federationOf(l) });
      const ing = await runCli(['ingest', file, '--archive', archive, '--json', '--workers', '0']);
      assert.equal(ing.code, 0, ing.stdout.slice(-2000));
      const sum = events(ing.stdout).at(-1)!;
      assert.equal(sum.findingsTotal, 0);
      const rows = rowsFor(layout, l.blocks, l.votes);
      const byKind = sum.byKind as { block: { new: number }; vote: { new: number } };
      assert.equal(byKind.block.new, l.blocks.length);
      assert.equal(byKind.vote.new, l.votes.length);
      assert.equal(await r.db(db).table('bigchain').count().run(c), rows.bigchain.length);
      assert.equal(await r.db(db).table('votes').count().run(c), rows.votes.length);
      // The same documents as a pull from the server itself.
      const fromDump = await memoryArchive(federationOf(l));
      await pull({ archive: fromDump, from: file, workers: 0 });
      const fromServer = await memoryArchive(federationOf(l));
      await pull({ archive: fromServer, from: `rethinkdb://admin@${addr()}/${db}`, selection: { all: true }, workers: 0 });
      const [x, y] = [await archiveContents(fromDump.db), await archiveContents(fromServer.db)];
      for (const k of [...x.keys()]) if (k.startsWith('bm!')) { x.delete(k); y.delete(k); } // block meta names the origin
      assert.deepEqual(x, y);
    });
  }

  it('rebuild --to FILE.tar.gz, real restore, create-indexes: equal to the source database table by table, indexes included', async () => {
    const a = await memoryArchive(federationOf(l));
    await pull({ archive: a, from: `rethinkdb://admin@${addr()}/l13`, selection: { all: true }, workers: 0 });
    const dir = scratch();
    const file = join(dir, 'rebuilt.tar.gz');
    const rb = await rebuild({ archive: a, to: file, keepUndecided: true, db: 'restored' });
    assert.equal(rb.written?.bigchain, l.blocks.length);
    await tool(['restore', '-c', addr(), file], dir);
    const ci = await runCli(['create-indexes', '--to', `rethinkdb://admin@${addr()}/restored`, '--json']);
    assert.equal(ci.code, 0, ci.stderr);
    assert.equal((events(ci.stdout).at(-1)!.created as string[]).length, 7);
    const source = await snapshot(c, 'l13');
    assert.deepEqual(Object.keys(source), ['assets', 'backlog', 'bigchain', 'metadata', 'votes']);
    assert.equal(source.bigchain?.indexes.length, 5);
    assert.deepEqual(await snapshot(c, 'restored'), source);
  });

  it('a real export folder pulls the same archive as the server', async () => {
    const dir = scratch();
    const out = join(dir, 'export');
    await tool(['export', '-c', addr(), '-e', 'l13', '-d', out], dir);
    const fromDir = await memoryArchive(federationOf(l));
    const p = await pull({ archive: fromDir, from: out, workers: 0 });
    assert.equal(p.summary.quarantined, 0, JSON.stringify(p.summary.findings.slice(0, 3)));
    assert.equal(p.summary.byKind.block.new, l.blocks.length);
    const fromServer = await memoryArchive(federationOf(l));
    await pull({ archive: fromServer, from: `rethinkdb://admin@${addr()}/l13`, selection: { all: true }, workers: 0 });
    const [x, y] = [await archiveContents(fromDir.db), await archiveContents(fromServer.db)];
    for (const k of [...x.keys()]) if (k.startsWith('bm!')) { x.delete(k); y.delete(k); }
    assert.deepEqual(x, y);
  });
});

/** BigchainDB's schema.py, as it runs: tables, then each index from its Python lambda (read from stdin as JSON specs). */
const SCHEMA_PY = `
import sys, json
import rethinkdb
r = rethinkdb.RethinkDB()
host, port, db = sys.argv[1], int(sys.argv[2]), sys.argv[3]
specs = json.loads(sys.stdin.read())
c = r.connect(host, port)
r.db(db).wait().run(c)
for s in specs:
    r.db(db).table(s['table']).index_create(s['name'], eval(s['python'], {'r': r}), multi=s['multi']).run(c)
for t in sorted({s['table'] for s in specs}):
    r.db(db).table(t).index_wait().run(c)
`;

describe("the tool's indexes against BigchainDB's own schema.py lambdas (Python driver)", skip === undefined ? {} : { skip }, () => {
  let s: TestServer;
  let c: Connection;
  const tmp = tempDir('la-real-schema-');
  before(async () => { s = await startServer('real'); c = await s.connect(); });
  after(async () => { await c?.close(); await s?.close(); tmp.cleanup(); });

  for (const layout of ['1.3', '0.10'] as Layout[]) {
    it(`layout ${layout}: every index holds the same entries on the same rows`, async () => {
      const ours = `ours_${layout.replace('.', '_')}`;
      const theirs = `py_${layout.replace('.', '_')}`;
      // Rows shaped per layout (0.9/0.10 inputs link by `txid`/`output`), in the tool's schema ...
      const data = syntheticDb(layout, 30);
      const rows = (t: TableName): Record<string, unknown>[] => (t === 'backlog' ? [] : data[t as 'bigchain' | 'votes' | 'assets' | 'metadata']);
      const target = await openRethinkTarget({ url: parseRethinkUrl(s.url(ours), { env: {} }) });
      try {
        await target.createDatabase(layout);
        for (const t of tablesFor(layout)) await target.insert(t, rows(t));
      } finally { await target.close(); }
      // ... and the same rows without indexes, then the indexes made by the Python driver from schema.py's source.
      for (const t of tablesFor(layout)) await s.load(theirs, t, rows(t));
      const specs = indexesFor(layout).map(({ table, name, multi, python }) => ({ table, name, multi, python }));
      const py = await pythonScript(SCHEMA_PY, [s.host, String(s.port), theirs], tmp.dir, JSON.stringify(specs));
      assert.equal(py.status, 0, py.stderr);
      for (const i of specs) {
        const entries = async (db: string): Promise<unknown[]> => (await r.db(db).table(i.table).between(r.minval, r.maxval, { index: i.name })
          .orderBy({ index: i.name }).run(c)).map((x: { id: string }) => x.id);
        const distinct = (db: string): Promise<unknown[]> => r.db(db).table(i.table).distinct({ index: i.name }).run(c);
        assert.deepEqual(await entries(ours), await entries(theirs), `${i.table}.${i.name} entries`);
        assert.deepEqual(await distinct(ours), await distinct(theirs), `${i.table}.${i.name} keys`);
        const status = async (db: string): Promise<unknown> => { const [x] = await r.db(db).table(i.table).indexStatus(i.name).run(c); return [x?.multi, x?.geo]; };
        assert.deepEqual(await status(ours), await status(theirs));
      }
      const keys = await r.db(ours).table('bigchain').distinct({ index: 'inputs' }).run(c);
      assert.ok(keys.length > 0, 'the inputs index is not empty');
    });
  }
});

describe('the CLI against the real server over TLS with a password', 'skip' in server ? { skip: server.skip } : {}, () => {
  const l = smallLedger({ seed: 'real-tls', blocks: 4 });
  let s: TestServer;
  const tmp = tempDir('la-real-tls-');
  before(async () => {
    s = await startServer('real', { real: { tls: true, password: 'tls-real-pw' } });
    await createLedgerDb(s, 'bigchain', '1.3', l.blocks, l.votes);
  });
  after(async () => { await s?.close(); tmp.cleanup(); });

  it('pull --ca --password-file: exit 0, every block, and nothing on stderr (no warning about an IP as TLS server name)', async () => {
    const dir = join(tmp.dir, 'cli');
    await initArchive({ dir, federation: federationOf(l) });
    const pw = join(tmp.dir, 'pw');
    writeFileSync(pw, `${s.password}\n`);
    const args = [join(ROOT, 'bin', 'ledger-archive.js'), 'pull', '--from', `rethinkdb://admin@${s.host}:${s.port}/bigchain`, '--ca', s.caFile!,
      '--password-file', pw, '--all', '--archive', dir, '--workers', '0'];
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((res, rej) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
      let out = '', err = '';
      child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
      child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
      child.once('error', rej);
      child.once('close', (k) => res({ code: k, stdout: out, stderr: err }));
    });
    assert.equal(code, 0, stderr);
    assert.match(stdout, new RegExp(`blocks +${l.blocks.length} new`));
    assert.doesNotMatch(stderr, /warning|DEP0|deprecat/i);
  });
});
