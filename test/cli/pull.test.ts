import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalize } from '../../src/model/canonical.js';
import { initArchive } from '../../src/store/archive.js';
import { describeServers, type TestServer } from '../helpers/rethink-servers.js';
import { startHttpDouble, type HttpDouble } from '../doubles/bigchaindb-http.js';
import { events, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/store-archive.js';
import { createLedgerDb, federationOf, smallLedger } from '../pull/helpers.js';

const l = smallLedger({ seed: 'pull-cli' });
const t = tempDir('la-pull-cli-');
after(() => t.cleanup());
let n = 0;
const fresh = async (): Promise<string> => {
  const dir = join(t.dir, `a${n++}`);
  await initArchive({ dir, federation: federationOf(l) });
  return dir;
};

describeServers('ledger-archive pull from RethinkDB', (server) => {
  let d: TestServer;
  before(async () => {
    d = server();
    await d.addUser('reader', 'hunter2');
    await createLedgerDb(d, 'bigchain', '1.3', l.blocks, l.votes);
  });

  it('--all from RethinkDB, then a bare pull repeats it; --json ends with a summary event', async () => {
    const dir = await fresh();
    const r = await runCli(['pull', '--from', `rethinkdb://admin@${d.host}:${d.port}/bigchain`, '--all', '--archive', dir, '--workers', '0']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`blocks +${l.blocks.length} new`));
    const again = await runCli(['pull', '--archive', dir, '--json', '--workers', '0']);
    assert.equal(again.code, 0, again.stderr);
    const summary = events(again.stdout).find((e) => e.type === 'summary')!;
    assert.equal(summary.new, 0);
    assert.deepEqual(summary.selection, { all: true });
  });

  it('takes the password from --password-file or the environment, and never prints it', async () => {
    const dir = await fresh();
    const pw = join(t.dir, 'pw');
    writeFileSync(pw, 'hunter2\n');
    const url = `rethinkdb://reader@${d.host}:${d.port}/bigchain`;
    const tx = l.blocks[3]!.block.transactions[0]!.id;
    const ok = await runCli(['pull', '--from', url, '--tx', tx, '--password-file', pw, '--archive', dir, '--workers', '0']);
    assert.equal(ok.code, 0, ok.stderr);
    process.env.LEDGER_ARCHIVE_RETHINKDB_PASSWORD = 'hunter2';
    try {
      const viaEnv = await runCli(['pull', '--from', url, '--tx', tx, '--archive', dir, '--workers', '0']);
      assert.equal(viaEnv.code, 0, viaEnv.stderr);
    } finally { delete process.env.LEDGER_ARCHIVE_RETHINKDB_PASSWORD; }
    const bad = await runCli(['pull', '--from', `rethinkdb://reader:wrong-hunter3@${d.host}:${d.port}/bigchain`, '--tx', tx, '--archive', dir, '--json']);
    assert.equal(bad.code, 6);
    for (const s of [ok.stdout, ok.stderr, bad.stdout, bad.stderr]) assert.ok(!s.includes('hunter2') && !s.includes('hunter3'), s);
  });
});

describe('ledger-archive pull (HTTP, files)', () => {
  let h: HttpDouble;
  before(async () => { h = await startHttpDouble({ blocks: l.blocks, votes: l.votes }); });
  after(async () => { await h.close(); });

  it('exit codes: --all over HTTP is a usage error (2), an unreachable source 6, quarantine 1', async () => {
    const dir = await fresh();
    const usage = await runCli(['pull', '--from', h.url, '--all', '--archive', dir]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--fill-gaps/);
    const http = await runCli(['pull', '--from', h.url, '--tx', l.blocks[2]!.block.transactions[0]!.id, '--archive', dir, '--workers', '0']);
    assert.equal(http.code, 0, http.stderr);
    const down = await runCli(['pull', '--from', 'http://127.0.0.1:9/', '--tx', 'ab'.repeat(32), '--archive', dir]);
    assert.equal(down.code, 6);
    const file = join(t.dir, 'with-junk.ndjson');
    writeFileSync(file, [...l.blocks, ...l.votes].map((x) => canonicalize(x)).join('\n') + '\n{"neither": "block nor vote"}\n');
    const q = await runCli(['pull', '--from', file, '--archive', dir, '--json', '--workers', '0']);
    assert.equal(q.code, 1);
    const ev = events(q.stdout);
    assert.ok(ev.some((e) => e.type === 'finding' && e.code === 'DOC_UNKNOWN_KIND'));
    assert.equal(ev.find((e) => e.type === 'summary')?.quarantined, 1);
    const missing = await runCli(['pull', '--from', file, '--archive', join(t.dir, 'nope')]);
    assert.equal(missing.code, 4);
  });
});
