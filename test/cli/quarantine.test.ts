/**
 * `quarantine list|retry|drop` through the CLI (issue 11 §10): a stray package.json
 * ingested is listed with its finding, a retry keeps it (exit 1), a drop clears it and
 * the QUARANTINE_NOT_EMPTY warning with it; a document quarantined wrongly (by an older
 * version) is released by retry and stored.
 */
import { after, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { fixture, ROOT } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';
import { cli, workspace } from '../e2e/helpers.js';
import { closeArchive, openArchive } from '../../src/store/archive.js';
import { key } from '../../src/store/schema.js';

const FED = fixture('damaged', 'federation.json');
const GOOD = fixture('damaged', 'good', 'ledger.ndjson');
const ws = workspace('la-cli-quarantine-');

describe('quarantine', () => {
  after(() => ws.cleanup());

  it('a stray package.json: listed, kept by retry, dropped; the warning goes away', async () => {
    const dir = join(ws.dir, 'a');
    assert.equal((await runCli(['init', '--archive', dir, '--federation', FED])).code, 0);
    const stray = join(ws.dir, 'package.json');
    writeFileSync(stray, readFileSync(join(ROOT, 'package.json')));
    const ing = await runCli(['ingest', GOOD, stray, '--archive', dir, '--workers', '0']);
    assert.equal(ing.code, 1, 'the stray file is reported');
    assert.equal((await runCli(['status', '--strict', '--archive', dir])).code, 1);

    const list = await cli('quarantine', 'list', '--archive', dir);
    assert.equal(list.code, 0);
    const entries = list.summary!.entries as { hash: string; origin: string; codes: string[] }[];
    assert.equal(entries.length, 1);
    assert.match(entries[0]!.origin, /package\.json/);
    assert.ok(entries[0]!.codes.length > 0);
    const human = await runCli(['quarantine', 'list', '--archive', dir]);
    assert.match(human.stdout, new RegExp(`^1 document\\(s\\) in quarantine\\n  ${entries[0]!.hash} `));

    const retry = await cli('quarantine', 'retry', '--all', '--archive', dir);
    assert.equal(retry.code, 1);
    assert.deepEqual((retry.summary!.kept as { hash: string }[]).map((k) => k.hash), [entries[0]!.hash]);

    assert.equal((await runCli(['quarantine', 'drop', '--archive', dir])).code, 2, 'drop needs hashes or --all');
    assert.equal((await runCli(['quarantine', 'drop', 'ffffffff', '--archive', dir])).code, 2, 'no such entry');
    const drop = await cli('quarantine', 'drop', entries[0]!.hash.slice(0, 10), '--archive', dir);
    assert.equal(drop.code, 0, drop.stderr);
    assert.deepEqual(drop.summary!.dropped, [entries[0]!.hash]);
    const status = await cli('status', '--strict', '--archive', dir);
    assert.equal(status.code, 0, JSON.stringify(status.summary!.warnings));
    assert.equal((status.summary!.counts as { quarantined: number }).quarantined, 0);
  });

  it('retry releases a document that verifies now, and stores it', async () => {
    const dir = join(ws.dir, 'b');
    assert.equal((await runCli(['init', '--archive', dir, '--federation', FED])).code, 0);
    const lines = readFileSync(GOOD, 'utf8').split('\n').filter((l) => l.trim() !== '');
    // Everything but one block goes in; that block sits in quarantine as an older version might have left it.
    const held = lines.filter((_l, i) => i !== 1);
    const file = join(ws.dir, 'held.ndjson');
    writeFileSync(file, held.join('\n') + '\n');
    await runCli(['ingest', file, '--archive', dir, '--workers', '0']);
    const text = lines[1]!;
    const id = (JSON.parse(text) as { id: string }).id;
    const a = await openArchive({ dir });
    const hash = createHash('sha256').update(text).digest('hex');
    await a.db.put(key('q', hash), JSON.stringify({ origin: 'old-version', table: null, kind: 'block', doc: text,
      findings: [{ code: 'BLOCK_BAD_SIGNATURE', kind: 'block', doc: id, message: 'wrongly' }], at: new Date().toISOString() }));
    await closeArchive(a);
    assert.equal((await runCli(['show', 'block', id, '--archive', dir])).code, 1, 'not held yet');
    const r = await cli('quarantine', 'retry', hash, '--archive', dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.summary!.released, [hash]);
    assert.equal((await runCli(['show', 'block', id, '--archive', dir])).code, 0, 'stored now');
    assert.equal(((await cli('quarantine', 'list', '--archive', dir)).summary!.entries as unknown[]).length, 0);
  });
});
