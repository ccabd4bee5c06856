#!/usr/bin/env node
// `npm run prepare` (issue 11 §7): build dist/ whenever the package is installed from a
// clone. `npm ci` runs it with node_modules in place; `npm install -g .` links the folder
// and runs it with no node_modules at all (npm installs nothing into a linked folder), so
// the locked dependencies are installed first, scripts off (this one included).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.env.npm_execpath;
// The outer `npm install -g --prefix P` passes its settings down; this install is local to the clone.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_(global|prefix|location)$/i.test(k)));
const run = (args) => {
  // npm_execpath is npm's own CLI script: run it with this node, so PATH does not matter.
  if (npm !== undefined && npm.endsWith('.js')) execFileSync(process.execPath, [npm, ...args], { cwd: root, env, stdio: 'inherit' });
  else execFileSync('npm', args, { cwd: root, env, stdio: 'inherit' });
};
if (!existsSync(join(root, 'node_modules', 'typescript', 'bin', 'tsc'))) {
  run(['ci', '--ignore-scripts', '--include=dev', '--no-audit', '--no-fund']);
}
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { cwd: root, stdio: 'inherit' });
