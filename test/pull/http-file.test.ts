import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalize } from '../../src/model/canonical.js';
import { writeDump } from '../../src/dump/write.js';
import { check } from '../../src/ops/check.js';
import { pull } from '../../src/ops/pull.js';
import { readElection } from '../../src/store/read.js';
import { startHttpDouble, type HttpDouble } from '../doubles/bigchaindb-http.js';
import { memoryArchive, tempDir } from '../helpers/store-archive.js';
import { archiveContents, countPrefix, federationOf, rowsFor, smallLedger } from './helpers.js';

const W = { workers: 0 };
const FAST = { timeoutMs: 400, retries: 2, backoffMs: 5 };

describe('pull over the HTTP API', () => {
  const l = smallLedger({ seed: 'pull-http', blocks: 12 });
  let h: HttpDouble;
  before(async () => { h = await startHttpDouble({ blocks: l.blocks, votes: l.votes }); });
  after(async () => { await h.close(); });

  it('--tx, --owner and --asset bring the blocks holding the selection, with their votes', async () => {
    const tx = l.blocks[5]!.block.transactions[0]!;
    const a = await memoryArchive(federationOf(l));
    const r = await pull({ archive: a, from: h.url, selection: { tx: [tx.id] }, http: FAST, ...W });
    assert.equal(r.summary.byKind.block.new, l.blocks.filter((b) => b.block.transactions.some((t) => t.id === tx.id)).length);
    assert.equal(r.summary.byKind.vote.new, l.votes.filter((v) => v.vote.voting_for_block === l.blocks[5]!.id).length);
    const create = l.blocks.slice(1).flatMap((b) => b.block.transactions).find((t) => t.operation === 'CREATE')!;
    const b = await memoryArchive(federationOf(l));
    const ra = await pull({ archive: b, from: h.url, selection: { asset: [create.id] }, http: FAST, ...W });
    assert.ok(ra.summary.byKind.block.new >= 1);
    const owner = ((create.outputs as unknown as { public_keys: string[] }[])[0]!).public_keys[0]!;
    const c = await memoryArchive(federationOf(l));
    const ro = await pull({ archive: c, from: h.url, selection: { owner: [owner] }, http: FAST, ...W });
    assert.ok(ro.summary.byKind.block.new >= 1);
    for (const x of [r, ra, ro]) assert.equal(x.summary.quarantined, 0);
    for (const blk of l.blocks.filter((bb) => bb.block.transactions.some((t) => (t.outputs as { public_keys: string[] }[]).some((o) => o.public_keys.includes(owner))))) {
      assert.notEqual(await readElection(c.db, blk.id), null, `owner block ${blk.id} pulled`);
    }
  });

  it('--all is a usage error that suggests --fill-gaps; --fill-gaps walks back to genesis', async () => {
    const a = await memoryArchive(federationOf(l));
    await assert.rejects(pull({ archive: a, from: h.url, selection: { all: true } }), (e: Error & { code?: string }) => e.code === 'LEDGER_USAGE' && e.message.includes('--fill-gaps'));
    const last = l.blocks.at(-3)!;
    await pull({ archive: a, from: h.url, selection: { tx: [last.block.transactions[0]!.id] }, http: FAST, ...W });
    const r = await pull({ archive: a, from: h.url, fillGaps: true, http: FAST, ...W });
    assert.deepEqual(r.unresolved, []);
    assert.equal(await countPrefix(a.db, 'b!'), l.blocks.indexOf(last) + 1);
  });

  it('a 500 is retried; a hang and an oversized body are clear source errors; the archive stays whole', async () => {
    const tx = l.blocks[7]!.block.transactions[0]!.id;
    const a = await memoryArchive(federationOf(l));
    h.setFault({ kind: 'status', status: 500, count: 2, path: '/api/v1/votes' });
    const r = await pull({ archive: a, from: h.url, selection: { tx: [tx] }, http: FAST, ...W });
    assert.equal(r.summary.byKind.vote.new, l.votes.filter((v) => v.vote.voting_for_block === l.blocks[7]!.id).length);
    h.clearFaults();
    h.setFault({ kind: 'hang', path: '/api/v1/blocks' });
    await assert.rejects(pull({ archive: a, from: h.url, selection: { tx: [l.blocks[8]!.block.transactions[0]!.id] }, http: { ...FAST, retries: 0 }, ...W }),
      (e: Error & { code?: string }) => e.code === 'LEDGER_SOURCE' && /timed out/.test(e.message) && e.message.includes(h.url));
    h.clearFaults();
    h.setFault({ kind: 'oversize', bytes: 3_000_000, path: '/api/v1/blocks' });
    await assert.rejects(pull({ archive: a, from: h.url, selection: { tx: [l.blocks[8]!.block.transactions[0]!.id] }, http: { ...FAST, maxBodyBytes: 1_000_000 }, ...W }),
      (e: Error & { code?: string }) => e.code === 'LEDGER_SOURCE');
    h.clearFaults();
    const again = await pull({ archive: a, http: FAST, ...W });
    assert.equal(again.summary.quarantined, 0);
    assert.equal(await countPrefix(a.db, 'q!'), 0);
    assert.notEqual(await readElection(a.db, l.blocks[8]!.id), null);
    const c = await check({ archive: a, workers: 0 });
    assert.ok(c.ok, JSON.stringify(c.findings.slice(0, 3)));
  });
});

describe('pull from files', () => {
  const l = smallLedger({ seed: 'pull-file', blocks: 8 });
  const t = tempDir('la-pull-file-');
  after(() => t.cleanup());

  it('an NDJSON file: everything by default, a selection with two streaming passes, unreadable lines quarantined', async () => {
    const file = join(t.dir, 'ledger.ndjson');
    writeFileSync(file, [...l.votes, ...l.blocks].map((d) => canonicalize(d)).join('\n') + '\n{"broken": \n');
    const a = await memoryArchive(federationOf(l));
    const r = await pull({ archive: a, from: file, ...W });
    assert.equal(r.summary.byKind.block.new, l.blocks.length);
    assert.equal(r.summary.byKind.vote.new, l.votes.length);
    assert.equal(r.summary.byKind.document.quarantined, 1);
    const target = l.blocks[3]!;
    const b = await memoryArchive(federationOf(l));
    const rs = await pull({ archive: b, from: file, selection: { tx: [target.block.transactions[0]!.id] }, ...W });
    assert.equal(rs.summary.byKind.block.new, 1);
    assert.equal(rs.summary.byKind.vote.new, l.votes.filter((v) => v.vote.voting_for_block === target.id).length);
    await assert.rejects(pull({ archive: b, from: file, fillGaps: true }), { code: 'LEDGER_USAGE' });
  });

  it('a rethinkdb dump archive (v1.3 layout) gives the same archive as the documents themselves', async () => {
    const rows = rowsFor('1.3', l.blocks, l.votes);
    const path = join(t.dir, 'dump.tar.gz');
    await writeDump(path, { db: 'bigchain', tables: [
      { name: 'bigchain', docs: rows.bigchain }, { name: 'votes', docs: rows.votes },
      { name: 'assets', docs: rows.assets }, { name: 'metadata', docs: rows.metadata }, { name: 'backlog', docs: [] },
    ] });
    const a = await memoryArchive(federationOf(l));
    const r = await pull({ archive: a, from: path, ...W });
    assert.equal(r.summary.byKind.block.new, l.blocks.length);
    assert.equal(r.summary.quarantined, 0, JSON.stringify(r.summary.findings.slice(0, 2)));
    for (const blk of l.blocks) assert.equal((await readElection(a.db, blk.id))?.status, l.statuses.get(blk.id));
    const again = await pull({ archive: a, ...W });
    assert.equal(again.summary.new, 0);
    const b = await memoryArchive(federationOf(l));
    await pull({ archive: b, from: path, selection: { asset: [l.blocks[2]!.block.transactions[0]!.id] }, ...W });
    assert.ok(await countPrefix(b.db, 'b!') >= 1);
    assert.equal(await countPrefix(b.db, 'q!'), 0);
    void archiveContents;
  });
});
