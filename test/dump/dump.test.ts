import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import * as tar from 'tar-stream';
import { JsonFloat } from '../../src/model/json.js';
import { detectLayout, readDump, readDumpInfo } from '../../src/dump/read.js';
import { dumpName, writeDump } from '../../src/dump/write.js';
import { blockTxVersion } from '../../src/dump/tables.js';
import type { DumpDoc } from '../../src/dump/tables.js';

const dir = await mkdtemp(join(tmpdir(), 'dump-test-'));
test.after(() => rm(dir, { recursive: true, force: true }));
let n = 0;
const tmp = (name = 'a.tar.gz'): string => join(dir, `${n++}-${name}`);

async function collect(it: AsyncIterable<DumpDoc>): Promise<DumpDoc[]> {
  const out: DumpDoc[] = [];
  for await (const d of it) out.push(d);
  return out;
}

/** Build a tar.gz from [name, content | {type}] pairs, in order. */
async function makeTar(path: string, members: [string, string | { type: 'directory' | 'symlink' }][]): Promise<void> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => { chunks.push(c as Buffer); });
  const ended = new Promise<void>((resolve) => { pack.on('end', () => resolve()); });
  for (const [name, content] of members) {
    if (typeof content === 'string') pack.entry({ name }, content);
    else pack.entry({ name, type: content.type, linkname: content.type === 'symlink' ? 'x' : undefined });
  }
  pack.finalize();
  await ended;
  await writeFile(path, gzipSync(Buffer.concat(chunks)));
}

const INFO = '{"primary_key": "id", "indexes": [{"index": "block_timestamp"}, {"index": "transaction_id"}]}\n';
const TOP = 'rethinkdb_dump_2018-01-02T03:04:05';

test('round trip: documents deep-equal, including floats, bigints, non-ASCII and control chars', async () => {
  const blocks = [
    { id: 'a', block: { timestamp: '1', transactions: [{ version: '1.0', amount: 9007199254740993n }] }, f: new JsonFloat(100) },
    { id: 'b', s: 'é\u2028😀\x00\x1f\x7f"\\/\n', n: [10n ** 21n, new JsonFloat(1e-7), new JsonFloat(-0.5), 7, null, true] },
  ];
  const votes = [{ id: 'v1', vote: { is_block_valid: true } }];
  const path = tmp();
  const date = new Date(2018, 0, 2, 3, 4, 5);
  const res = await writeDump(path, { db: 'bigchain', date, tables: [
    { name: 'bigchain', docs: blocks }, { name: 'votes', docs: (async function* () { yield* votes; })() },
    { name: 'assets', docs: [] }] });
  assert.equal(res.top, TOP);
  assert.deepEqual(res.tables.map((t) => t.docs), [2, 1, 0]);
  const docs = await collect(readDump(path));
  assert.deepEqual(docs.filter((d) => d.table === 'bigchain').map((d) => d.doc), blocks);
  assert.deepEqual(docs.filter((d) => d.table === 'votes').map((d) => d.doc), votes);
  assert.ok(docs.every((d) => d.db === 'bigchain' && d.invalid === undefined));
  assert.match(docs[0]!.origin, /^\d+-a\.tar\.gz!bigchain\/bigchain\.json:2$/);
  const info = await readDumpInfo(path);
  assert.equal(info.top, TOP);
  assert.deepEqual(info.tables.map((t) => [t.table, t.primaryKey, t.indexes]), [['assets', 'id', []], ['bigchain', 'id', []], ['votes', 'id', []]]);
  assert.equal(detectLayout(info.tables), '1.0');
});

test('property: round trip of arbitrary JSON rows', async () => {
  const row = fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
  await fc.assert(fc.asyncProperty(fc.array(row, { maxLength: 6 }), async (rows) => {
    const path = tmp();
    await writeDump(path, { db: 'bigchain', tables: [{ name: 'bigchain', docs: rows }] });
    const back = (await collect(readDump(path))).map((d) => d.doc);
    const norm = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x)));
    assert.deepEqual(norm(back), norm(rows));
    await rm(path);
  }), { numRuns: 25 });
});

test('the archive holds exactly the expected members in the dump layout (tar tzf)', async () => {
  const path = tmp();
  const date = new Date(2018, 0, 2, 3, 4, 5);
  await writeDump(path, { db: 'bigchain', date, tables: [{ name: 'bigchain', docs: [{ id: 'x', a: 1 }, { id: 'y' }] }, { name: 'votes', docs: [] }] });
  const listed = spawnSync('tar', ['tzf', path], { encoding: 'utf8' });
  assert.equal(listed.status, 0, listed.stderr);
  assert.deepEqual(listed.stdout.trim().split('\n').sort(), [
    `${TOP}/bigchain/bigchain.info`, `${TOP}/bigchain/bigchain.json`, `${TOP}/bigchain/votes.info`, `${TOP}/bigchain/votes.json`]);
  const verbose = spawnSync('tar', ['tzvf', path], { encoding: 'utf8' });
  assert.ok(verbose.stdout.trim().split('\n').every((l) => l.startsWith('-')), 'regular files only');
  const out = join(dir, `x${n++}`);
  await rm(out, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', out]);
  assert.equal(spawnSync('tar', ['xzf', path, '-C', out]).status, 0);
  const db = join(out, TOP, 'bigchain');
  assert.equal(await readFile(join(db, 'bigchain.json'), 'utf8'), '[\n{"id": "x", "a": 1},\n{"id": "y"}\n]\n');
  assert.equal(await readFile(join(db, 'votes.json'), 'utf8'), '[\n]\n');
  const info = JSON.parse(await readFile(join(db, 'bigchain.info'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(info), ['db', 'doc_count_estimates', 'id', 'indexes', 'name', 'primary_key', 'type', 'write_hook']);
  assert.deepEqual([info.name, info.primary_key, info.type, info.indexes, info.doc_count_estimates, info.write_hook],
    ['bigchain', 'id', 'TABLE', [], [2], null]);
  assert.deepEqual((info.db as Record<string, unknown>).name, 'bigchain');
  assert.deepEqual(await readdir(dir).then((f) => f.filter((x) => x.includes('.tmp-'))), []);
});

test('writer rejects bad names and non-object rows, leaving nothing behind', async () => {
  await assert.rejects(writeDump(tmp(), { db: 'big chain', tables: [] }), RangeError);
  await assert.rejects(writeDump(tmp(), { db: 'rethinkdb', tables: [] }), RangeError);
  await assert.rejects(writeDump(tmp(), { db: 'b', tables: [{ name: 't', docs: [] }, { name: 't', docs: [] }] }), RangeError);
  const path = tmp();
  await assert.rejects(writeDump(path, { db: 'b', tables: [{ name: 't', docs: [{ id: 1 }, [1]] }] }), TypeError);
  assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith(path.slice(dir.length + 1))), []);
});

test('reader: members in any order, .json without .info ignored, other files and .. ignored', async () => {
  const path = tmp();
  await makeTar(path, [
    [`${TOP}/bigchain/votes.json`, '[\n{"id": "v"}\n]\n'],
    [`${TOP}/bigchain/bigchain.json`, '{"id": "b1"}\n{"id": "b2"}'],
    [`${TOP}/bigchain/backlog.json`, '[]'], // no .info: not a table
    [`${TOP}/bigchain/votes.ndjson`, 'ignored'],
    [`${TOP}/README`, 'ignored: not .json/.csv/.info, so depth does not matter'],
    ['../evil/x.json', 'ignored'],
    [`${TOP}/bigchain/sub`, { type: 'directory' }],
    [`${TOP}/bigchain/bigchain.info`, INFO],
    [`${TOP}/bigchain/votes.info`, '{"primary_key": "id", "indexes": []}'],
  ]);
  const docs = await collect(readDump(path));
  assert.deepEqual(docs.map((d) => [d.table, (d.doc as { id: string }).id]), [['votes', 'v'], ['bigchain', 'b1'], ['bigchain', 'b2']]);
  const info = await readDumpInfo(path);
  assert.deepEqual(info.tables.map((t) => t.table), ['bigchain', 'votes']);
  assert.deepEqual(info.tables[0]!.indexes, ['block_timestamp', 'transaction_id']);
  assert.deepEqual(info.ignored.sort(), ['../evil/x.json', `${TOP}/README`, `${TOP}/bigchain/votes.ndjson`].sort());
  assert.equal(detectLayout(info.tables), null);
  assert.equal(detectLayout(info.tables, blockTxVersion({ block: { transactions: [{ version: '0.10' }] } })), '0.10');
  // only the chosen tables are read
  assert.deepEqual((await collect(readDump(path, { tables: ['votes'] }))).length, 1);
});

test('reader: structure errors name the file and member', async () => {
  const cases: [string, [string, string][], RegExp][] = [
    ['two top folders', [[`${TOP}/bigchain/a.json`, '[]'], ['other/bigchain/a.info', '{}']], /unexpected directory structure \(other vs/],
    ['wrong depth', [[`${TOP}/bigchain/x/a.json`, '[]']], /unexpected directory structure: .*x\/a\.json/],
    ['too shallow', [[`${TOP}/a.info`, '{}']], /unexpected directory structure/],
    ['no accepted file', [[`${TOP}/bigchain/a.ndjson`, '{}'], ['x.txt', '']], /no \.json, \.csv or \.info/],
    ['bad .info', [[`${TOP}/bigchain/bigchain.info`, '{nope'], [`${TOP}/bigchain/bigchain.json`, '[]']], /bigchain\.info: \.info is not valid JSON/],
    ['no BigchainDB table', [[`${TOP}/other/t.info`, '{}'], [`${TOP}/other/t.json`, '[]']], /cannot tell which database/],
    ['broken member', [[`${TOP}/bigchain/bigchain.info`, INFO], [`${TOP}/bigchain/bigchain.json`, '[\n{"id": 1},\n{"id"']], /bigchain\.json:3: input ends inside/],
  ];
  for (const [what, members, re] of cases) {
    const path = tmp();
    await makeTar(path, members);
    await assert.rejects(collect(readDump(path)), (err: { code?: string; message: string }) =>
      err.code === 'LEDGER_INPUT' && re.test(err.message) && err.message.includes(path), what);
  }
});

test('reader: damaged archives are LEDGER_INPUT errors, invalid rows are items', async () => {
  const good = tmp();
  await writeDump(good, { db: 'bigchain', tables: [{ name: 'bigchain', docs: Array.from({ length: 2000 }, (_, i) => ({ id: `b${i}`, pad: 'x'.repeat(50) })) }] });
  const bytes = await readFile(good);
  const cut = tmp();
  await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await assert.rejects(collect(readDump(cut)), (err: { code?: string }) => err.code === 'LEDGER_INPUT');
  const garbage = tmp('x.tar.gz');
  await writeFile(garbage, 'not an archive at all, just some text that is long enough to be a header? no'.repeat(10));
  await assert.rejects(readDumpInfo(garbage), (err: { code?: string }) => err.code === 'LEDGER_INPUT');
  await assert.rejects(readDumpInfo(join(dir, 'missing.tar.gz')), (err: { code?: string }) => err.code === 'LEDGER_INPUT');
  // a plain (uncompressed) tar is accepted, as tarfile's r|* does
  const plain = tmp('p.tar');
  await writeFile(plain, gunzipSync(bytes));
  assert.equal((await collect(readDump(plain))).length, 2000);
  const bad = tmp();
  await makeTar(bad, [[`${TOP}/bigchain/bigchain.info`, INFO], [`${TOP}/bigchain/bigchain.json`, '[\n{"id": tru},\n{"id": "ok"}\n]']]);
  const docs = await collect(readDump(bad));
  assert.equal(docs.length, 2);
  assert.match(docs[0]!.invalid ?? '', /invalid JSON/);
  assert.equal(docs[0]!.doc, null);
  assert.deepEqual(docs[1]!.doc, { id: 'ok' });
});

test('reader: stopping early releases the archive; CSV tables are refused', async () => {
  const path = tmp();
  await writeDump(path, { db: 'bigchain', tables: [{ name: 'bigchain', docs: Array.from({ length: 5000 }, (_, i) => ({ id: i })) }] });
  let seen = 0;
  for await (const d of readDump(path)) { assert.equal(d.table, 'bigchain'); if (++seen === 3) break; }
  assert.equal(seen, 3);
  await rm(path); // nothing holds it open in a way that breaks removal
  const csv = tmp();
  await makeTar(csv, [[`${TOP}/bigchain/bigchain.info`, INFO], [`${TOP}/bigchain/bigchain.csv`, 'id\na\n']]);
  assert.deepEqual((await readDumpInfo(csv)).tables.map((t) => t.format), ['csv']);
  await assert.rejects(collect(readDump(csv)), /CSV/);
});

test('dumpName uses local time like the dump tool', () => {
  assert.equal(dumpName(new Date(2018, 11, 31, 23, 59, 58)), 'rethinkdb_dump_2018-12-31T23:59:58');
});

test('detectLayout', () => {
  const t = (...names: string[]): { table: string; indexes: string[] }[] => names.map((table) => ({ table, indexes: [] }));
  assert.equal(detectLayout(t('bigchain', 'votes', 'assets', 'metadata')), '1.3');
  assert.equal(detectLayout(t('bigchain', 'votes', 'assets')), '1.0');
  assert.equal(detectLayout(t('bigchain', 'votes'), '0.9'), '0.9');
  assert.equal(detectLayout([{ table: 'bigchain', indexes: ['metadata_id'] }], '0.9'), null);
});
