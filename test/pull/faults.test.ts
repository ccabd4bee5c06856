import { before, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { check } from '../../src/ops/check.js';
import { pull, resolvePullSource } from '../../src/ops/pull.js';
import { closeArchive, initArchive, openArchive } from '../../src/store/archive.js';
import { readElection } from '../../src/store/read.js';
import { readSyncRecord } from '../../src/store/sync.js';
import { startRethinkDouble } from '../doubles/rethinkdb-server.js';
import { describeServers, type TestServer } from '../helpers/rethink-servers.js';
import { makeBlock, makeFederation, makeVote, voteRowId } from '../helpers/ledger-builder.js';
import { memoryArchive, tempDir } from '../helpers/store-archive.js';
import { archiveContents, countPrefix, createLedgerDb, federationOf, rethinkUrl, smallLedger } from './helpers.js';

const W = { workers: 0 };

describeServers('pull faults and crash safety (RethinkDB)', (server, kind) => {
  let d: TestServer;
  const l = smallLedger({ seed: 'pull-faults', blocks: 30 });
  const doubleOnly = kind === 'real' ? { skip: 'a fault only the double can show' } : {};
  before(async () => {
    d = server();
    await createLedgerDb(d, 'ledger', '1.3', l.blocks, l.votes);
  });

  it('a pull killed (SIGKILL) mid-way resumes from its committed cursor: the archive equals a clean pull', async () => {
    const t = tempDir('la-pull-kill-');
    try {
      const dir = `${t.dir}/archive`;
      await initArchive({ dir, federation: federationOf(l) });
      const from = rethinkUrl(d, 'ledger');
      const child = spawn(process.execPath, [fileURLToPath(new URL('./child.js', import.meta.url)), dir, from], { stdio: ['ignore', 'pipe', 'inherit'] });
      let lines = 0;
      let finished = false;
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        if (s.includes('finished')) finished = true;
        lines += s.split('\n').filter((x) => x.startsWith('progress')).length;
        if (lines >= 4) child.kill('SIGKILL');
      });
      await new Promise((resolve) => child.on('exit', resolve));
      assert.equal(finished, false, 'the child was killed before it finished');
      const a = await openArchive({ dir });
      try {
        const rec = await readSyncRecord(a.db, resolvePullSource(from).name);
        const ts = (rec?.cursor as { blockTimestamp: string | null } | undefined)?.blockTimestamp ?? null;
        assert.ok(ts === null || ts < l.blocks.at(-1)!.block.timestamp, 'the committed cursor is before the end');
        const r = await pull({ archive: a, from, selection: { all: true }, ...W });
        assert.equal(r.summary.quarantined, 0);
        const clean = await memoryArchive(federationOf(l));
        await pull({ archive: clean, from, selection: { all: true }, ...W });
        assert.deepEqual(await archiveContents(a.db), await archiveContents(clean.db));
        assert.equal(await countPrefix(a.db, 'pb!'), 0);
        for (const b of l.blocks) assert.equal((await readElection(a.db, b.id))?.status, l.statuses.get(b.id));
        const c = await check({ archive: a, workers: 0 });
        assert.ok(c.ok, JSON.stringify(c.findings.slice(0, 3)));
      } finally { await closeArchive(a); }
    } finally { t.cleanup(); }
  });

  it('the server dropping the connection mid-pull is a clear source error; the next pull completes the archive', doubleOnly, async () => {
    const a = await memoryArchive(federationOf(l));
    const from = rethinkUrl(d, 'ledger');
    d.double!.dropAfterDocs(40);
    try {
      await assert.rejects(pull({ archive: a, from, selection: { all: true }, chunkBlocks: 4, ...W }),
        (e: Error & { code?: string }) => e.code === 'LEDGER_SOURCE' && e.message.includes(`${d.host}:${d.port}`));
    } finally { d.double!.dropAfterDocs(null); }
    const stored = await countPrefix(a.db, 'b!');
    assert.ok(stored > 0 && stored < l.blocks.length, `some blocks were committed before the drop (${stored})`);
    const r = await pull({ archive: a, ...W });
    assert.equal(r.summary.quarantined, 0);
    const clean = await memoryArchive(federationOf(l));
    await pull({ archive: clean, from, selection: { all: true }, ...W });
    assert.deepEqual(await archiveContents(a.db), await archiveContents(clean.db));
    assert.ok((await check({ archive: a, workers: 0 })).ok);
  });

  it('malformed documents and a block signed outside the federation are quarantined; a vote naming an absent block is listed by fill-gaps', async () => {
    const bad = smallLedger({ seed: 'pull-bad' });
    await createLedgerDb(d, 'bad', '0.10', bad.blocks, bad.votes);
    const stranger = makeFederation('stranger', 1)[0]!;
    const foreign = makeBlock(stranger, 1509955300, bad.blocks[2]!.block.transactions, bad.nodes.map((n) => n.publicKey));
    const ghost = 'f'.repeat(64);
    const odd = makeVote(bad.nodes[0]!, { votingFor: bad.blocks.at(-1)!.id, previous: ghost, valid: true, timestamp: 1509955999 });
    await d.load('bad', 'bigchain', [
      { id: 'junk-1', block: { timestamp: '1509955301', transactions: 'not a list' } },
      foreign as unknown as Record<string, unknown>,
    ]);
    await d.load('bad', 'votes', [{ id: voteRowId(odd), ...odd } as unknown as Record<string, unknown>]);
    const a = await memoryArchive(federationOf(bad));
    const r = await pull({ archive: a, from: rethinkUrl(d, 'bad'), selection: { all: true }, fillGaps: true, ...W });
    assert.equal(r.summary.quarantined, 2);
    const codes = new Set(r.summary.findings.map((f) => f.code));
    assert.ok(codes.has('BLOCK_UNKNOWN_CREATOR'), [...codes].join());
    assert.ok([...codes].some((c) => c.startsWith('DOC_')), [...codes].join());
    assert.equal(r.summary.byKind.block.new, bad.blocks.length);
    assert.deepEqual(r.unresolved, [ghost]);
    assert.equal(await countPrefix(a.db, 'q!'), 2);
    // Pulling again adds nothing and quarantines nothing new.
    const again = await pull({ archive: a, ...W });
    assert.equal(again.summary.new, 0);
    assert.equal(await countPrefix(a.db, 'q!'), 2);
    const c = await check({ archive: a, workers: 0 });
    assert.ok(c.ok, JSON.stringify(c.findings.slice(0, 3)));
  });

  it('an unreachable server is a source error naming it, without the password', doubleOnly, async () => {
    const a = await memoryArchive(federationOf(l));
    const gone = await startRethinkDouble();
    await gone.close();
    await assert.rejects(pull({ archive: a, from: `rethinkdb://admin:hunter2@${gone.host}:${gone.port}/ledger`, selection: { all: true }, timeoutSeconds: 2, ...W }),
      (e: Error & { code?: string }) => e.code === 'LEDGER_SOURCE' && e.message.includes(`${gone.host}:${gone.port}`) && !e.message.includes('hunter2') && !JSON.stringify(e).includes('hunter2'));
  });
}, { double: { batchSize: 7 } });
