/**
 * Option typing and usage errors through the CLI (issue 8 item 1, issue 11 §5 and §12):
 * domain strings stay strings, numbers are validated, a bad value is exit 2 naming the
 * option, typos are suggested, `help CMD` and `--verbose CMD` work, every --help has
 * examples and its own exit codes.
 */
import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/fixtures.js';
import { workspace } from '../e2e/helpers.js';
import { commands } from '../../src/cli/commands/index.js';
import { commandName } from '../../src/cli/command.js';
import { parseDuration, parseInteger } from '../../src/cli/options.js';
import { isLedgerError } from '../../src/errors.js';

const FED = fixture('damaged', 'federation.json');
const GOOD = fixture('damaged', 'good', 'ledger.ndjson');
const ws = workspace('la-cli-usage-');
let dir: string;

describe('CLI usage', () => {
  before(async () => {
    dir = join(ws.dir, 'a');
    assert.equal((await runCli(['init', '--archive', dir, '--federation', FED])).code, 0);
    assert.equal((await runCli(['ingest', GOOD, '--archive', dir, '--workers', '0'])).code, 0);
  });
  after(() => ws.cleanup());

  it('issue 8 regression: --layout 1.3 and 1.0 stay strings (rebuild, create-indexes, ingest)', async () => {
    for (const layout of ['1.3', '1.0', '0.10', '0.9']) {
      const r = await runCli(['rebuild', '--to', join(ws.dir, `l${layout}.tar.gz`), '--layout', layout, '--dry-run', '--archive', dir, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { plan: { layout: string } };
      assert.equal(summary.plan.layout, layout, 'not 1, not 1.3 as a number');
    }
    // create-indexes gets as far as connecting (7), not a usage error.
    const c = await runCli(['create-indexes', '--to', 'rethinkdb://127.0.0.1:9/x', '--layout', '1.0']);
    assert.equal(c.code, 7, c.stderr);
    const bad = await runCli(['rebuild', '--to', 'x.tar.gz', '--layout', '1', '--archive', dir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--layout "1": expected one of 1\.3, 1\.0, 0\.10, 0\.9/);
  });

  it('bad numbers are usage errors naming the option and the value', async () => {
    for (const v of ['-3', 'abc', '1.5', '1e3', '', '65', '0x10']) {
      const r = await runCli(['check', '--workers', v, '--archive', dir]);
      assert.equal(r.code, 2, `--workers ${v}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`--workers "${v.replace('.', '\\.')}": expected an integer from 0 to 64`));
    }
    for (const argv of [['verify', GOOD, '-f', FED, '--workers', 'x'], ['ingest', GOOD, '--workers', '-1'], ['pull', '--overlap', 'soon']]) {
      const r = await runCli([...argv, '--archive', dir]);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    }
    assert.equal((await runCli(['check', '--workers', '0', '--archive', dir])).code, 0);
    // The document limits (global options) are typed the same way: 1e3 is not an integer here.
    for (const v of ['1e3', '1.5', 'abc', '0']) {
      const r = await runCli(['verify', GOOD, '-f', FED, '--max-depth', v, '--workers', '0']);
      assert.equal(r.code, 2, `--max-depth ${v}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`--max-depth "${v.replace('.', '\\.')}": expected an integer from 1 to `));
    }
  });

  it('status --stale-after abc --strict is refused, not a silenced alarm; units are accepted', async () => {
    const r = await runCli(['status', '--stale-after', 'abc', '--strict', '--archive', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /LEDGER_USAGE: --stale-after "abc"/);
    const zero = await runCli(['status', '--stale-after', '0', '--archive', dir]);
    assert.equal(zero.code, 2, 'a zero window would make every source stale');
    const ok = await runCli(['status', '--stale-after', '6h', '--strict', '--archive', dir, '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    // The value reaches status: 1 second old is stale after a short wait.
    await new Promise((r2) => setTimeout(r2, 2100));
    const stale = await runCli(['status', '--stale-after', '1', '--strict', '--archive', dir]);
    assert.equal(stale.code, 1);
    assert.match(stale.stdout, /STALE/);
  });

  it('show with a malformed id is exit 2; ids, keys and hashes are checked', async () => {
    for (const argv of [['show', 'vote', 'foo'], ['show', 'block', '123'], ['show', 'tx', 'z'.repeat(64)], ['show', 'vote', `${'a'.repeat(64)}/0OIl`]]) {
      const r = await runCli([...argv, '--archive', dir]);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /LEDGER_USAGE: .*id/);
    }
    // An all-digit id stays text (a number would lose its digits): not held, exit 1, not 2.
    const digits = '0123456789'.repeat(6) + '0123';
    const held = await runCli(['show', 'block', digits, '--archive', dir, '--json']);
    assert.equal(held.code, 1, held.stderr);
    assert.equal((JSON.parse(held.stdout.trim()) as { id: string }).id, digits);
    for (const [option, argv] of [['tx', ['pull', '--tx', 'abc']], ['asset', ['pull', '--asset', 'g'.repeat(64)]],
      ['owner', ['pull', '--owner', 'not-base58!']], ['hash', ['init', '-f', FED, '--hash', 'md5']]] as const) {
      const r = await runCli([...argv, '--archive', dir]);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`LEDGER_USAGE: --${option} "`));
    }
  });

  it('a typo names the option it meant; an unknown command is suggested', async () => {
    const r = await runCli(['init', '--federaton', FED, '--archive', join(ws.dir, 'typo')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option --federaton \(did you mean --federation\?\)/);
    assert.doesNotMatch(r.stderr, /Missing required argument/);
    const c = await runCli(['stauts']);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /did you mean status\?/);
  });

  it('help CMD shows that command\'s help; --verbose before a command works', async () => {
    const h = await runCli(['help', 'status']);
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /ledger-archive status/);
    assert.match(h.stdout, /--stale-after/);
    assert.match(h.stdout, /Exit codes of status:/);
    const top = await runCli(['help']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /Commands:/);
    const v = await runCli(['--verbose', 'status', '--archive', dir]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /^archive /m);
  });

  it('a missing --ca or --password-file is an input error (3) naming the option', async () => {
    const ca = await runCli(['pull', '--from', 'rethinkdb://127.0.0.1:9/bigchain', '--all', '--ca', join(ws.dir, 'no.pem'), '--archive', dir]);
    assert.equal(ca.code, 3, ca.stderr);
    assert.match(ca.stderr, /LEDGER_INPUT: --ca .*no\.pem: no such file/);
    const pw = await runCli(['rebuild', '--to', 'rethinkdb://127.0.0.1:9/x', '--password-file', join(ws.dir, 'no-pw'), '--archive', dir]);
    assert.equal(pw.code, 3, pw.stderr);
    const fed = await runCli(['verify', GOOD, '--federation', join(ws.dir, 'nofed.json')]);
    assert.equal(fed.code, 3);
    assert.match(fed.stderr, /--federation/);
  });

  it('every command\'s --help has examples and its own exit-code meanings', async () => {
    for (const c of commands) {
      const name = commandName(c);
      const r = await runCli([name, '--help']);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.match(r.stdout, /Examples:\n {2}ledger-archive /, name);
      assert.match(r.stdout, new RegExp(`Exit codes of ${name}:\\n {2}0 `), name);
      assert.ok(Object.keys(c.exits).length >= 2, `${name} explains at least two codes`);
      assert.match(r.stdout, /All exit codes:/, name);
    }
  });

  it('a dump or folder holding several databases: the error names --db', async () => {
    const two = join(ws.dir, 'two');
    const { mkdirSync } = await import('node:fs');
    for (const db of ['one', 'other']) {
      mkdirSync(join(two, db), { recursive: true });
      writeFileSync(join(two, db, 'bigchain.json'), '[]');
      writeFileSync(join(two, db, 'bigchain.info'), '{"primary_key":"id","indexes":[]}');
    }
    const r = await runCli(['verify', two, '-f', FED]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /choose one with --db NAME/);
  });
});

describe('option parsers', () => {
  it('integers: exactly the decimal integers in range are accepted, as numbers', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ min: -100, max: 200 }).map(String), fc.string({ maxLength: 6 })), (text) => {
      let got: number | undefined;
      try { got = parseInteger('n', text, 0, 64); } catch (err) {
        assert.ok(isLedgerError(err) && err.code === 'LEDGER_USAGE' && err.message.includes('--n'));
      }
      const valid = /^\s*-?\d+\s*$/.test(text) && Number(text) >= 0 && Number(text) <= 64;
      assert.equal(got !== undefined, valid, text);
      if (got !== undefined) assert.equal(got, Number(text));
    }), { numRuns: 300 });
  });

  it('durations: seconds or a unit', () => {
    assert.deepEqual(['90', '15m', '2h', '1d', '30s'].map((t) => parseDuration('d', t)), [90, 900, 7200, 86400, 30]);
    for (const t of ['abc', '1.5h', '-1', '1w', 'h']) assert.throws(() => parseDuration('d', t), /--d/);
  });
});
