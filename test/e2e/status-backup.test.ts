/**
 * `status` answers "when was my last good backup" (SPEC.md §15.6.1): the last export (where,
 * when, its chain length) and the last check with their results, from `activity.json`, which
 * `export` and `check` write beside `archive.json` without touching the store; the backup
 * warnings, and `--strict --backups` / `--export-max-age` making them exit 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';
import { cli, workspace } from './helpers.js';

const ws = workspace('la-e2e-backup-');
test.after(() => ws.cleanup());

interface Backup {
  lastExport: { at: string; path: string; digest: string; sequence: number; incremental: boolean; complete: boolean; ageSeconds: number; chainLength: number } | null;
  lastCheck: { at: string; ok: boolean; findings: number; ageSeconds: number } | null;
  writerRunning: boolean;
  warnings: { code: string }[];
}
const backupOf = async (dir: string, ...more: string[]): Promise<{ code: number; b: Backup }> => {
  const r = await cli('status', '--archive', dir, '--no-gaps', ...more);
  return { code: r.code, b: (r.summary as { backup: Backup }).backup };
};

test('status: never exported or checked, then the last check and the last export with its chain length', async () => {
  const dir = join(ws.dir, 'a');
  assert.equal((await cli('init', '--archive', dir, '--federation', fixture('damaged', 'federation.json'))).code, 0);
  assert.equal((await cli('ingest', fixture('damaged', 'good', 'ledger.ndjson'), '--archive', dir, '--workers', '0')).code, 0);
  let s = await backupOf(dir, '--strict');
  assert.deepEqual([s.code, s.b.lastExport, s.b.lastCheck, s.b.writerRunning], [0, null, null, false], 'backup warnings alone do not fail --strict');
  assert.deepEqual(s.b.warnings.map((w) => w.code), ['NEVER_EXPORTED', 'NEVER_CHECKED']);
  assert.equal((await backupOf(dir, '--strict', '--backups')).code, 1);

  assert.equal((await cli('check', '--archive', dir, '--workers', '0')).code, 0);
  s = await backupOf(dir);
  assert.deepEqual([s.b.lastCheck?.ok, s.b.lastCheck?.findings], [true, 0]);
  assert.ok(s.b.lastCheck!.ageSeconds <= 5);
  assert.deepEqual(s.b.warnings.map((w) => w.code), ['NEVER_EXPORTED']);

  const full = join(ws.dir, 'full.lae');
  const inc = join(ws.dir, 'inc.lae');
  assert.equal((await cli('export', '--archive', dir, '--out', full)).code, 0);
  const e = await cli('export', '--archive', dir, '--out', inc, '--since', full);
  assert.equal(e.code, 0);
  s = await backupOf(dir, '--strict', '--backups');
  assert.equal(s.code, 0, JSON.stringify(s.b.warnings));
  const x = s.b.lastExport!;
  assert.deepEqual([x.path, x.digest, x.sequence, x.chainLength, x.incremental, x.complete], [inc, (e.summary as { digest: string }).digest, 1, 2, true, true]);
  const human = (await runCli(['status', '--archive', dir, '--no-gaps'])).stdout;
  assert.match(human, new RegExp(`last export ${inc.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} at \\S+ \\(\\d+ s ago; incremental, chain of 2 file\\(s\\)\\)`));
  assert.match(human, /last check \S+ \(\d+ s ago\): ok/);

  await new Promise((r) => setTimeout(r, 2100));
  s = await backupOf(dir, '--strict', '--export-max-age', '1');
  assert.deepEqual([s.code, s.b.warnings.map((w) => w.code)], [1, ['EXPORT_OLD']], '--export-max-age implies --backups');
});

test('status: a failed check is a warning; a damaged activity record is named, not fatal; an unwritable one does not fail the export', async () => {
  const dir = join(ws.dir, 'b');
  assert.equal((await cli('init', '--archive', dir, '--federation', fixture('damaged', 'federation.json'))).code, 0);
  assert.equal((await cli('ingest', fixture('damaged', 'good', 'ledger.ndjson'), '--archive', dir, '--workers', '0')).code, 0);
  const file = join(dir, 'activity.json');
  writeFileSync(file, JSON.stringify({ format: 'ledger-archive-activity', lastExport: null, lastCheck: { at: new Date().toISOString(), ok: false, findings: 3 } }));
  let s = await backupOf(dir, '--strict', '--backups');
  assert.deepEqual([s.code, s.b.warnings.map((w) => w.code)], [1, ['NEVER_EXPORTED', 'CHECK_FAILED']]);
  writeFileSync(file, '{"format": "ledger-archive-activity", "lastCheck": ');
  s = await backupOf(dir);
  assert.deepEqual([s.code, s.b.warnings.map((w) => w.code)], [0, ['ACTIVITY_DAMAGED', 'NEVER_EXPORTED', 'NEVER_CHECKED']]);
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555); // the archive folder read-only: the export is written, its record is not
    try {
      const e = await cli('export', '--archive', dir, '--out', join(ws.dir, 'b.lae'));
      assert.equal(e.code, 0, e.stderr);
      assert.match(e.stderr + JSON.stringify(e.events), /cannot record it in .*activity\.json/);
    } finally {
      chmodSync(dir, 0o755);
    }
    assert.equal(readFileSync(file, 'utf8'), '{"format": "ledger-archive-activity", "lastCheck": ');
  }
});
