/**
 * The README's service set-up runs as written (issue 14): the export, chain check and health
 * check commands of its systemd units, with the paths moved into a temp folder, succeed on an
 * archive (and the health check fails before the first export and check, as it should).
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, fixture } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';
import { workspace } from './helpers.js';

const ws = workspace('la-e2e-service-');
test.after(() => ws.cleanup());

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('<!-- service-setup -->'), readme.indexOf('## Disaster recovery'));

test('README service units: export --to, export --check and the health check run as written', async () => {
  const lines = [...section.matchAll(/^Exec(?:Start|StartPost)=\/usr\/bin\/ledger-archive (.*)$/gm)].map((m) => m[1]!);
  assert.equal(lines.length, 4, 'follow, export, check, health');
  assert.match(lines[0]!, /^pull .*--follow/);
  const archive = join(ws.dir, 'archive');
  const key = join(ws.dir, 'backup.key');
  const move = (l: string): string[] => l.replace(/\/backup\/ledger/g, join(ws.dir, 'backup')).replace(/\/mnt\/offsite\/ledger/g, join(ws.dir, 'offsite'))
    .replace(/\/etc\/ledger\/backup\.key/g, key).split(' ');
  assert.equal((await runCli(['init', '--archive', archive, '--federation', fixture('damaged', 'federation.json')])).code, 0);
  assert.equal((await runCli(['ingest', fixture('damaged', 'good', 'ledger.ndjson'), '--archive', archive, '--workers', '0'])).code, 0);
  assert.equal((await runCli(['keygen', key])).code, 0);
  const before = process.env.LEDGER_ARCHIVE_DIR;
  process.env.LEDGER_ARCHIVE_DIR = archive; // Environment=LEDGER_ARCHIVE_DIR=…
  try {
    const health = move(lines[3]!);
    assert.equal((await runCli(health)).code, 1, 'never exported, never checked: unhealthy');
    assert.equal((await runCli(['check', '--workers', '0'])).code, 0);
    for (const l of [lines[1]!, lines[2]!, lines[1]!, lines[2]!]) {
      const r = await runCli(move(l));
      assert.equal(r.code, 0, `${l}: ${r.stderr}${r.stdout.slice(-500)}`);
    }
    const r = await runCli(health);
    assert.equal(r.code, 0, r.stdout);
  } finally {
    if (before === undefined) delete process.env.LEDGER_ARCHIVE_DIR; else process.env.LEDGER_ARCHIVE_DIR = before;
  }
});
