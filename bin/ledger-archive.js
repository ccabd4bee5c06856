#!/usr/bin/env node
// Thin shim: the CLI lives in dist/src/cli/main.js (built by `npm run build`, or on install by `prepare`).
import { fileURLToPath } from 'node:url';

let main;
try {
  ({ main } = await import('../dist/src/cli/main.js'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`ledger-archive: not installed completely (${err.message.split('\n')[0]}).\n`
    + `Run \`npm ci\` in ${root} (it builds dist/), or install from a package: npm install -g ledger-archive-*.tgz\n`);
  process.exit(70);
}
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
