import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { writeExport } from '../../src/export/write.js';
import { verifyExportFile } from '../../src/export/read.js';
import { tailMember } from '../../src/export/gzip-frame.js';
import { SEAL_HEADER_BYTES } from '../../src/export/seal.js';
import { FEDERATION, rejectsWith, sampleRecords, tempDir } from './helpers.js';

const KEY = randomBytes(32);

async function small(dir: string, sealed: boolean): Promise<{ path: string; bytes: Buffer }> {
  const path = join(dir, sealed ? 'small.sealed.lae' : 'small.lae');
  await writeExport(path, { federation: FEDERATION, records: sampleRecords(6), key: sealed ? KEY : undefined });
  return { path, bytes: readFileSync(path) };
}

/** Run `check(i, scratchFile)` for every i in [0, n), eight at a time (each lane has its own file). */
async function everyPosition(dir: string, n: number, check: (i: number, file: string) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async (_, lane) => {
    for (let i = next++; i < n; i = next++) await check(i, join(dir, `lane${lane}.lae`));
  }));
}

for (const sealed of [false, true]) {
  const kind = sealed ? 'sealed' : 'plain';

  test(`damage (${kind}): a changed byte at every position is detected`, async () => {
    const dir = tempDir(`flip-${kind}`);
    const { bytes } = await small(dir, sealed);
    await everyPosition(dir, bytes.length, async (pos, bad) => {
      const copy = Buffer.from(bytes);
      copy[pos] = copy[pos]! ^ (1 + (pos * 37) % 255); // a different change per position, never a no-op
      writeFileSync(bad, copy);
      await rejectsWith(verifyExportFile(bad, { key: KEY }), 'LEDGER_EXPORT_CORRUPT', `byte ${pos} of ${bytes.length}`);
      await rejectsWith(verifyExportFile(bad, { key: KEY, parse: false }), 'LEDGER_EXPORT_CORRUPT', `byte ${pos} of ${bytes.length} (text only)`);
    });
  });

  test(`damage (${kind}): truncation at every length is detected`, async () => {
    const dir = tempDir(`cut-${kind}`);
    const { bytes } = await small(dir, sealed);
    await everyPosition(dir, bytes.length, async (len, bad) => {
      writeFileSync(bad, bytes.subarray(0, len));
      await rejectsWith(verifyExportFile(bad, { key: KEY }), 'LEDGER_EXPORT_CORRUPT', `cut to ${len} of ${bytes.length}`);
    });
  });

  test(`damage (${kind}): appended bytes are detected`, async () => {
    const dir = tempDir(`grow-${kind}`);
    const { bytes } = await small(dir, sealed);
    const bad = join(dir, 'grow.lae');
    for (const extra of [Buffer.of(0), Buffer.of(0x1f, 0x8b), bytes.subarray(-58), gzipSync('x\n')]) {
      writeFileSync(bad, Buffer.concat([bytes, extra]));
      await rejectsWith(verifyExportFile(bad, { key: KEY }), 'LEDGER_EXPORT_CORRUPT', `+${extra.length} bytes`);
    }
  });
}

/** An incompressible export large enough for several sealed chunks. */
async function large(dir: string): Promise<{ path: string; bytes: Buffer }> {
  const records = Array.from({ length: 90 }, (_, i) => ({ kind: 'block' as const, doc: { i, noise: randomBytes(3000).toString('base64') } }));
  const path = join(dir, 'large.lae');
  await writeExport(path, { federation: FEDERATION, records, key: KEY, level: 1 });
  return { path, bytes: readFileSync(path) };
}

test('damage (sealed, several chunks): changed bytes at random positions are detected', async () => {
  const dir = tempDir('flip-large');
  const { path, bytes } = await large(dir);
  assert.ok(bytes.length > 3 * 65536, `large enough: ${bytes.length}`);
  await verifyExportFile(path, { key: KEY });
  const bad = join(dir, 'bad.lae');
  await fc.assert(fc.asyncProperty(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), async (pos, x) => {
    const copy = Buffer.from(bytes);
    copy[pos] = copy[pos]! ^ x;
    writeFileSync(bad, copy);
    await rejectsWith(verifyExportFile(bad, { key: KEY }), 'LEDGER_EXPORT_CORRUPT', `byte ${pos}`);
  }), { numRuns: 150 });
});

/** Offsets of the sealed chunks (after the header). */
function chunks(bytes: Buffer): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let at = SEAL_HEADER_BYTES; at < bytes.length;) {
    const len = 4 + bytes.readUInt32BE(at);
    out.push([at, at + len]);
    at += len;
  }
  return out;
}

test('damage (sealed): a cut at a chunk boundary, a dropped, repeated or swapped chunk is detected', async () => {
  const dir = tempDir('chunks');
  const { bytes } = await large(dir);
  const c = chunks(bytes);
  assert.ok(c.length >= 4);
  const head = bytes.subarray(0, SEAL_HEADER_BYTES);
  const part = (i: number): Buffer => bytes.subarray(c[i]![0], c[i]![1]);
  const variants: Record<string, Buffer> = {
    'cut after chunk 1': bytes.subarray(0, c[1]![1]),
    'cut before the final chunk': bytes.subarray(0, c.at(-1)![0]),
    'chunk 1 dropped': Buffer.concat([head, part(0), ...c.slice(2).map((_, i) => part(i + 2))]),
    'chunk 1 repeated': Buffer.concat([head, part(0), part(1), part(1), ...c.slice(2).map((_, i) => part(i + 2))]),
    'chunks 1 and 2 swapped': Buffer.concat([head, part(0), part(2), part(1), ...c.slice(3).map((_, i) => part(i + 3))]),
    'final chunk repeated': Buffer.concat([bytes, part(c.length - 1)]),
  };
  const bad = join(dir, 'bad.lae');
  for (const [what, b] of Object.entries(variants)) {
    writeFileSync(bad, b);
    await rejectsWith(verifyExportFile(bad, { key: KEY }), 'LEDGER_EXPORT_CORRUPT', what);
  }
});

test('keys: a wrong key or no key is LEDGER_EXPORT_KEY; a plain export reads with or without a key', async () => {
  const dir = tempDir('key');
  const { path } = await small(dir, true);
  const e = await rejectsWith(verifyExportFile(path, { key: randomBytes(32) }), 'LEDGER_EXPORT_KEY', 'wrong key');
  assert.match(e.message, /wrong key/);
  assert.match((await rejectsWith(verifyExportFile(path), 'LEDGER_EXPORT_KEY', 'no key')).message, /encrypted/);
  const plain = await small(dir, false);
  await verifyExportFile(plain.path);
  await verifyExportFile(plain.path, { key: KEY });
});

test('inputs: a missing file is LEDGER_INPUT; an empty or foreign file is LEDGER_EXPORT_CORRUPT', async () => {
  const dir = tempDir('foreign');
  await rejectsWith(verifyExportFile(join(dir, 'nope.lae')), 'LEDGER_INPUT', 'missing');
  writeFileSync(join(dir, 'empty.lae'), '');
  await rejectsWith(verifyExportFile(join(dir, 'empty.lae')), 'LEDGER_EXPORT_CORRUPT', 'empty');
  writeFileSync(join(dir, 'other.gz'), gzipSync('{"hello":1}\n'));
  await rejectsWith(verifyExportFile(join(dir, 'other.gz')), 'LEDGER_EXPORT_CORRUPT', 'other gzip');
});

/** A file with the given content lines, correctly compressed and framed (the checks below the frame must catch it). */
function craft(path: string, lines: string[], sha?: string): void {
  const body = lines.join('');
  const trailerSha = sha ?? createHash('sha256').update(body).digest('hex');
  const content = `${body}{"type":"trailer","count":${lines.length - 1},"sha256":"${trailerSha}"}\n`;
  const gz = gzipSync(content);
  writeFileSync(path, Buffer.concat([gz, tailMember(createHash('sha256').update(gz).digest())]));
}

test('content checks: well-framed files with bad content name the line', async () => {
  const dir = tempDir('craft');
  const good = join(dir, 'good.lae');
  await writeExport(good, { federation: FEDERATION, records: sampleRecords(2) });
  const { gunzipSync } = await import('node:zlib');
  const lines = gunzipSync(readFileSync(good)).toString('utf8').split('\n').slice(0, 3).map((l) => `${l}\n`);
  const p = join(dir, 'x.lae');
  craft(p, lines);
  await verifyExportFile(p); // the crafting itself is sound
  const cases: Array<[string, string[], RegExp]> = [
    ['bad JSON', [lines[0]!, '{"kind":"block","doc":{"a":}}\n', lines[2]!], /line 2 .*bad JSON/],
    ['not an object', [lines[0]!, '{"kind":"block","doc":[1]}\n', lines[2]!], /line 2 .*not a JSON object/],
    ['layout on a vote', [lines[0]!, '{"kind":"vote","doc":{},"layout":"1.3"}\n', lines[2]!], /line 2 .*not a JSON object/],
    ['unknown layout', [lines[0]!, '{"kind":"block","doc":{},"layout":"2.0"}\n', lines[2]!], /line 2 .*not a JSON object/],
    ['not canonical', [lines[0]!, '{"kind":"block","doc":{"b":1,"a":2}}\n', lines[2]!], /line 2 .*canonical/],
    ['unknown kind', [lines[0]!, '{"kind":"tx","doc":{}}\n', lines[2]!], /line 2 .*not a record/],
    ['counts differ from the header', [lines[0]!.replace('"block":1', '"block":2'), lines[1]!, lines[2]!], /says 2/],
    ['unknown header field', [lines[0]!.replace('"format":1,', '"format":1,"x":1,'), lines[1]!, lines[2]!], /line 1 .*fields/],
    ['format 2', [lines[0]!.replace('"format":1', '"format":2'), lines[1]!, lines[2]!], /format 2 is not supported/],
  ];
  for (const [what, ls, re] of cases) {
    craft(p, ls);
    const e = await rejectsWith(verifyExportFile(p), 'LEDGER_EXPORT_CORRUPT', what);
    assert.match(e.message, re, what);
  }
  // Raw invalid UTF-8 bytes inside a document.
  const raw = Buffer.concat([Buffer.from(lines[0]!), Buffer.from('{"kind":"block","doc":{"a":"'), Buffer.of(0xc3, 0x28), Buffer.from('"}}\n')]);
  const trailer = `{"type":"trailer","count":1,"sha256":"${createHash('sha256').update(raw).digest('hex')}"}\n`;
  const gz = gzipSync(Buffer.concat([raw, Buffer.from(trailer)]));
  writeFileSync(p, Buffer.concat([gz, tailMember(createHash('sha256').update(gz).digest())]));
  assert.match((await rejectsWith(verifyExportFile(p), 'LEDGER_EXPORT_CORRUPT', 'raw bytes')).message, /line 2 .*UTF-8/);
  // A line after the trailer, and a missing trailer.
  const { writeFileSync: w } = await import('node:fs');
  const body = lines.join('');
  const sha = createHash('sha256').update(body).digest('hex');
  for (const [what, content, re] of [
    ['after trailer', `${body}{"type":"trailer","count":2,"sha256":"${sha}"}\n${lines[2]}`, /line 5 .*after the trailer/],
    ['no trailer', body, /no trailer/],
    ['no final newline', `${body}{"type":"trailer","count":2,"sha256":"${sha}"}`, /no newline/],
  ] as const) {
    const g = gzipSync(content);
    w(p, Buffer.concat([g, tailMember(createHash('sha256').update(g).digest())]));
    assert.match((await rejectsWith(verifyExportFile(p), 'LEDGER_EXPORT_CORRUPT', what)).message, re, what);
  }
});
