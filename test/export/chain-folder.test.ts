/**
 * Scheduled exports into chain folders (SPEC.md §17.10): `export --to DIR` writes a full export,
 * then incrementals, under `ledger-<chain>-<sequence>.lae`, into every destination, each read
 * back; an unwritable destination is named and the others are still written; retention with
 * `--dry-run` lists, without it deletes, never breaking a chain; `export --check DIR` verifies
 * a folder and names a damaged or missing link.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../helpers/fixtures.js';
import { cli, workspace } from '../e2e/helpers.js';

const ws = workspace('la-chain-folder-');
test.after(() => ws.cleanup());

interface Dest { dir: string; path: string | null; sequence: number | null; digest: string | null; deleted: string[]; error: { code: string; message: string } | null }
const names = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.lae')).sort();

test('export --to: full then incrementals in every destination; one unwritable destination is named, the others written', async () => {
  const dir = join(ws.dir, 'a');
  assert.equal((await cli('init', '--archive', dir, '--federation', fixture('damaged', 'federation.json'))).code, 0);
  assert.equal((await cli('ingest', fixture('damaged', 'good', 'ledger.ndjson'), '--archive', dir, '--workers', '0')).code, 0);
  const [a, b] = [join(ws.dir, 'dest-a'), join(ws.dir, 'dest-b')];
  const r1 = await cli('export', '--archive', dir, '--to', a, '--to', b);
  assert.equal(r1.code, 0, r1.stderr);
  const d1 = (r1.summary as { destinations: Dest[] }).destinations;
  assert.deepEqual(d1.map((d) => [d.dir, d.sequence, d.error]), [[a, 0, null], [b, 0, null]]);
  assert.match(names(a)[0]!, /^ledger-\d{8}T\d{6}Z-000000\.lae$/);
  const r2 = await cli('export', '--archive', dir, '--to', a, '--to', b);
  assert.deepEqual((r2.summary as { destinations: Dest[] }).destinations.map((d) => d.sequence), [1, 1]);
  assert.deepEqual(names(a), names(b));
  assert.equal(names(a)[1], names(a)[0]!.replace('-000000.', '-000001.'));

  const blocker = join(ws.dir, 'a-file');
  writeFileSync(blocker, 'not a folder');
  const bad = join(blocker, 'sub');
  const r3 = await cli('export', '--archive', dir, '--to', a, '--to', bad, '--to', b);
  assert.equal(r3.code, 3, r3.stderr);
  const s3 = r3.summary as { destinations: Dest[]; failed: string[] };
  assert.deepEqual(s3.failed, [bad]);
  assert.deepEqual(s3.destinations.map((d) => [d.sequence, d.error === null]), [[2, true], [null, false], [2, true]], 'the others are written');
  assert.match(r3.stderr + r3.stdout, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

  const ok = await cli('export', '--check', a);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual((ok.summary as { chains: { files: string[]; ok: boolean }[] }).chains.map((c) => [c.files.length, c.ok]), [[3, true]]);
});

test('retention: --dry-run lists, then deletes whole old chains only; --check names damage and a missing link', async () => {
  const dir = join(ws.dir, 'r');
  assert.equal((await cli('init', '--archive', dir, '--federation', fixture('damaged', 'federation.json'))).code, 0);
  assert.equal((await cli('ingest', fixture('damaged', 'good', 'ledger.ndjson'), '--archive', dir, '--workers', '0')).code, 0);
  const to = join(ws.dir, 'rdest');
  for (let i = 0; i < 3; i++) assert.equal((await cli('export', '--archive', dir, '--to', to)).code, 0);
  await new Promise((r) => setTimeout(r, 1100)); // a new chain has a later stamp
  const first = names(to);
  const dry = await cli('export', '--archive', dir, '--to', to, '--full', '--keep-last', '1', '--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual((dry.summary as { destinations: Dest[] }).destinations[0]!.deleted.map((p) => p.slice(to.length + 1)), first, 'the old chain would go');
  assert.equal(names(to).length, 4, 'nothing deleted');
  const inc = await cli('export', '--archive', dir, '--to', to, '--keep-last', '1');
  assert.equal(inc.code, 0);
  const left = names(to);
  assert.equal(left.length, 2, `the new chain's full export and its incremental stay: ${left.join(' ')}`);
  assert.ok(left[0]!.endsWith('-000000.lae') && left[1]!.endsWith('-000001.lae'));
  assert.equal((await cli('export', '--check', to)).code, 0);

  const f = join(to, left[1]!);
  const bytes = readFileSync(f);
  bytes[Math.floor(bytes.length / 2)] ^= 0x55;
  writeFileSync(f, bytes);
  const damaged = await cli('export', '--check', to);
  assert.equal(damaged.code, 8);
  assert.match(JSON.stringify(damaged.summary), /BROKEN|"ok":false/);
  bytes[Math.floor(bytes.length / 2)] ^= 0x55;
  writeFileSync(f, bytes); // repaired: the chain is whole again
  assert.equal((await cli('export', '--check', to)).code, 0);
  rmSync(join(to, left[0]!));
  const missing = await cli('export', '--check', to);
  assert.equal(missing.code, 8);
  assert.match(String((missing.summary as { chains: { error: string }[] }).chains[0]!.error), /incremental, but no full export/);
});
