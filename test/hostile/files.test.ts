/**
 * Hostile files (issue 10): huge and deep documents, over-long lines, invalid UTF-8,
 * on the NDJSON path and in `rethinkdb export` folders. Each case is generated as a
 * stream, ingested by the CLI in a child process, and must end with exit 1, the
 * finding naming file:line and the limit, peak memory under 512 MB, and every valid
 * document around the bad one stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../../src/model/limits.js';
import { GOOD_LINES, assertBounded, assertFinding, assertGoodStored, blockWith, initArchive, repeated, runChild,
  workspace, writeAround } from './helpers.js';

const ws = workspace();
test.after(() => ws.cleanup());
let n = 0;

/** Ingest a file made by `make` into a fresh archive; the file is removed afterwards. */
async function ingestCase(make: (file: string) => Promise<number>, extra: string[] = []) {
  const dir = join(ws.dir, `a${++n}`);
  const file = join(ws.dir, `f${n}.ndjson`);
  const line = await make(file);
  await initArchive(dir);
  const r = await runChild(['ingest', file, '--archive', dir, '--workers', '1', ...extra]);
  rmSync(file, { force: true });
  return { r, where: `${file}:${line}` };
}

/** The document limit raised past the case's size, so the next limit is the one met. */
const RAISED = ['--max-document-bytes', String(64 << 20)];

test('a block with 4,000,000 voters (44 MB line): DOC_LIMIT at file:line (size; with the size raised: values, before any parse)', async () => {
  const dflt = await ingestCase((f) => writeAround(f, blockWith(4_000_000, 1)));
  assertBounded(dflt.r, 1, 120_000, '4M voters');
  assertFinding(dflt.r, 'DOC_LIMIT', dflt.where, 'maxDocumentBytes');
  assertGoodStored(dflt.r);
  const { r, where } = await ingestCase((f) => writeAround(f, blockWith(4_000_000, 1)), RAISED);
  assertBounded(r, 1, 120_000, '4M voters, raised size');
  assertFinding(r, 'DOC_LIMIT', where, 'maxElements');
  assertGoodStored(r);
});

test('a block with 1,000,000 transactions: DOC_LIMIT; 1,001 transactions: over BigchainDB\'s block size', async () => {
  const big = await ingestCase((f) => writeAround(f, blockWith(4, 1_000_000)), RAISED);
  assertBounded(big.r, 1, 120_000, '1M transactions');
  assertFinding(big.r, 'DOC_LIMIT', big.where, 'maxElements');
  assertGoodStored(big.r);
  const over = await ingestCase((f) => writeAround(f, blockWith(4, DEFAULT_LIMITS.maxBlockTransactions + 1)));
  assertBounded(over.r, 1, 120_000, '1001 transactions');
  assertFinding(over.r, 'DOC_LIMIT', 'ab'.repeat(32), 'maxBlockTransactions');
  assertGoodStored(over.r);
});

test('a block listing more voters than the federation has members: DOC_LIMIT naming the block', async () => {
  const { r } = await ingestCase((f) => writeAround(f, blockWith(5, 1)));
  assertBounded(r, 1, 60_000, '5 voters');
  assertFinding(r, 'DOC_LIMIT', 'ab'.repeat(32), 'maxVoters');
  assertGoodStored(r);
});

for (const mb of [300, 600]) {
  test(`an NDJSON line of ${mb} MB is skipped as it streams: DOC_LIMIT at file:line, every other line stored`, async () => {
    const { r, where } = await ingestCase((f) => writeAround(f, (function* () {
      yield '{"id":"';
      yield* repeated('x'.repeat(1 << 20), mb);
      yield '"}';
    })()));
    assertBounded(r, 1, 150_000, `${mb} MB line`);
    assertFinding(r, 'DOC_LIMIT', where, 'maxDocumentBytes');
    assertGoodStored(r);
  });
}

test('100,000-deep nesting in one NDJSON line: DOC_LIMIT (maxDepth), no recursion limit reached', async () => {
  const { r, where } = await ingestCase((f) => writeAround(f, ['{"a":', '['.repeat(100_000), ']'.repeat(100_000), '}']));
  assertBounded(r, 1, 60_000, 'deep nesting');
  assertFinding(r, 'DOC_LIMIT', where, 'maxDepth');
  assertGoodStored(r);
  assert.doesNotMatch(r.stderr, /Maximum call stack/);
});

test('a first line over 1 MiB that is not JSON: one finding, the file is still NDJSON', async () => {
  const { r, where } = await ingestCase((f) => writeAround(f, ['{"id": ', 'x'.repeat(2 << 20), '}'], { before: 0 }));
  assertBounded(r, 1, 60_000, 'long bad first line');
  assert.equal(where.endsWith(':1'), true);
  assertFinding(r, 'DOC_INVALID_JSON', where);
  assertGoodStored(r);
});

test('--max-document-bytes lowers the line limit: block lines become DOC_LIMIT, short votes still count', async () => {
  // The good lines are a few KB: a 1 KB limit turns every block line into a finding and keeps the short votes.
  const { r } = await ingestCase(async (f) => { writeFileSync(f, `${GOOD_LINES.join('\n')}\n`); return 1; }, ['--max-document-bytes', '1024']);
  assert.equal(r.code, 1);
  assert.ok(r.findings.some((f) => f.code === 'DOC_LIMIT'), JSON.stringify(r.findings.slice(0, 3)));
});

test('documents just under the limits, several in a row, with the default workers: peak memory under 512 MB', async () => {
  // Two strings of 3.9 M characters each (7.8 MB, under the 8 MiB document and 4 Mi string limits).
  const doc = (i: number): string => `{"id":"${'ab'.repeat(32)}","n":${i},"a":"${'x'.repeat(3_900_000)}","b":"${'y'.repeat(3_900_000)}"}\n`;
  const dir = join(ws.dir, 'under');
  const file = join(ws.dir, 'under.ndjson');
  await writeAround(file, (function* () { for (let i = 0; i < 6; i++) yield doc(i); })());
  await initArchive(dir);
  const r = await runChild(['ingest', file, '--archive', dir]);
  rmSync(file, { force: true });
  assertBounded(r, 1, 120_000, 'documents under the limits');
  assertGoodStored(r);
  assert.equal(r.findings.filter((f) => f.code === 'DOC_LIMIT').length, 0, 'none is over a limit');
});

/** Invalid UTF-8: a Latin-1 "é" (0xE9) inside a string. */
const BAD_UTF8 = Buffer.concat([Buffer.from('{"id":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);

test('invalid UTF-8 is the same finding in NDJSON and in an export folder, never replaced', async () => {
  const nd = await ingestCase((f) => writeAround(f, [BAD_UTF8]));
  assertBounded(nd.r, 1, 60_000, 'bad UTF-8 NDJSON');
  assertFinding(nd.r, 'DOC_INVALID_JSON', nd.where);
  assert.match(String(nd.r.findings.find((f) => f.doc === nd.where)?.message), /not valid UTF-8/);
  assertGoodStored(nd.r);

  // The same bytes as a row of a `rethinkdb export` folder (bigchain/votes.json is an array).
  const dir = join(ws.dir, 'export'), db = join(dir, 'bigchain');
  mkdirSync(db, { recursive: true });
  const blocks = GOOD_LINES.filter((l) => l.includes('"block":'));
  const votes = GOOD_LINES.filter((l) => !l.includes('"block":'));
  writeFileSync(join(db, 'bigchain.json'), `[\n${blocks.join(',\n')}\n]\n`);
  writeFileSync(join(db, 'bigchain.info'), '{"primary_key":"id","indexes":[]}');
  writeFileSync(join(db, 'votes.json'), Buffer.concat([Buffer.from(`[\n${votes.slice(0, 5).join(',\n')},\n`), BAD_UTF8,
    Buffer.from(`,\n{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}},\n${votes.slice(5).join(',\n')}\n]\n`)]));
  writeFileSync(join(db, 'votes.info'), '{"primary_key":"id","indexes":[]}');
  const archive = join(ws.dir, 'export-archive');
  await initArchive(archive);
  const r = await runChild(['ingest', dir, '--archive', archive, '--workers', '1']);
  assertBounded(r, 1, 60_000, 'export folder');
  assertFinding(r, 'DOC_INVALID_JSON', /votes\.json:7$/);
  assert.match(String(r.findings.find((f) => /votes\.json:7$/.test(String(f.doc)))?.message), /not valid UTF-8/);
  assertFinding(r, 'DOC_LIMIT', /votes\.json:8$/, 'maxDepth');
  assertGoodStored(r);
});
