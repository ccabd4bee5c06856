/**
 * The report shows the backup routine that status knows (SPEC.md §15.6.1, §23): the last export
 * and the last check from activity.json, and "never" before there was one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/fixtures.js';

test('report: last export and last check come from the activity record', async () => {
  const t = mkdtempSync(join(tmpdir(), 'la-report-activity-'));
  try {
    const a = join(t, 'archive');
    assert.equal((await runCli(['init', '--federation', fixture('sample', 'federation.json'), '--archive', a])).code, 0);
    assert.equal((await runCli(['ingest', fixture('sample', 'ledger.ndjson'), '--archive', a, '--workers', '0'])).code, 0);
    const html = (): string => readFileSync(join(t, 'r.html'), 'utf8');
    await runCli(['report', '--out', join(t, 'r.html'), '--archive', a]);
    assert.match(html(), /never exported/);
    assert.match(html(), /never checked/);
    assert.equal((await runCli(['check', '--archive', a, '--workers', '0'])).code, 0);
    const out = join(t, 'full.lae');
    assert.equal((await runCli(['export', '--out', out, '--archive', a])).code, 0);
    await runCli(['report', '--out', join(t, 'r.html'), '--archive', a]);
    assert.ok(html().includes(out), 'the export path is shown');
    assert.match(html(), /full, chain of 1/);
    assert.match(html(), /no problems/);
  } finally {
    rmSync(t, { recursive: true, force: true });
  }
});
