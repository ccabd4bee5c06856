import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, events } from '../helpers/cli.js';
import { json } from '../helpers/fixtures.js';

const chain = json<Record<string, Record<string, unknown>>>('vectors', 'reference', 'derived-chain-v1.0.json');
const VOTER = 'DngBurxfeNVKZWCEcDnLj1eMPAS7focUZTE5FndFGuHT';

function workspace(docs: unknown[]): { dir: string; file: string; fed: string } {
  const dir = mkdtempSync(join(tmpdir(), 'la-verify-'));
  const file = join(dir, 'ledger.ndjson');
  writeFileSync(file, docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
  const fed = join(dir, 'federation.json');
  writeFileSync(fed, JSON.stringify({ keys: [VOTER] }));
  return { dir, file, fed };
}

const good = [chain.genesis_block, chain.block1, chain.vote1, chain.block2, chain.vote2];

for (const workers of ['0', '2']) {
  test(`verify: the derived chain verifies with statuses (workers=${workers})`, async () => {
    const w = workspace(good);
    const r = await runCli(['verify', w.file, '--federation', w.fed, '--json', '--workers', workers]);
    assert.equal(r.code, 0, r.stderr);
    const ev = events(r.stdout);
    const status = Object.fromEntries(ev.filter((e) => e.type === 'block').map((e) => [e.id, e.status]));
    assert.deepEqual(status, {
      [String(chain.genesis_block!.id)]: 'undecided', [String(chain.block1!.id)]: 'valid', [String(chain.block2!.id)]: 'valid',
    });
    const summary = ev.at(-1)!;
    assert.equal(summary.type, 'summary');
    assert.equal(summary.findings, 0);
  });
}

test('verify: a changed block signature is one finding and exit 1', async () => {
  const bad = structuredClone(chain.block1!) as { signature: string };
  bad.signature = bad.signature.slice(0, -2) + (bad.signature.endsWith('11') ? '22' : '11');
  const w = workspace([chain.genesis_block, bad]);
  const r = await runCli(['verify', w.file, '--federation', w.fed, '--json', '--workers', '0']);
  assert.equal(r.code, 1);
  const f = events(r.stdout).filter((e) => e.type === 'finding');
  assert.deepEqual(f.map((e) => [e.code, e.doc]), [['BLOCK_BAD_SIGNATURE', chain.block1!.id]]);
});

test('verify: human output lists statuses, findings and a summary', async () => {
  const w = workspace(good);
  const r = await runCli(['verify', w.file, '--federation', w.fed, '--workers', '0']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, new RegExp(`block id=${String(chain.block2!.id)} status=valid`));
  assert.match(r.stdout, /blocks\s+3 checked, 3 verified, 0 with findings/);
  assert.match(r.stdout, /votes\s+2 checked, 2 verified/);
});

test('verify: usage and input errors have their exit codes', async () => {
  assert.equal((await runCli(['verify'])).code, 2);
  assert.equal((await runCli(['frobnicate'])).code, 2);
  const w = workspace(good);
  const missing = await runCli(['verify', join(w.dir, 'nope.ndjson'), '--federation', w.fed]);
  assert.equal(missing.code, 3, missing.stderr);
  writeFileSync(w.fed, '{"keys": ["not-a-key"]}');
  const badFed = await runCli(['verify', w.file, '--federation', w.fed]);
  assert.equal(badFed.code, 3);
  assert.match(badFed.stderr, /keys\[0\]/);
});

test('verify: invalid JSON lines are findings naming file:line', async () => {
  const w = workspace(good);
  writeFileSync(w.file, `${JSON.stringify(chain.genesis_block)}\n{not json\n`);
  const r = await runCli(['verify', w.file, '--federation', w.fed, '--json', '--workers', '0']);
  assert.equal(r.code, 1);
  const f = events(r.stdout).filter((e) => e.type === 'finding');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.code, 'DOC_INVALID_JSON');
  assert.match(String(f[0]!.doc), /ledger\.ndjson:2$/);
});
