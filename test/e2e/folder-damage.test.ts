/**
 * Issue 9, items 3, 4 and 6, as a property over a small archive: delete, truncate or flip
 * a byte of ANY file of the archive folder, and every read-only command (status, gaps,
 * check, show, export, rebuild to a file) is either correct on the full data, or exits 4
 * naming the archive and the damage, or (a document changed in place) exits 1 naming it —
 * and none of them changes a byte of the folder. The archive is left as a process that
 * was killed leaves it (batches still in LevelDB's log), so the log is among the files.
 * Also: only init creates a database; a lost log batch is named with its sequence range.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fixture, ROOT } from '../helpers/fixtures.js';
import { cli, workspace, type E2eRun } from './helpers.js';

const FED = fixture('damaged', 'federation.json');
const LEDGER = fixture('damaged', 'good', 'ledger.ndjson');
const BLOCK = '3d00948cac62414497ae9dd2c01c47f66b6041378f4bf0abd1a02107ecc12663';
const ws = workspace('la-e2e-folder-');
test.after(() => ws.cleanup());

/** Every file under `dir` with the sha256 of its bytes (the folder "as bytes"), but the activity record. */
function folderBytes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const n of readdirSync(d).sort()) {
      if (rel === '' && n === 'activity.json') continue; // export/check record themselves there, outside the store (SPEC.md §15.6.1)
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p, `${rel}${n}/`);
      else out[`${rel}${n}`] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

/** An archive as a killed ingest leaves it: three batches closed (in a table file), three more never closed (in the log). */
function killedArchive(dir: string): void {
  const mod = (p: string): string => JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'src', p)).href);
  const script = `
    const { initArchive, openArchive, closeArchive } = await import(${mod('store/archive.js')});
    const { loadFederation } = await import(${mod('model/federation.js')});
    const { ingest } = await import(${mod('ops/ingest.js')});
    const { readFileSync } = await import('node:fs');
    const federation = loadFederation(${JSON.stringify(FED)});
    await initArchive({ dir: ${JSON.stringify(dir)}, federation });
    const lines = readFileSync(${JSON.stringify(LEDGER)}, 'utf8').split('\\n').filter((l) => l.trim() !== '');
    const docs = (from, to) => lines.slice(from, to).map((text, i) => ({ table: null, doc: undefined, text, origin: 'ledger#' + (from + i) }));
    const first = await openArchive({ dir: ${JSON.stringify(dir)} });
    await ingest({ archive: first, docs: docs(0, 30), workers: 0, batchDocs: 10 });
    await closeArchive(first); // these batches are in a table file now
    const archive = await openArchive({ dir: ${JSON.stringify(dir)} });
    await ingest({ archive, docs: docs(30), workers: 0, batchDocs: 10 });
    process.exit(0); // no close: what a kill leaves (these batches only in the log)`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

/** The read-only commands, with what of their output must not change. */
const COMMANDS: { name: string; argv: (dir: string, out: string) => string[]; view: (r: E2eRun) => unknown }[] = [
  { name: 'status', argv: (d) => ['status', '--archive', d], view: (r) => { const s = r.summary as { counts: unknown; statuses: unknown }; return [s.counts, s.statuses]; } },
  { name: 'gaps', argv: (d) => ['gaps', '--archive', d], view: (r) => r.summary },
  { name: 'check', argv: (d) => ['check', '--archive', d, '--workers', '0'], view: (r) => r.summary },
  { name: 'show', argv: (d) => ['show', 'block', BLOCK, '--canonical', '--archive', d], view: (r) => (r.summary as { canonical?: string }).canonical },
  { name: 'export', argv: (d, o) => ['export', '--out', join(o, 'x.lae'), '--archive', d], view: (r) => { const s = r.summary as { counts: unknown; contentBytes: number }; return [s.counts, s.contentBytes]; } },
  { name: 'rebuild', argv: (d, o) => ['rebuild', '--to', join(o, 'x.tar.gz'), '--archive', d, '--keep-undecided', '--allow-gaps'], view: (r) => (r.summary as { written: unknown }).written },
];

type Damage = 'delete' | 'truncate' | 'flip' | 'flip-early' | 'flip-late';
function damage(file: string, how: Damage): void {
  if (how === 'delete') { rmSync(file); return; }
  const size = statSync(file).size;
  if (how === 'truncate') { truncateSync(file, Math.floor(size / 2)); return; }
  const b = readFileSync(file);
  if (b.length === 0) return;
  b[Math.floor(b.length * (how === 'flip-early' ? 0.2 : how === 'flip-late' ? 0.8 : 0.5))] ^= 0x55;
  writeFileSync(file, b);
}

test('only init creates a database: a missing CURRENT is exit 4 for every command, naming the path; nothing is created', async () => {
  const dir = join(ws.dir, 'no-current');
  assert.equal((await cli('init', '--archive', dir, '--federation', FED)).code, 0);
  assert.equal((await cli('ingest', LEDGER, '--archive', dir, '--workers', '0')).code, 0);
  rmSync(join(dir, 'db', 'CURRENT'));
  const before = folderBytes(dir);
  for (const c of [...COMMANDS.map((x) => x.argv(dir, ws.dir)), ['ingest', LEDGER, '--archive', dir, '--workers', '0'], ['check', '--repair', '--archive', dir]]) {
    const r = await cli(...c);
    assert.equal(r.code, 4, `${c[0]}: ${r.stderr}`);
    const e = r.events.at(-1) as { code: string; message: string };
    assert.equal(e.code, 'LEDGER_ARCHIVE_CORRUPT');
    assert.match(e.message, /CURRENT/);
    assert.ok(e.message.includes(join(dir, 'db')), 'names the path');
    assert.deepEqual(folderBytes(dir), before, `${c[0]} changed the folder`);
  }
});

test('a flipped byte in the write-ahead log: the lost batches are named with their sequence range (exit 4), the folder is untouched; check --repair restarts the record', async () => {
  const dir = join(ws.dir, 'log-flip');
  killedArchive(dir);
  const log = readdirSync(join(dir, 'db')).find((n) => n.endsWith('.log') && statSync(join(dir, 'db', n)).size > 0)!;
  assert.ok(log !== undefined, 'the batches are in the log');
  damage(join(dir, 'db', log), 'flip');
  const before = folderBytes(dir);
  for (const c of [['status', '--archive', dir], ['check', '--archive', dir, '--workers', '0']]) {
    const r = await cli(...c);
    assert.equal(r.code, 4, r.stderr);
    const e = r.events.at(-1) as { code: string; message: string; data: { lost: { commits: number[]; sequences: number[] }[] } };
    assert.equal(e.code, 'LEDGER_ARCHIVE_CORRUPT');
    assert.match(e.message, /missing from the database: commits? \d+/);
    assert.ok(e.data.lost.length > 0 && e.data.lost.every((l) => l.sequences !== null && l.sequences[0]! <= l.sequences[1]!), 'sequence ranges named');
    assert.deepEqual(folderBytes(dir), before, `${c[0]} changed the folder`);
  }
  // An ingest (a writer) refuses too, before LevelDB's recovery could drop the damaged batch.
  assert.equal((await cli('ingest', LEDGER, '--archive', dir, '--workers', '0')).code, 4);
  assert.deepEqual(folderBytes(dir), before, 'ingest changed the folder');
  const repair = await cli('check', '--repair', '--archive', dir, '--workers', '0');
  assert.ok((repair.summary as { actions: string[] }).actions.some((a) => a.startsWith('restarted the completeness record')), repair.stdout);
  // What was lost comes back from the source.
  assert.equal((await cli('ingest', LEDGER, '--archive', dir, '--workers', '0')).code, 0);
  assert.equal((await cli('check', '--archive', dir, '--workers', '0')).code, 0);
});

test('property: any file × {delete, truncate, flip} → every read-only command is correct, or exits 4 naming the damage, or 1 naming the document; no command changes the folder', async (t) => {
  const pristine = join(ws.dir, 'pristine');
  killedArchive(pristine);
  const out = join(ws.dir, 'out');
  const want = new Map<string, unknown>();
  for (const c of COMMANDS) {
    rmSync(out, { recursive: true, force: true }); mkdirSync(out);
    const r = await cli(...c.argv(pristine, out));
    assert.equal(r.code, 0, `${c.name} on the undamaged archive: ${r.stderr}`);
    want.set(c.name, c.view(r));
  }
  const files = Object.keys(folderBytes(pristine));
  assert.ok(files.some((f) => f.endsWith('.log')) && files.some((f) => f.endsWith('.ldb')) && files.includes('commit.json') && files.includes('db/CURRENT'));
  const outcomes: Record<string, number> = {};
  for (const file of files) {
    // The data files (tables, log) also get a byte flipped near their start and near their end.
    const kinds: Damage[] = /\.(ldb|log)$/.test(file) ? ['delete', 'truncate', 'flip', 'flip-early', 'flip-late'] : ['delete', 'truncate', 'flip'];
    for (const how of kinds) {
      const dir = join(ws.dir, 'damaged');
      rmSync(dir, { recursive: true, force: true });
      cpSync(pristine, dir, { recursive: true });
      damage(join(dir, file), how);
      const before = folderBytes(dir);
      for (const c of COMMANDS) {
        rmSync(out, { recursive: true, force: true }); mkdirSync(out);
        const r = await cli(...c.argv(dir, out));
        const what = `${c.name} after ${how} ${file}`;
        const last = r.events.at(-1) as { type?: string; code?: string; message?: string } | undefined;
        if (r.code === 0) assert.deepEqual(c.view(r), want.get(c.name), `${what}: exit 0 must mean the full, correct data`);
        else if (r.code === 4) {
          assert.equal(last?.type, 'error', what);
          assert.ok(last?.message?.includes(dir), `${what}: names the archive (${last?.message})`);
        } else {
          assert.equal(r.code, 1, `${what}: exit ${r.code}: ${r.stderr}`);
          assert.ok(r.findings.length > 0 && r.findings.every((f) => /^STORE_|^GAP_/.test(String(f.code))), `${what}: names what is wrong`);
          if (c.name !== 'gaps') assert.ok(r.findings.some((f) => /^STORE_/.test(String(f.code))), `${what}: a store finding`);
        }
        outcomes[`${c.name}:${r.code}`] = (outcomes[`${c.name}:${r.code}`] ?? 0) + 1;
        assert.deepEqual(folderBytes(dir), before, `${what} changed the folder`);
        assert.ok(!existsSync(join(dir, 'db', 'LOCK')) === !before['db/LOCK'], what);
      }
    }
  }
  t.diagnostic(`outcomes (command:exit → runs): ${JSON.stringify(outcomes)}`);
  // Some damages must be caught, some are harmless (LOG, LOCK): both outcomes happen.
  assert.ok((outcomes['status:4'] ?? 0) > 0 && (outcomes['status:0'] ?? 0) > 0, JSON.stringify(outcomes));
});

test('a copy taken mid-write (database older than commit.json) is exit 4 naming the lost batches', async () => {
  const dir = join(ws.dir, 'mid-write');
  assert.equal((await cli('init', '--archive', dir, '--federation', FED)).code, 0);
  const lines = readFileSync(LEDGER, 'utf8').split('\n').filter((x) => x.trim() !== '');
  writeFileSync(join(ws.dir, 'first.ndjson'), `${lines.slice(0, 20).join('\n')}\n`);
  assert.equal((await cli('ingest', join(ws.dir, 'first.ndjson'), '--archive', dir, '--workers', '0')).code, 0);
  cpSync(join(dir, 'db'), join(ws.dir, 'db-then'), { recursive: true });
  assert.equal((await cli('ingest', LEDGER, '--archive', dir, '--workers', '0')).code, 0);
  rmSync(join(dir, 'db'), { recursive: true });
  cpSync(join(ws.dir, 'db-then'), join(dir, 'db'), { recursive: true }); // the database copied before, commit.json after
  const r = await cli('status', '--archive', dir);
  assert.equal(r.code, 4);
  const e = r.events.at(-1) as { message: string; data: { damage: string; lost: { sequences: number[] }[] } };
  assert.equal(e.data.damage, 'lost-commits');
  assert.deepEqual(e.data.lost[0]!.sequences, [21, lines.length], 'the documents of the lost batch');
});

test('a truncated table file: every command that reads it exits 4 naming the archive and LevelDB\'s error, never 70 or 1', async () => {
  const dir = join(ws.dir, 'truncated-table');
  assert.equal((await cli('init', '--archive', dir, '--federation', FED)).code, 0);
  assert.equal((await cli('ingest', LEDGER, '--archive', dir, '--workers', '0')).code, 0);
  const tables = readdirSync(join(dir, 'db')).filter((n) => n.endsWith('.ldb')).map((n) => ({ n, size: statSync(join(dir, 'db', n)).size }));
  const biggest = tables.sort((a, b) => b.size - a.size)[0]!;
  truncateSync(join(dir, 'db', biggest.n), Math.floor(biggest.size / 3));
  const before = folderBytes(dir);
  for (const argv of [['check', '--archive', dir, '--workers', '2'], ['export', '--out', join(ws.dir, 't.lae'), '--archive', dir], ['ingest', LEDGER, '--archive', dir, '--workers', '2']]) {
    const r = await cli(...argv);
    assert.equal(r.code, 4, `${argv[0]}: ${r.stderr}`);
    const e = r.events.at(-1) as { code: string; message: string };
    assert.equal(e.code, 'LEDGER_ARCHIVE_CORRUPT');
    assert.ok(e.message.includes(dir), e.message);
    if (argv[0] !== 'ingest') assert.deepEqual(folderBytes(dir), before, `${argv[0]} changed the folder`);
  }
});
