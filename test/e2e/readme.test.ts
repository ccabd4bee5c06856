/**
 * The README tells the truth (issue 11): its library example runs as written, importing
 * the package by name, and prints what the README says; its forgery demonstration on
 * fixtures/damaged/ prints exactly the output shown. With SLOW=1 the API docs build.
 */
import { after, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';
import { workspace } from './helpers.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const ws = workspace('la-e2e-readme-');

/** The first fenced block of `lang` after `marker`. */
function blockAfter(marker: string, lang: string): string {
  const at = readme.indexOf(marker);
  assert.ok(at >= 0, `README has ${marker}`);
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(readme.slice(at));
  assert.ok(m !== null, `a ${lang} block after ${marker}`);
  return m[1]!;
}

describe('README', () => {
  after(() => ws.cleanup());

  it('the library example runs as written and prints what the README says', () => {
    const code = blockAfter('<!-- library-example -->', 'js');
    // A project that depends on ledger-archive: node_modules/ledger-archive is this package.
    mkdirSync(join(ws.dir, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(ws.dir, 'node_modules', 'ledger-archive'), 'dir');
    const file = join(ws.dir, 'example.mjs');
    writeFileSync(file, code);
    const out = execFileSync(process.execPath, [file], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    const lines = out.trim().split('\n');
    assert.deepEqual(lines, [
      'verified 211 of 211 blocks, 0 findings',
      'stored 211 blocks and 835 votes, 0 quarantined',
      '0 missing blocks, 0 missing votes, complete through 1509958405',
    ]);
    for (const l of lines) assert.ok(readme.replace(/\s+/g, ' ').includes(l), `README quotes: ${l}`);
  });

  it('the forgery demonstration prints exactly what the README shows, and exits 1', async () => {
    const command = blockAfter('## Catching a forgery', 'sh').trim();
    const shown = readme.slice(readme.indexOf(command)).match(/```\n```\n([\s\S]*?)```/)![1]!;
    const argv = command.split(/\s+/).slice(1);
    const prev = process.cwd();
    process.chdir(ROOT);
    try {
      const r = await runCli([...argv, '--workers', '0']);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, shown);
    } finally { process.chdir(prev); }
  });

  it('npm run docs builds the API reference from the JSDoc', { skip: process.env.SLOW !== '1' && 'slow (typedoc): SLOW=1' }, () => {
    const out = join(ws.dir, 'api');
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--tsconfig', join(ROOT, 'tsconfig.json'),
      '--out', out, '--readme', 'none', '--logLevel', 'Error', join(ROOT, 'src', 'index.ts')], { cwd: ROOT, timeout: 300_000 });
    assert.ok(existsSync(join(out, 'functions', 'ingest.html')));
    assert.match(readFileSync(join(out, 'functions', 'ingest.html'), 'utf8'), /Verify and store documents/);
  });
});
