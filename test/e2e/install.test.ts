/**
 * Installing (issue 11 §7): the packed package installs into a temporary prefix with its
 * dependencies from the npm cache or registry, and the installed command runs: --help, and
 * a verify of the sample. With SLOW=1 (npm run test:slow) also `npm install -g .` from a
 * fresh clone, which builds through `prepare`.
 */
import { after, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, fixture } from '../helpers/fixtures.js';
import { workspace } from './helpers.js';

const ws = workspace('la-e2e-install-');
// Not the outer `npm test`'s settings: a plain user's npm, with the cache it already has.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
const run = (bin: string, args: string[]): { code: number; stdout: string } => {
  try {
    return { code: 0, stdout: execFileSync(bin, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (err) {
    const e = err as { status: number; stdout: string };
    return { code: e.status, stdout: e.stdout };
  }
};

/** The installed command runs and verifies the sample. */
function checkInstalled(bin: string): void {
  assert.ok(existsSync(bin), bin);
  const help = run(bin, ['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /ledger-archive <command> \[options\]/);
  const v = run(bin, ['verify', fixture('sample', 'ledger.ndjson'), '-f', fixture('sample', 'federation.json'), '--summary-only', '-q']);
  assert.equal(v.code, 0, v.stdout);
  assert.match(v.stdout, /blocks +211 checked, 211 verified, 0 with findings/);
}

describe('install', { timeout: 600_000 }, () => {
  after(() => ws.cleanup());

  it('npm pack → npm install --prefix DIR ./ledger-archive-*.tgz → the command runs', () => {
    // dist/ is built already (npm test builds first); --ignore-scripts keeps pack from rebuilding it under running tests.
    const out = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', ws.dir], ROOT);
    const packed = (JSON.parse(out) as { filename: string; files: { path: string }[] }[])[0]!;
    const paths = packed.files.map((f) => f.path);
    assert.ok(paths.includes('dist/src/cli/main.js') && paths.includes('bin/ledger-archive.js') && paths.includes('README.md'));
    assert.ok(!paths.some((p) => p.startsWith('dist/test/') || p.startsWith('fixtures/') || p.startsWith('src/')), 'only what runs');
    const prefix = join(ws.dir, 'prefix');
    npm(['install', '--prefix', prefix, join(ws.dir, packed.filename)], ws.dir);
    checkInstalled(join(prefix, 'node_modules', '.bin', 'ledger-archive'));
  });

  it('npm install -g . from a fresh clone builds (prepare) and installs a working command', { skip: process.env.SLOW !== '1' && 'slow (installs every dependency into a clone): SLOW=1' }, () => {
    const clone = join(ws.dir, 'clone');
    execFileSync('git', ['clone', '-q', ROOT, clone], { env });
    assert.ok(!readdirSync(clone).includes('dist'));
    const prefix = join(ws.dir, 'global');
    npm(['install', '-g', '--prefix', prefix, '.'], clone);
    checkInstalled(join(prefix, 'bin', 'ledger-archive'));
  });
});
