/**
 * Readers beside a follower (SPEC.md §15.1.1): `pull --follow` runs as its own process
 * against the server while `status`, `gaps`, `show`, `check` and `export` run against its
 * archive in a loop and blocks and votes are inserted into the server. No reader gets exit 5
 * (or 4), each sees a state at least as new as the one before it, the follower misses
 * nothing (its archive equals a fresh pull), and SIGTERM stops it cleanly (exit 0).
 */
import { before, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeArchive, openArchive } from '../../src/store/archive.js';
import { pull } from '../../src/ops/pull.js';
import { describeServers, type TestServer } from '../helpers/rethink-servers.js';
import { memoryArchive } from '../helpers/store-archive.js';
import { cli } from '../e2e/helpers.js';
import { archiveContents, createLedgerDb, federationOf, insertRows, rethinkUrl, serverEnv, smallLedger } from './helpers.js';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'ledger-archive.js');

describeServers('readers beside pull --follow', (server) => {
  let d: TestServer;
  before(() => { d = server(); });

  it('status, gaps, show, check and export work while the follower streams; nothing is missed', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'la-follow-readers-'));
    const l = smallLedger({ seed: 'follow-readers', blocks: 24 });
    const fedFile = join(tmp, 'federation.json');
    writeFileSync(fedFile, JSON.stringify(l.federation));
    const dir = join(tmp, 'a');
    assert.equal((await cli('init', '--archive', dir, '--federation', fedFile)).code, 0);
    const db = 'folreaders';
    const part = (lo: number, hi: number) => {
      const bs = l.blocks.slice(lo, hi);
      return { bs, vs: l.votes.filter((v) => bs.some((b) => b.id === v.vote.voting_for_block)) };
    };
    const first = part(0, 4);
    await createLedgerDb(d, db, '1.3', first.bs, first.vs);
    const from = rethinkUrl(d, db);
    const child = spawn(process.execPath, [BIN, 'pull', '--from', from, '--follow', '--archive', dir, '--workers', '0', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...serverEnv(d) } });
    let childErr = '';
    child.stderr.on('data', (b: Buffer) => { childErr += b.toString(); });
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    const blocksSeen = async (): Promise<number> => {
      const r = await cli('status', '--archive', dir);
      assert.equal(r.code, 0, `status: ${r.stderr}`);
      return (r.summary as { counts: { blocks: number } }).counts.blocks;
    };
    try {
      const waitFor = async (n: number): Promise<void> => {
        const end = Date.now() + 30_000;
        while (await blocksSeen() < n) { if (Date.now() > end) throw new Error(`follower did not reach ${n} blocks: ${childErr}`); await sleep(100); }
      };
      await waitFor(4);
      let last = 4;
      let reads = 0;
      let lastExport = '';
      for (let lo = 4; lo < l.blocks.length; lo += 4) {
        const p = part(lo, lo + 4);
        await insertRows(d, db, '1.3', p.bs, p.vs);
        lastExport = join(tmp, `e${lo}.lae`);
        for (const argv of [['status'], ['gaps'], ['show', 'block', l.blocks[0]!.id], ['check', '--workers', '0'], ['export', '--out', lastExport]]) {
          const r = await cli(...argv, '--archive', dir);
          reads++;
          assert.ok(r.code === 0 || (r.code === 1 && argv[0] === 'gaps'), `${argv.join(" ")} beside the follower: exit ${r.code} ${r.stderr} ${JSON.stringify(r.findings).slice(0, 600)} ${JSON.stringify(r.summary).slice(0, 600)}`);
        }
        const now = await blocksSeen();
        assert.ok(now >= last, `readers never go back (${now} ≥ ${last})`);
        last = now;
      }
      await waitFor(l.blocks.length);
      assert.ok(reads >= 25);
      const st = (await cli('status', '--archive', dir)).summary as { backup: { writerRunning: boolean; lastExport: { path: string } | null; lastCheck: { ok: boolean } | null },
        sources: { follow: { active: boolean; running?: boolean; lagSeconds: number | null } | null }[] };
      assert.deepEqual([st.backup.writerRunning, st.sources[0]!.follow?.active, st.sources[0]!.follow?.running], [true, true, true], 'the follower is seen running');
      assert.ok(st.sources[0]!.follow!.lagSeconds !== null);
      assert.deepEqual([st.backup.lastExport?.path, st.backup.lastCheck?.ok], [lastExport, true], 'exports and checks beside it are recorded');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, `SIGTERM stops the follower cleanly: ${childErr}`);
    const after = (await cli('status', '--archive', dir)).summary as { backup: { writerRunning: boolean }; sources: { follow: { active: boolean } | null }[]; warnings: { code: string }[] };
    assert.deepEqual([after.backup.writerRunning, after.sources[0]!.follow?.active], [false, false], 'the stop is recorded');
    assert.ok(!after.warnings.some((w) => w.code === 'FOLLOWER_NOT_RUNNING'));
    const clean = await memoryArchive(federationOf(l));
    await pull({ archive: clean, from, selection: { all: true }, workers: 0, env: serverEnv(d) });
    const a = await openArchive({ dir, readOnly: true });
    try {
      assert.deepEqual(await archiveContents(a.db), await archiveContents(clean.db), 'the follower missed nothing');
    } finally {
      await closeArchive(a);
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}, { real: { tls: true } });
