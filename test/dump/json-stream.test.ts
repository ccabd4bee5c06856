import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { JsonFloat } from '../../src/model/json.js';
import { splitJsonDocuments } from '../../src/dump/json-stream.js';
import type { JsonStreamItem, JsonStreamOptions } from '../../src/dump/json-stream.js';
import { pythonJsonDumps } from '../../src/dump/python-json.js';

/** Feed `text` split at the given cut points (byte offsets). */
async function split(text: string | Buffer, cuts: number[] = [], opts: JsonStreamOptions = {}): Promise<JsonStreamItem[]> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const p of points) { chunks.push(bytes.subarray(prev, p)); prev = p; }
  chunks.push(bytes.subarray(prev));
  const out: JsonStreamItem[] = [];
  for await (const item of splitJsonDocuments(chunks, opts)) out.push(item);
  return out;
}

const values = (items: JsonStreamItem[]): unknown[] => items.map((i) => {
  if (!i.ok) assert.fail(`unexpected error item: ${i.error} (line ${i.line})`);
  return i.value;
});

async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (err: { code?: string; message: string }) => err.code === 'LEDGER_INPUT' && re.test(err.message));
}

test('dump layout: array, one document per line, with lines', async () => {
  const items = await split('[\n{"id": "a", "n": 1.0}, \n{"id": "b\\u00e9"},\n{"id": "c"}\n]\n');
  assert.deepEqual(values(items), [{ id: 'a', n: new JsonFloat(1) }, { id: 'bé' }, { id: 'c' }]);
  assert.deepEqual(items.map((i) => i.line), [2, 3, 4]);
});

test('empty array forms and lenient commas like the Python importer', async () => {
  assert.deepEqual(await split('[\n]\n'), []);
  assert.deepEqual(await split('[]'), []);
  assert.deepEqual(values(await split('[{"a":1} {"b":2},]')), [{ a: 1 }, { b: 2 }]);
  assert.deepEqual(values(await split('[1, "x", null, [2], -3.5e2]')), [1, 'x', null, [2], new JsonFloat(-350)]);
});

test('whitespace-separated objects (NDJSON and pretty-printed)', async () => {
  const items = await split('{"a": 1}\n{"b":\n  {"c": [1, 2]}}\n\n{"d": "}{]["}');
  assert.deepEqual(values(items), [{ a: 1 }, { b: { c: [1, 2] } }, { d: '}{][' }]);
  assert.deepEqual(items.map((i) => i.line), [1, 2, 5]);
});

test('invalid documents become error items and the stream goes on', async () => {
  const items = await split('[\n{"a": tru},\n{"b": 1},\n{"c": "\\q"},\n{"d": 2}\n]');
  assert.deepEqual(items.map((i) => [i.ok, i.line]), [[false, 2], [true, 3], [false, 4], [true, 5]]);
  const raw = await split('{"a": "x\ny"}\n{"b": "\\"\\\\"}\n{"c": 1}', [4, 5, 6, 17, 18, 19]);
  assert.deepEqual(raw.map((i) => [i.ok, i.line]), [[false, 1], [true, 3], [true, 4]]);
  assert.deepEqual((raw[1] as { value: unknown }).value, { b: '"\\' });
  const bad = Buffer.concat([Buffer.from('{"a": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n{"b": 1}')]);
  const utf = await split(bad);
  assert.equal(utf[0]!.ok, false);
  assert.match((utf[0] as { error: string }).error, /UTF-8/);
  assert.deepEqual(values(utf.slice(1)), [{ b: 1 }]);
});

test('oversize and too-deep documents are error items, limits configurable', async () => {
  const big = `{"x": "${'y'.repeat(200)}"}`;
  const items = await split(`[${big}, {"ok": 1}]`, [50, 120], { maxDocumentBytes: 100 });
  assert.equal(items[0]!.ok, false);
  assert.match((items[0] as { error: string }).error, /larger than 100 bytes/);
  assert.deepEqual(items[1], { ok: true, value: { ok: 1 }, line: 1, index: 1, bytes: 9 });
  const deep = '['.repeat(101) + ']'.repeat(101);
  const d = await split(`{"a": 1}\n{"x": ${deep}}\n{"b": ${'['.repeat(98)}${']'.repeat(98)}}`);
  assert.deepEqual(d.map((i) => i.ok), [true, false, true]);
  assert.match((d[1] as { error: string }).error, /deeper than 100/);
});

test('broken framing is a LEDGER_INPUT error naming the input and line', async () => {
  await rejects(split('', [], { name: 'f.json' }), /^f\.json:1: .*empty/);
  await rejects(split('  \n '), /empty/);
  assert.deepEqual(await split(' \n', [], { allowEmpty: true }), []);
  await rejects(split('"abc"'), /does not begin with an object or an array/);
  await rejects(split('[\n{"a": 1},\n{"b": 2'), /ends inside the document that starts at line 3/);
  await rejects(split('[{"a": 1}'), /closing "\]"/);
  await rejects(split('[{"a": 1}]\n{"b": 2}'), /after the JSON array/);
  await rejects(split('[{"a": [1}]'), /mismatched "}"/);
  await rejects(split('[,{"a": 1}]'), /unexpected ","/);
  await rejects(split('{"a": 1}, {"b": 2}'), /unexpected ","/);
});

test('property: any array of documents splits identically across arbitrary chunk boundaries', async () => {
  const doc = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });
  await fc.assert(fc.asyncProperty(fc.array(doc, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }),
    fc.constantFrom('dump', 'compact', 'ndjson'), async (docs, cuts, form) => {
      const text = form === 'dump' ? (docs.length === 0 ? '[\n]\n' : '[\n' + docs.map(pythonJsonDumps).join(',\n') + '\n]\n')
        : form === 'compact' ? JSON.stringify(docs) : docs.map((d) => JSON.stringify(d)).join('\n');
      if (form === 'ndjson' && docs.length === 0) return;
      const got = values(await split(text, cuts));
      // Compare through JSON text: floats come back as JsonFloat, -0 as 0.
      const norm = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x)));
      assert.deepEqual(norm(got), norm(docs));
      if (form === 'dump') assert.deepEqual((await split(text, cuts)).map((i) => i.line), docs.map((_, i) => i + 2));
    }), { numRuns: 300 });
});
