/**
 * The first hour of a new user (issue 11, defects 1–4, 6, 8, 9, 11, 13), through the CLI
 * on the shipped sample dump (whose re-blocked transactions make the assets/metadata row
 * counts differ from a naive count) and the damaged fixtures.
 */
import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../helpers/fixtures.js';
import { events, runCli } from '../helpers/cli.js';
import { cli, workspace, WORKERS } from './helpers.js';

const FED = fixture('sample', 'federation.json');
const DUMP = fixture('sample', 'rethinkdb_dump_2017-11-06T10-00-00.tar.gz');
const ws = workspace('la-e2e-first-hour-');
let dir: string;

describe('first hour', () => {
  before(async () => {
    dir = join(ws.dir, 'sample');
    assert.equal((await runCli(['init', '--archive', dir, '--federation', FED])).code, 0);
    const r = await runCli(['ingest', DUMP, '--archive', dir, '--workers', WORKERS, '-q']);
    assert.equal(r.code, 0, r.stderr);
    // What `npm run sample` says it verified (issue 11 §14).
    assert.match(r.stdout, /checked +211 blocks and 835 votes against 4 federation keys \(sha3-256\); 2,306 asset and 3,523 metadata rows re-coupled/);
  });
  after(() => ws.cleanup());

  it('rebuild --to a missing folder fails (7), says why, and writes nothing', async () => {
    const to = join(ws.dir, 'no', 'such', 'dir', 'x.tar.gz');
    const r = await runCli(['rebuild', '--to', to, '--archive', dir]);
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stderr, /LEDGER_TARGET: --to .*x\.tar\.gz: folder .*dir does not exist/);
    assert.equal(existsSync(join(ws.dir, 'no')), false);
  });

  it('rebuild --to an existing file needs --force; --dry-run says it would overwrite; the counts planned are the counts written', async () => {
    const to = join(ws.dir, 'ledger.tar.gz');
    const dry = await cli('rebuild', '--to', to, '--dry-run', '--archive', dir);
    assert.equal(dry.code, 0, dry.stderr);
    const planned = (dry.summary!.plan as { tables: Record<string, number | null> }).tables;
    const real = await cli('rebuild', '--to', to, '--archive', dir);
    assert.equal(real.code, 0, real.stderr);
    const written = real.summary!.written as Record<string, number>;
    assert.deepEqual(planned, written, 'dry-run plan = what is written');
    assert.ok(planned.assets! > 0 && planned.metadata! > 0);
    // The human summary has no unknown counts after a real run.
    const human = await runCli(['rebuild', '--to', to, '--force', '--archive', dir]);
    assert.equal(human.code, 0, human.stderr);
    assert.doesNotMatch(human.stdout, /\?/);
    assert.match(human.stdout, new RegExp(`tables +bigchain ${written.bigchain}, backlog 0, votes ${written.votes}, assets ${written.assets}, metadata ${written.metadata}`));

    const before = readFileSync(to);
    const mtime = statSync(to).mtimeMs;
    const refused = await runCli(['rebuild', '--to', to, '--archive', dir]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /exists; refusing to overwrite it \(use --force\)/);
    assert.ok(readFileSync(to).equals(before) && statSync(to).mtimeMs === mtime, 'untouched');
    const dryAgain = await runCli(['rebuild', '--to', to, '--dry-run', '--archive', dir]);
    assert.equal(dryAgain.code, 1);
    assert.match(dryAgain.stdout, /target +.*ledger\.tar\.gz exists: the rebuild would overwrite it \(needs --force\)/);
    const dryForce = await runCli(['rebuild', '--to', to, '--dry-run', '--force', '--archive', dir]);
    assert.equal(dryForce.code, 0);
    assert.match(dryForce.stdout, /would overwrite it\n/);
  });

  it('verify --json --summary-only prints no block events; the summary says what verify does not check', async () => {
    const r = await cli('verify', DUMP, '--federation', FED, '--summary-only', '--workers', WORKERS);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.events.filter((e) => e.type === 'block').length, 0);
    assert.ok((r.summary!.transactionsInBlocks as number) > 5000);
    const human = await runCli(['verify', fixture('damaged', 'missing-block', 'ledger.ndjson'), '-f', fixture('damaged', 'federation.json'), '--summary-only', '--workers', '0']);
    assert.equal(human.code, 0, 'a missing block is not a finding of verify');
    assert.match(human.stdout, /transactions +\d+ inside the blocks, each checked with its block/);
    assert.match(human.stdout, /not checked +gaps \(missing blocks or votes, forked vote chains\) are found by walking the vote chains/);
    assert.doesNotMatch(human.stdout, /^block /m);
  });

  it('show --canonical: stdout holds exactly the stored bytes', async () => {
    const block = (await cli('gaps', '--archive', dir)).summary!.voters as { completeThrough: string }[];
    const id = block[0]!.completeThrough;
    const j = await cli('show', 'block', id, '--archive', dir);
    const r = await runCli(['show', 'block', id, '--canonical', '--archive', dir]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, j.summary!.canonical, 'no status line, no newline');
    assert.match(r.stderr, /^status: (valid|invalid|undecided)/m);
  });

  it('import into a new folder creates the archive pinned to the export\'s federation, and says so', async () => {
    const lae = join(ws.dir, 'full.lae');
    assert.equal((await runCli(['export', '--out', lae, '--archive', dir, '-q'])).code, 0);
    const copy = join(ws.dir, 'copy');
    const r = await runCli(['import', lae, '--archive', copy, '--workers', WORKERS]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^created .*copy, pinned to federation [0-9a-f]{16}… from the header of .*full\.lae$/m);
    const a = await cli('status', '--archive', dir);
    const b = await cli('status', '--archive', copy);
    assert.equal((b.summary!.federation as { federationHash: string }).federationHash, (a.summary!.federation as { federationHash: string }).federationHash);
    assert.deepEqual(b.summary!.counts, a.summary!.counts);
    // A damaged export into a new folder: refused, and no archive is left behind.
    const bytes = readFileSync(lae);
    bytes[bytes.length - 100] ^= 0xff;
    const bad = join(ws.dir, 'bad.lae');
    writeFileSync(bad, bytes);
    const refused = await runCli(['import', bad, '--archive', join(ws.dir, 'copy2')]);
    assert.equal(refused.code, 8, refused.stderr);
    assert.equal(existsSync(join(ws.dir, 'copy2')), false);
  });

  it('an empty input file: "no documents in FILE", exit 3, never recorded as a pull', async () => {
    const fresh = join(ws.dir, 'empty-archive');
    assert.equal((await runCli(['init', '--archive', fresh, '--federation', FED])).code, 0);
    for (const [name, text] of [['empty.ndjson', ''], ['blank.json', '\n\n'], ['array.json', '[]']] as const) {
      const f = join(ws.dir, name);
      writeFileSync(f, text);
      for (const argv of [['ingest', f, '--archive', fresh], ['pull', '--from', f, '--archive', fresh], ['verify', f, '-f', FED]]) {
        const r = await runCli(argv);
        assert.equal(r.code, 3, `${argv.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`LEDGER_INPUT: no documents in .*${name.replace('.', '\\.')}`));
      }
    }
    const s = await cli('status', '--archive', fresh);
    assert.deepEqual(s.summary!.sources, []);
    assert.deepEqual((s.summary!.warnings as { code: string }[]).map((w) => w.code), ['NEVER_PULLED']);
  });

  it('status shows complete-through with its ISO date, as gaps does', async () => {
    const r = await runCli(['status', '--archive', dir]);
    assert.match(r.stdout, /complete through 1509958405 \(2017-11-06T08:53:25\.000Z\)/);
    const ev = events((await runCli(['status', '--archive', dir, '--json'])).stdout);
    assert.equal((ev.at(-1)!.gaps as { completeThroughTimestamp: string }).completeThroughTimestamp, '1509958405');
  });
});
