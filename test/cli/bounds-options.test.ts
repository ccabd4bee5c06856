import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/fixtures.js';
import { DEFAULT_LIMITS, limits, resetLimits } from '../../src/model/limits.js';

test('limit and bound options: bad values are usage errors (exit 2); good ones set the limits; --help lists them', async () => {
  for (const argv of [['status', '--max-depth', '0'], ['status', '--max-depth', '5000'], ['status', '--max-elements', '1.5'],
    ['pull', '--from', 'http://127.0.0.1:9', '--tx', 'a', '--http-timeout', '-1'],
    ['pull', '--from', 'http://127.0.0.1:9', '--tx', 'a', '--query-timeout', '0']]) {
    const r = await runCli(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /LEDGER_USAGE/);
  }
  try {
    await runCli(['status', '--archive', '/nonexistent-archive', '--max-depth', '7', '--max-block-txs', '5']);
    assert.equal(limits().maxDepth, 7);
    assert.equal(limits().maxBlockTransactions, 5);
  } finally { resetLimits(); }
  assert.deepEqual(limits(), DEFAULT_LIMITS);
  const help = { stdout: execFileSync(process.execPath, [join(ROOT, 'bin', 'ledger-archive.js'), 'pull', '--help'], { encoding: 'utf8' }) };
  for (const o of ['--max-document-bytes', '--max-depth', '--max-elements', '--max-string-length', '--max-block-txs', '--max-tx-io',
    '--http-timeout', '--http-min-rate', '--http-budget', '--allow-redirects', '--query-timeout', '--read-timeout', '--max-frame-bytes']) {
    assert.ok(help.stdout.includes(o), o);
  }
});
