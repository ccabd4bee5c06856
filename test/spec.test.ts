import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FINDING_CODES } from '../src/findings.js';
import { ERROR_CODES } from '../src/errors.js';
import { EXIT, EXIT_CODES_HELP } from '../src/cli/exit-codes.js';
import { ROOT } from './helpers/fixtures.js';

const spec = readFileSync(join(ROOT, 'SPEC.md'), 'utf8');

test('SPEC.md lists every finding code with its catalogue text', () => {
  for (const [code, text] of Object.entries(FINDING_CODES)) assert.ok(spec.includes(`| \`${code}\` | ${text} |`), code);
});

test('SPEC.md lists every error code with its catalogue text', () => {
  for (const [code, text] of Object.entries(ERROR_CODES)) assert.ok(spec.includes(`| \`${code}\` | ${text} |`), code);
});

test('every exit code is in SPEC.md §14 and in --help', () => {
  for (const n of Object.values(EXIT)) {
    assert.match(spec, new RegExp(`^\\| ${n} \\|`, 'm'), `SPEC lacks exit ${n}`);
    assert.match(EXIT_CODES_HELP, new RegExp(`^  ${n} `, 'm'), `--help lacks exit ${n}`);
  }
});
