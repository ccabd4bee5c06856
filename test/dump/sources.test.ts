import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonFloat } from '../../src/model/json.js';
import { openAnySource, readDocumentFiles } from '../../src/dump/documents.js';
import { readExportDir, readExportDirInfo } from '../../src/dump/export-dir.js';
import { pythonJsonDumps } from '../../src/dump/python-json.js';
import { writeDump } from '../../src/dump/write.js';
import type { ReadDoc } from '../../src/dump/tables.js';

const dir = await mkdtemp(join(tmpdir(), 'dump-src-test-'));
test.after(() => rm(dir, { recursive: true, force: true }));

async function collect<T extends ReadDoc>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const d of it) out.push(d);
  return out;
}

test('export folder: tables with .info, in the requested order; stray files ignored', async () => {
  const root = join(dir, 'export');
  await mkdir(join(root, 'bigchain', 'nested'), { recursive: true });
  await writeFile(join(root, 'stray.json'), '[]');
  await writeFile(join(root, 'bigchain', 'votes.json'), '[\n{"id": "v1"},\n{"id": "v2"}\n]\n');
  await writeFile(join(root, 'bigchain', 'votes.info'), '{"primary_key": "id", "indexes": [{"index": "block_and_voter"}]}');
  await writeFile(join(root, 'bigchain', 'bigchain.ndjson'), '{"id": "b1", "f": 1.0}\n');
  await writeFile(join(root, 'bigchain', 'bigchain.info'), '{"primary_key": "id"}');
  await writeFile(join(root, 'bigchain', 'backlog.json'), '[{"id": "no info"}]');
  await writeFile(join(root, 'bigchain', 'nested', 'x.json'), '[]');
  const info = await readExportDirInfo(root);
  assert.deepEqual(info.map((t) => [t.table, t.format, t.indexes]), [['bigchain', 'ndjson', []], ['votes', 'json', ['block_and_voter']]]);
  const docs = await collect(readExportDir(root));
  assert.deepEqual(docs.map((d) => [d.table, d.doc]), [['bigchain', { id: 'b1', f: new JsonFloat(1) }], ['votes', { id: 'v1' }], ['votes', { id: 'v2' }]]);
  assert.equal(docs[2]!.origin, `${join(root, 'bigchain', 'votes.json')}:3`);
  const any = await openAnySource(root, { tables: ['votes'] });
  assert.equal(any.kind, 'export-dir');
  assert.equal((await collect(any.docs)).length, 2);
  await assert.rejects(collect(readExportDir(join(dir, 'nope'))), (e: { code?: string }) => e.code === 'LEDGER_INPUT');
});

test('documents files: NDJSON and arrays, origin file:line, invalid lines as items', async () => {
  const nd = join(dir, 'blocks.ndjson');
  const arr = join(dir, 'blocks.json');
  const empty = join(dir, 'empty.json');
  await writeFile(nd, '{"id": "a"}\n{"id": oops}\n\n{"id": "c"}\n');
  await writeFile(arr, '  [{"id": "d"},\n {"id": "e"}]');
  await writeFile(empty, '\n');
  const docs = await collect(readDocumentFiles([nd, arr, empty]));
  // NDJSON lines travel as text (parsed by the verification workers, where a bad line
  // becomes DOC_INVALID_JSON); array files are split and parsed here.
  assert.deepEqual(docs.map((d) => [d.origin, d.doc, d.text, d.invalid === undefined]), [
    [`${nd}:1`, undefined, '{"id": "a"}', true], [`${nd}:2`, undefined, '{"id": oops}', true],
    [`${nd}:4`, undefined, '{"id": "c"}', true],
    [`${arr}:1`, { id: 'd' }, undefined, true], [`${arr}:2`, { id: 'e' }, undefined, true]]);
  assert.ok(docs.every((d) => d.table === null));
  assert.equal((await openAnySource(nd)).kind, 'documents');
  const bad = join(dir, 'bad.txt');
  await writeFile(bad, 'hello');
  await assert.rejects(collect(readDocumentFiles([bad])), (e: { code?: string; message: string }) =>
    e.code === 'LEDGER_INPUT' && e.message.startsWith(`${bad}:1:`));
  await assert.rejects(openAnySource(join(dir, 'missing')), (e: { code?: string }) => e.code === 'LEDGER_INPUT');
});

test('openAnySource: .tar.gz is a dump', async () => {
  const p = join(dir, 'd.tar.gz');
  await writeDump(p, { db: 'bigchain', tables: [{ name: 'bigchain', docs: [{ id: 'x' }] }] });
  const { kind, docs } = await openAnySource(p);
  assert.equal(kind, 'dump');
  // Texts for the verification workers, unparsed; parsed on request.
  assert.deepEqual((await collect(docs)).map((d) => [d.doc, d.text]), [[undefined, '{"id": "x"}']] /* as the dump tool writes it */);
  assert.deepEqual((await collect((await openAnySource(p, { text: false })).docs)).map((d) => [d.doc, d.text]), [[{ id: 'x' }, undefined]]);
});

const hasPython = spawnSync('python3', ['-c', 'import tarfile, json']).status === 0;

// Python's own tarfile + json reading the archive with restore's do_unzip rules.
const PY_RESTORE_CHECK = `
import json, os, sys, tarfile
top = None; seen = {}
with tarfile.open(sys.argv[1], 'r|*') as ar:
    for ti in ar:
        assert ti.isfile(), ti.name
        rel = os.path.relpath(os.path.realpath(ti.name.strip().lstrip(os.sep)))
        assert not rel.startswith(os.path.pardir)
        t, db, name = rel.split(os.sep)
        assert top in (None, t); top = t
        seen[name] = ar.extractfile(ti).read().decode('utf-8')
for name in sorted(seen):
    if name.endswith('.info'):
        info = json.loads(seen[name]); print(name, info['primary_key'], info['indexes'], info['write_hook'])
    else:
        for row in json.loads(seen[name]): print(name, json.dumps(row))
`;

test('python tarfile/json read the written archive as restore would', { skip: !hasPython && 'no python3' }, async () => {
  const p = join(dir, 'py.tar.gz');
  const rows = [{ id: 'a', n: new JsonFloat(1e-7), big: 12345678901234567890n, s: 'é😀\x01' }, { id: 'b', list: [1, new JsonFloat(2)] }];
  await writeDump(p, { db: 'bigchain', tables: [{ name: 'bigchain', docs: rows }, { name: 'votes', docs: [] }] });
  const py = spawnSync('python3', ['-c', PY_RESTORE_CHECK, p], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  assert.deepEqual(py.stdout.trim().split('\n'), [
    'bigchain.info id [] None',
    ...rows.map((r) => `bigchain.json ${pythonJsonDumps(r)}`),
    'votes.info id [] None',
  ]);
});
