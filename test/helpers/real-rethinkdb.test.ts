import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { findRethinkdb, findRethinkdbTools, startRealRethinkdb } from './real-rethinkdb.js';

/** Run `f` with some environment variables set (undefined: unset), then restore them. */
function withEnv<T>(vars: Record<string, string | undefined>, f: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const set = (v: Record<string, string | undefined>): void => {
    for (const [k, x] of Object.entries(v)) { if (x === undefined) delete process.env[k]; else process.env[k] = x; }
  };
  set(vars);
  try { return f(); } finally { set(saved); }
}

const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };
const accepts = (port: number): Promise<boolean> => new Promise((res) => {
  const s = connect(port, '127.0.0.1', () => { s.destroy(); res(true); });
  s.once('error', () => res(false));
});

describe('finding the real RethinkDB and its tools', () => {
  it('a missing binary or Python package is a one-line skip reason, and an error with CI=true', () => {
    const none = withEnv({ RETHINKDB_BIN: '/nonexistent/rethinkdb', CI: undefined, LA_RETHINKDB: undefined }, findRethinkdb);
    assert.ok('skip' in none && /^real RethinkDB tests skipped: no RethinkDB server binary at \/nonexistent\/rethinkdb/.test(none.skip) && !none.skip.includes('\n'));
    assert.throws(() => withEnv({ RETHINKDB_BIN: '/nonexistent/rethinkdb', CI: 'true', LA_RETHINKDB: undefined }, findRethinkdb), /CI=true but the real RethinkDB is unavailable/);
    const noTools = withEnv({ RETHINKDB_PYTHONPATH: '/nonexistent', CI: undefined, LA_RETHINKDB: undefined }, findRethinkdbTools);
    assert.ok('skip' in noTools && noTools.skip.includes('/nonexistent'));
    assert.throws(() => withEnv({ RETHINKDB_PYTHONPATH: '/nonexistent', CI: 'true', LA_RETHINKDB: undefined }, findRethinkdbTools), /CI=true/);
  });

  const found = findRethinkdb();
  it('starts servers side by side on free ports and stops them without leftovers', 'skip' in found ? { skip: found.skip } : {}, async () => {
    const [a, b] = await Promise.all([startRealRethinkdb(), startRealRethinkdb({ password: 'x' })]);
    assert.notEqual(a.port, b.port);
    assert.ok(await accepts(a.port) && await accepts(b.port));
    await Promise.all([a.close(), b.close()]);
    for (const s of [a, b]) {
      assert.equal(alive(s.pid), false, `server ${s.pid} stopped`);
      assert.equal(await accepts(s.port), false);
      assert.equal(existsSync(s.scratch), false, 'its folder is removed');
    }
  });
});
