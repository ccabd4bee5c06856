import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { canonicalize } from '../../src/model/canonical.js';
import { parseJson } from '../../src/model/json.js';
import { writeExport } from '../../src/export/write.js';
import { readExport, verifyExportFile } from '../../src/export/read.js';
import type { ExportRecord } from '../../src/export/format.js';
import { FEDERATION, record, rejectsWith, sampleRecords, tempDir } from './helpers.js';

async function readAll(path: string, key?: Uint8Array): Promise<ExportRecord[]> {
  const x = await readExport(path, { key });
  const out: ExportRecord[] = [];
  for await (const r of x.records) out.push(r);
  assert.notEqual(x.summary(), null);
  return out;
}

test('export: write → read is the identity on records (plain and sealed)', async () => {
  const dir = tempDir('rt');
  let n = 0;
  await fc.assert(fc.asyncProperty(fc.array(record, { maxLength: 30 }), fc.boolean(), async (records, sealed) => {
    const key = sealed ? randomBytes(32) : undefined;
    const path = join(dir, `x${n++}.lae`);
    const w = await writeExport(path, { federation: FEDERATION, records, key });
    const back = await readAll(path, key);
    assert.equal(back.length, records.length);
    back.forEach((r, i) => {
      assert.equal(r.kind, records[i]!.kind);
      assert.equal(r.text, canonicalize(records[i]!.doc));
      assert.deepStrictEqual(r.doc, records[i]!.doc);
      assert.equal(r.layout, records[i]!.layout);
    });
    const raw = await readExport(path, { key, parse: false });
    const texts: Array<[string, string, string | undefined]> = [];
    for await (const r of raw.records) texts.push([r.kind, r.text, r.layout]);
    assert.deepEqual(texts, back.map((r) => [r.kind, r.text, r.layout]));
    const s = await verifyExportFile(path, { key });
    assert.equal(s.digest, w.digest);
    assert.deepEqual(s.counts, w.counts);
    assert.equal(s.contentBytes, w.contentBytes);
  }), { numRuns: 60 });
});

test('export: the plain file is gzip NDJSON whose trailer is the SHA-256 of every byte before it', async () => {
  const dir = tempDir('layout');
  const path = join(dir, 'full.lae');
  const w = await writeExport(path, { federation: FEDERATION, records: sampleRecords(10), since: null, until: 'c9' });
  const text = gunzipSync(readFileSync(path)).toString('utf8'); // gunzip reads both members
  const lines = text.split('\n');
  assert.equal(lines.at(-1), '');
  const header = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(header), ['type', 'format', 'federation', 'created', 'sequence', 'previous', 'since', 'until', 'counts']);
  assert.deepEqual(header.counts, { block: 3, vote: 3, asset: 2, metadata: 2 });
  assert.equal(header.until, 'c9');
  const trailerLine = lines.at(-2)!;
  const before = text.slice(0, text.length - trailerLine.length - 1);
  const sha = createHash('sha256').update(before, 'utf8').digest('hex');
  assert.equal(trailerLine, `{"type":"trailer","count":10,"sha256":"${sha}"}`);
  assert.equal(w.digest, sha);
  assert.match(lines[1]!, /^\{"kind":"block","doc":\{"block":/);
});

test('export: refuses to overwrite, leaves no temporary files, and an empty export is valid', async () => {
  const dir = tempDir('atomic');
  const path = join(dir, 'e.lae');
  const w = await writeExport(path, { federation: FEDERATION, records: [] });
  assert.deepEqual(w.counts, { block: 0, vote: 0, asset: 0, metadata: 0 });
  assert.equal((await verifyExportFile(path)).digest, w.digest);
  await rejectsWith(writeExport(path, { federation: FEDERATION, records: [] }), 'LEDGER_USAGE', 'overwrite');
  await writeExport(path, { federation: FEDERATION, records: [], overwrite: true });
  const failing = async function* (): AsyncGenerator<ExportRecord> {
    yield sampleRecords(1)[0]!;
    throw new Error('source died');
  };
  await assert.rejects(writeExport(join(dir, 'f.lae'), { federation: FEDERATION, records: failing() }));
  const { readdirSync } = await import('node:fs');
  assert.deepEqual(readdirSync(dir).sort(), ['e.lae']);
});

test('export: a record without a JSON form, or with text that is not one line, is refused and nothing is written', async () => {
  const dir = tempDir('bad');
  await assert.rejects(writeExport(join(dir, 'x.lae'), { federation: FEDERATION, records: [{ kind: 'block', doc: { a: Number.NaN } }] }), TypeError);
  await assert.rejects(writeExport(join(dir, 'y.lae'), { federation: FEDERATION, records: [{ kind: 'block', doc: {}, text: '{\n}' }] }), TypeError);
  const { readdirSync } = await import('node:fs');
  assert.deepEqual(readdirSync(dir), []);
});

test('export: the archive\'s stand-ins (lone surrogate, overflowed float) round-trip', async () => {
  const dir = tempDir('standin');
  const path = join(dir, 's.lae');
  const doc = parseJson('{"a":"x\\ud800y","f":1e999,"g":-1e999,"z":-0.0}');
  await writeExport(path, { federation: FEDERATION, records: [{ kind: 'asset', doc }] });
  const [r] = await readAll(path);
  assert.equal(r!.text, canonicalize(doc));
  assert.deepStrictEqual(r!.doc, doc);
});

test('export: an interrupted write or read is LEDGER_ABORTED and leaves no file', async () => {
  const dir = tempDir('abort');
  const ac = new AbortController();
  const records = async function* (): AsyncGenerator<ExportRecord> {
    for (const [i, r] of sampleRecords(50).entries()) {
      if (i === 20) ac.abort();
      yield r;
    }
  };
  await rejectsWith(writeExport(join(dir, 'a.lae'), { federation: FEDERATION, records: records(), signal: ac.signal }), 'LEDGER_ABORTED', 'write');
  const { readdirSync } = await import('node:fs');
  assert.deepEqual(readdirSync(dir), []);
  const path = join(dir, 'b.lae');
  await writeExport(path, { federation: FEDERATION, records: sampleRecords(50) });
  const stop = new AbortController();
  const x = await readExport(path, { signal: stop.signal });
  const read = (async () => { let n = 0; for await (const _ of x.records) if (++n === 10) stop.abort(); })();
  await rejectsWith(read, 'LEDGER_ABORTED', 'read');
});
