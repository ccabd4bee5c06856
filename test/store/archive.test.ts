import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeArchive, initArchive, openArchive, resolveArchiveDir } from '../../src/store/archive.js';
import { federationFromJson } from '../../src/model/federation.js';
import { ingest } from '../../src/ops/ingest.js';
import { check } from '../../src/ops/check.js';
import { buildLedger } from '../helpers/store-ledger.js';
import { dumpDb, raw, tempDir } from '../helpers/store-archive.js';
import { ledgerDocs } from '../helpers/archive-child.js';

const CHILD = fileURLToPath(new URL('../helpers/archive-child.js', import.meta.url));
const fed = buildLedger({ voters: 3, blocks: 1, shuffle: true }).federation;

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> => {
  try { await p; return undefined; } catch (err) { return (err as { code?: string }).code; }
};

test('init creates an archive; re-init with the same federation is a no-op', async () => {
  const t = tempDir();
  const dir = join(t.dir, 'a');
  assert.equal((await initArchive({ dir, federation: fed })).created, true);
  assert.equal((await initArchive({ dir, federation: fed })).created, false);
  const a = await openArchive({ dir });
  assert.deepEqual(a.federation.keys, fed.keys);
  await closeArchive(a);
  t.cleanup();
});

test('init and open refuse what is not theirs, and change nothing', async () => {
  const t = tempDir();
  assert.equal(await codeOf(openArchive({ dir: join(t.dir, 'none') })), 'LEDGER_ARCHIVE_MISSING');
  const other = join(t.dir, 'other');
  mkdirSync(other);
  writeFileSync(join(other, 'notes.txt'), 'hello');
  assert.equal(await codeOf(openArchive({ dir: other })), 'LEDGER_ARCHIVE_FORMAT');
  assert.equal(await codeOf(initArchive({ dir: other, federation: fed })), 'LEDGER_ARCHIVE_FORMAT');
  assert.deepEqual(readdirSync(other), ['notes.txt']);
  const dir = join(t.dir, 'a');
  await initArchive({ dir, federation: fed });
  const otherFed = federationFromJson({ keys: fed.keys.slice(0, 2) });
  assert.equal(await codeOf(initArchive({ dir, federation: otherFed })), 'LEDGER_ARCHIVE_FEDERATION');
  const info = join(dir, 'archive.json');
  const text = (await import('node:fs')).readFileSync(info, 'utf8');
  writeFileSync(info, text.replace('"version": 1', '"version": 99'));
  assert.equal(await codeOf(openArchive({ dir })), 'LEDGER_ARCHIVE_FORMAT');
  t.cleanup();
});

test('the archive folder: --archive, then LEDGER_ARCHIVE_DIR, then ./.ledger-archive', () => {
  assert.equal(resolveArchiveDir('/x/y', { LEDGER_ARCHIVE_DIR: '/z' }), '/x/y');
  assert.equal(resolveArchiveDir(undefined, { LEDGER_ARCHIVE_DIR: '/z' }), '/z');
  assert.ok(resolveArchiveDir(undefined, {}).endsWith('.ledger-archive'));
});

function run(args: string[], onStarted?: (kill: () => void) => void): Promise<{ out: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (onStarted !== undefined && out.includes('started\n')) { const f = onStarted; onStarted = undefined; f(() => child.kill('SIGKILL')); }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ out, signal }));
  });
}

test('a second process gets LEDGER_STORE_LOCKED (cause LEVEL_LOCKED)', async () => {
  const t = tempDir();
  const dir = join(t.dir, 'a');
  await initArchive({ dir, federation: fed });
  const a = await openArchive({ dir });
  const r = await run(['open', dir]);
  assert.deepEqual(JSON.parse(r.out), { code: 'LEDGER_STORE_LOCKED', cause: 'LEVEL_LOCKED' });
  await closeArchive(a);
  assert.deepEqual(JSON.parse((await run(['open', dir])).out), { ok: true });
  t.cleanup();
});

test('kill-and-resume: SIGKILL at random points, then check passes and a re-run completes exactly', async () => {
  const blocks = 30;
  const l = buildLedger({ voters: 3, blocks, shuffle: true });
  const t = tempDir();
  const ref = join(t.dir, 'ref');
  await initArchive({ dir: ref, federation: l.federation });
  const r = await openArchive({ dir: ref });
  await ingest({ archive: r, docs: raw(ledgerDocs(l)), workers: 0 });
  const want = await dumpDb(r.db);
  await closeArchive(r);
  const dir = join(t.dir, 'a');
  await initArchive({ dir, federation: l.federation });
  let killed = 0;
  for (let round = 0; round < 6; round++) {
    const res = await run(['ingest', dir, String(blocks)], (kill) => setTimeout(kill, Math.floor(Math.random() * 40)));
    if (res.signal === 'SIGKILL') killed++;
    const a = await openArchive({ dir });
    const c = await check({ archive: a, workers: 0 });
    assert.deepEqual(c.findings, [], `after round ${round}`);
    await closeArchive(a);
  }
  const a = await openArchive({ dir });
  await ingest({ archive: a, docs: raw(ledgerDocs(l)), workers: 0 });
  assert.deepEqual(await dumpDb(a.db), want);
  await closeArchive(a);
  assert.ok(killed > 0, 'at least one child was killed mid-ingest');
  assert.ok(existsSync(join(dir, 'archive.json')));
  t.cleanup();
});
