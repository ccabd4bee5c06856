/**
 * End to end: the exit code of every archive command (and verify) on success, findings,
 * usage errors, a missing archive (4) and a locked one (5: held by a second open in this
 * process, and by a child process), per src/cli/exit-codes.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, fixture, jsonl } from '../helpers/fixtures.js';
import { closeArchive, openArchive } from '../../src/store/archive.js';
import { range } from '../../src/store/schema.js';
import { cli, workspace } from './helpers.js';

const FED = fixture('damaged', 'federation.json');
const GOOD = fixture('damaged', 'good', 'ledger.ndjson');
const ws = workspace('la-e2e-exit-');
test.after(() => ws.cleanup());

const docs = jsonl<{ id?: string; block?: { transactions: { id: string }[] }; vote?: { voting_for_block: string }; node_pubkey?: string }>('damaged', 'good', 'ledger.ndjson');
const aBlock = docs.find((d) => d.block !== undefined && d.block.transactions.length > 0 && d !== docs[0])!;
const aVote = docs.find((d) => d.vote !== undefined)!;

/** An archive holding the good chain. */
async function goodArchive(name: string): Promise<string> {
  const dir = join(ws.dir, name);
  assert.equal((await cli('init', '--archive', dir, '--federation', FED)).code, 0);
  assert.equal((await cli('ingest', GOOD, '--archive', dir, '--workers', '0')).code, 0);
  return dir;
}

/** Every archive command on `dir` (ingest first, so the others have something to read). */
const archiveCommands = (dir: string): string[][] => [
  ['ingest', GOOD, '--archive', dir, '--workers', '0'], ['status', '--archive', dir], ['gaps', '--archive', dir],
  ['check', '--archive', dir, '--workers', '0'], ['show', 'block', aBlock.id!, '--archive', dir],
];

test('0: every command succeeds on a good archive', async () => {
  const dir = join(ws.dir, 'ok');
  assert.equal((await cli('init', '--archive', dir, '--federation', FED)).code, 0);
  assert.equal((await cli('init', '--archive', dir, '--federation', FED)).code, 0, 'init again with the same federation is a no-op');
  assert.equal((await cli('verify', GOOD, '--federation', FED, '--workers', '0')).code, 0);
  for (const argv of [...archiveCommands(dir), ['status', '--archive', dir, '--strict'],
    ['show', 'vote', `${aVote.vote!.voting_for_block}/${aVote.node_pubkey!}`, '--archive', dir],
    ['show', 'tx', aBlock.block!.transactions[0]!.id, '--archive', dir]]) {
    const r = await cli(...argv);
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
  }
});

test('1: findings — verify, ingest, pull, gaps, check, status --strict, show of what is not held', async () => {
  assert.equal((await cli('verify', fixture('damaged', 'bad-vote-signature', 'ledger.ndjson'), '--federation', FED, '--workers', '0')).code, 1);
  const bad = join(ws.dir, 'bad');
  assert.equal((await cli('init', '--archive', bad, '--federation', FED)).code, 0);
  assert.equal((await cli('ingest', fixture('damaged', 'bad-block-signature', 'ledger.ndjson'), '--archive', bad, '--workers', '0')).code, 1);
  assert.equal((await cli('status', '--archive', bad)).code, 0, 'warnings alone exit 0');
  const strict = await cli('status', '--archive', bad, '--strict');
  assert.equal(strict.code, 1);
  assert.deepEqual((strict.summary as { warnings: { code: string }[] }).warnings.map((w) => w.code), ['QUARANTINE_NOT_EMPTY']);
  const gap = join(ws.dir, 'gap');
  assert.equal((await cli('init', '--archive', gap, '--federation', FED)).code, 0);
  assert.equal((await cli('ingest', fixture('damaged', 'missing-block', 'ledger.ndjson'), '--archive', gap, '--workers', '0')).code, 0);
  assert.equal((await cli('gaps', '--archive', gap)).code, 1);
  assert.equal((await cli('show', 'block', 'f'.repeat(64), '--archive', gap)).code, 1);

  // A pull that brings a duplicate vote reports it once and exits 1, as ingest does.
  const pulled = join(ws.dir, 'pulled');
  assert.equal((await cli('init', '--archive', pulled, '--federation', FED)).code, 0);
  const pull = await cli('pull', '--from', fixture('damaged', 'duplicate-vote', 'ledger.ndjson'), '--archive', pulled, '--workers', '0');
  assert.deepEqual([pull.code, pull.findings.map((f) => f.code)], [1, ['VOTE_DUPLICATE']], pull.stderr);
  const goodPull = join(ws.dir, 'good-pull');
  assert.equal((await cli('init', '--archive', goodPull, '--federation', FED)).code, 0);
  assert.equal((await cli('pull', '--from', GOOD, '--archive', goodPull, '--workers', '0')).code, 0);

  // A value changed behind the tool's back: check finds and names it.
  const dir = await goodArchive('tampered');
  const a = await openArchive({ dir });
  let tampered = '';
  for await (const [k, v] of a.db.iterator({ ...range('v'), limit: 1 })) {
    tampered = k;
    await a.db.put(k, v.replace(/"is_block_valid":(true|false)/, (_m, b: string) => `"is_block_valid":${b === 'true' ? 'false' : 'true'}`));
  }
  await closeArchive(a);
  const ck = await cli('check', '--archive', dir, '--workers', '0');
  assert.equal(ck.code, 1);
  assert.ok(ck.findings.some((f) => f.code === 'STORE_CORRUPT' && f.doc === tampered), JSON.stringify(ck.findings));
});

test('2: usage errors', async () => {
  const dir = await goodArchive('usage');
  for (const argv of [[], ['frobnicate'], ['gaps', '--archive', dir, '--bogus'], ['init', '--archive', join(ws.dir, 'x')],
    ['show', 'blob', 'x', '--archive', dir], ['show', 'block', '--archive', dir], ['verify', '--federation', FED], ['ingest', '--archive', dir]]) {
    const r = await cli(...argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /LEDGER_USAGE|Unknown|Not enough|Invalid|name a command|Missing/i);
  }
});

test('4: a missing archive, a folder that is not one, another federation', async () => {
  const missing = join(ws.dir, 'does-not-exist');
  for (const argv of archiveCommands(missing)) {
    const r = await cli(...argv);
    assert.equal(r.code, 4, `${argv.join(' ')}: ${r.stderr}`);
    assert.equal(r.events.at(-1)!.code, 'LEDGER_ARCHIVE_MISSING');
  }
  const notArchive = join(ws.dir, 'not-an-archive');
  mkdirSync(notArchive);
  writeFileSync(join(notArchive, 'notes.txt'), 'hello');
  const r = await cli('status', '--archive', notArchive);
  assert.deepEqual([r.code, r.events.at(-1)!.code], [4, 'LEDGER_ARCHIVE_FORMAT']);
  const dir = await goodArchive('other-fed');
  const r2 = await cli('init', '--archive', dir, '--federation', fixture('sample', 'federation.json'));
  assert.deepEqual([r2.code, r2.events.at(-1)!.code], [4, 'LEDGER_ARCHIVE_FEDERATION']);
  // An export of another federation is refused by import with the same code (SPEC.md §17.9, README).
  const file = join(ws.dir, 'other-fed.lae');
  assert.equal((await cli('export', '--archive', dir, '--out', file)).code, 0);
  const sampleArchive = join(ws.dir, 'sample-fed');
  assert.equal((await cli('init', '--archive', sampleArchive, '--federation', fixture('sample', 'federation.json'))).code, 0);
  const r3 = await cli('import', file, '--archive', sampleArchive);
  assert.deepEqual([r3.code, r3.events.at(-1)!.code], [4, 'LEDGER_ARCHIVE_FEDERATION']);
});

test('5: a locked archive — held by a second open in this process (writers refused, readers served)', async () => {
  const dir = await goodArchive('locked-here');
  const held = await openArchive({ dir });
  try {
    // Writers stay exclusive; readers use a proven live copy beside the writer (SPEC.md §15.1.1).
    for (const argv of archiveCommands(dir)) {
      const r = await cli(...argv);
      if (argv[0] === 'ingest') {
        assert.equal(r.code, 5, `${argv.join(' ')}: ${r.stderr}`);
        assert.equal(r.events.at(-1)!.code, 'LEDGER_STORE_LOCKED');
      } else assert.equal(r.code, 0, `${argv.join(' ')} beside the writer: ${r.stderr}`);
    }
  } finally {
    await closeArchive(held);
  }
  assert.equal((await cli('status', '--archive', dir)).code, 0, 'released: usable again');
});

test('5: a locked archive — held by a child process (writers refused, readers served)', async () => {
  const dir = await goodArchive('locked-child');
  const mod = pathToFileURL(join(ROOT, 'dist', 'src', 'store', 'archive.js')).href;
  const script = `const { openArchive } = await import(${JSON.stringify(mod)});
await openArchive({ dir: ${JSON.stringify(dir)} }); process.stdout.write('held\\n'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => { if (b.toString().includes('held')) resolve(); });
      child.once('exit', (c) => reject(new Error(`child exited ${c}`)));
    });
    for (const argv of archiveCommands(dir)) {
      const r = await cli(...argv);
      assert.equal(r.code, argv[0] === 'ingest' ? 5 : 0, `${argv.join(' ')}: ${r.stderr}`);
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  assert.equal((await cli('status', '--archive', dir)).code, 0, 'the lock dies with its process');
});
