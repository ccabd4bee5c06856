/**
 * `status` shows each source's follow mode and lag from the sync record `pull --follow`
 * writes (docs/spec-pull.md §4: cursor `{blockTimestamp, overlapSeconds, follow: {active,
 * since, lastEventAt}}`), in --json and in the human lines. The records are written the way
 * pull writes them: through ingest's `source` option, in the batch of the run's documents.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fixture } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';
import { closeArchive, openArchive } from '../../src/store/archive.js';
import { ingest } from '../../src/ops/ingest.js';
import { cli, workspace } from './helpers.js';

const ws = workspace('la-e2e-follow-');
test.after(() => ws.cleanup());

interface Src { name: string; follow: { active: boolean; since: string | null; lastEventAt: string | null; lagSeconds: number | null } | null }

/** Record one run of `name` with `cursor`, as a pull does. */
async function recordRun(dir: string, name: string, cursor: unknown): Promise<void> {
  const a = await openArchive({ dir });
  try {
    await ingest({ archive: a, docs: [], source: { name, cursor }, workers: 0 });
  } finally {
    await closeArchive(a);
  }
}

test('status: following, stopped and plain sources, with the lag', async () => {
  const dir = join(ws.dir, 'a');
  assert.equal((await cli('init', '--archive', dir, '--federation', fixture('damaged', 'federation.json'))).code, 0);
  const now = Date.now();
  const iso = (msAgo: number): string => new Date(now - msAgo).toISOString();
  await recordRun(dir, 'rethinkdb://node-1:28015/bigchain', { blockTimestamp: String(Math.floor(now / 1000) - 100), overlapSeconds: 120,
    follow: { active: true, since: iso(3_600_000), lastEventAt: iso(30_000) } });
  await recordRun(dir, 'rethinkdb://node-2:28015/bigchain', { blockTimestamp: String(Math.floor(now / 1000) - 90), overlapSeconds: 120,
    follow: { active: true, since: iso(60_000), lastEventAt: null } });
  await recordRun(dir, 'rethinkdb://node-3:28015/bigchain', { blockTimestamp: '1509958434', overlapSeconds: 120,
    follow: { active: false, since: iso(7_200_000), lastEventAt: iso(3_600_000) } });
  await recordRun(dir, 'file:ledger.ndjson', null);

  const r = await cli('status', '--archive', dir);
  assert.equal(r.code, 0);
  const by = Object.fromEntries((r.summary as { sources: Src[] }).sources.map((s) => [s.name, s.follow]));
  const near = (x: number | null | undefined, want: number): boolean => x !== null && x !== undefined && Math.abs(x - want) <= 5;
  const f1 = by['rethinkdb://node-1:28015/bigchain']!;
  assert.deepEqual([f1.active, f1.since, f1.lastEventAt], [true, iso(3_600_000), iso(30_000)]);
  assert.ok(near(f1.lagSeconds, 30), `lag from the last change: ${f1.lagSeconds}`);
  const f2 = by['rethinkdb://node-2:28015/bigchain']!;
  assert.ok(f2.active && f2.lastEventAt === null && near(f2.lagSeconds, 90), `no change yet: lag from the cursor's block timestamp (${f2.lagSeconds})`);
  const f3 = by['rethinkdb://node-3:28015/bigchain']!;
  assert.equal(f3.active, false);
  assert.ok(near(f3.lagSeconds, 3600));
  assert.equal(by['file:ledger.ndjson'], null, 'a source that never followed has no follow state');

  const human = (await runCli(['status', '--archive', dir])).stdout;
  assert.match(human, /source rethinkdb:\/\/node-1:28015\/bigchain: .*following since \S+, last change \S+, lag (2[5-9]|3[0-5]) s/);
  assert.match(human, /source rethinkdb:\/\/node-2:28015\/bigchain: .*following since \S+, no change yet, lag \d+ s/);
  assert.match(human, /source rethinkdb:\/\/node-3:28015\/bigchain: .*follow stopped/);
  assert.match(human, /source file:ledger\.ndjson: last pull \S+ \(\d+ s ago\)\n/);
});
