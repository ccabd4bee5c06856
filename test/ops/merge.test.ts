import { after, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ingest } from '../../src/ops/ingest.js';
import { merge } from '../../src/ops/merge.js';
import { closeArchive, initArchive, openArchive, type Archive } from '../../src/store/archive.js';
import { federationFromJson } from '../../src/model/federation.js';
import type { Block, Vote } from '../../src/model/types.js';
import { tempDir } from '../helpers/store-archive.js';
import { archiveOf, comparable, firstDifference, idsOf, layoutDocs } from '../rebuild/helpers.js';
import { federationOf, smallLedger } from '../pull/helpers.js';

const l = smallLedger({ seed: 'merge', blocks: 12, invalidAt: [6] });
const tmp = tempDir('la-merge-');
after(() => tmp.cleanup());

/** An on-disk archive in `name` holding the given blocks and their votes (as pulled from 1.3). */
async function clientArchive(name: string, blocks: readonly Block[], fed = federationOf(l)): Promise<string> {
  const dir = join(tmp.dir, name);
  await initArchive({ dir, federation: fed });
  const a = await openArchive({ dir });
  const ids = new Set(blocks.map((b) => b.id));
  const votes: Vote[] = l.votes.filter((v) => ids.has(v.vote.voting_for_block));
  await ingest({ archive: a, docs: layoutDocs('1.3', blocks, votes), layout: '1.3', workers: 0 });
  await closeArchive(a);
  return dir;
}

async function freshArchive(name: string): Promise<Archive> {
  const dir = join(tmp.dir, name);
  await initArchive({ dir, federation: federationOf(l) });
  return openArchive({ dir });
}

/** Drop the assets/metadata staging rows (a merge receives whole blocks, never rows). */
async function documents(a: Archive): Promise<Map<string, string>> {
  const m = await comparable(a.db);
  // meta!format: a memory archive has none.
  for (const k of [...m.keys()]) if (k.startsWith('ra!') || k.startsWith('rm!') || k === 'meta!format') m.delete(k);
  return m;
}

describe('merge', () => {
  it('two client archives with disjoint selections merge into their union; each contribution is reported', async () => {
    const even = l.blocks.filter((_, i) => i % 2 === 0);
    const odd = l.blocks.filter((_, i) => i % 2 === 1);
    const [a, b] = [await clientArchive('even', even), await clientArchive('odd', odd)];
    const into = await freshArchive('union');
    try {
      const r = await merge({ archive: into, sources: [a, b], workers: 0 });
      assert.equal(r.contributions.length, 2);
      assert.equal(r.contributions[0]!.blocks.new, even.length);
      assert.equal(r.contributions[1]!.blocks.new, odd.length);
      const votesOf = (bs: Block[]): number => l.votes.filter((v) => bs.some((x) => x.id === v.vote.voting_for_block)).length;
      assert.equal(r.contributions[0]!.votes.new, votesOf(even));
      assert.equal(r.contributions[1]!.votes.new, votesOf(odd));
      assert.equal(r.gaps.missingBlocks.length + r.gaps.missingVotes.length, 0);
      const whole = await archiveOf(l, '1.3');
      assert.equal(firstDifference(await documents(whole), await documents(into)), 'none');
      // Merging again contributes nothing new.
      const again = await merge({ archive: into, sources: [b], workers: 0 });
      assert.equal(again.contributions[0]!.blocks.new, 0);
      assert.equal(again.contributions[0]!.blocks.duplicate, odd.length);
    } finally { await closeArchive(into); }
  });

  it('reports the gaps that remain after merging', async () => {
    const first = await clientArchive('first-half', l.blocks.filter((_, i) => i !== 4));
    const into = await freshArchive('partial');
    try {
      const r = await merge({ archive: into, sources: [first], workers: 0 });
      assert.deepEqual(r.gaps.missingBlocks.map((m) => m.block), [l.blocks[4]!.id]);
      assert.ok(r.gaps.findings > 0);
      assert.deepEqual((await idsOf(into.db, 'b')).length, l.blocks.length - 1);
    } finally { await closeArchive(into); }
  });

  it('refuses a source pinned to another federation, before merging anything', async () => {
    const good = await clientArchive('good', l.blocks.slice(0, 3));
    const other = smallLedger({ seed: 'merge-other', blocks: 3 });
    const foreign = join(tmp.dir, 'foreign');
    await initArchive({ dir: foreign, federation: federationFromJson(other.federation) });
    const into = await freshArchive('refuse');
    try {
      await assert.rejects(merge({ archive: into, sources: [good, foreign], workers: 0 }), { code: 'LEDGER_ARCHIVE_FEDERATION', message: /foreign/ });
      assert.equal((await idsOf(into.db, 'b')).length, 0, 'nothing merged');
    } finally { await closeArchive(into); }
  });

  it('a source in use (LevelDB lock) is refused clearly; a missing one too; the archive itself is a usage error', async () => {
    const busy = await clientArchive('busy', l.blocks.slice(0, 2));
    const holder = await openArchive({ dir: busy });
    const into = await freshArchive('locked');
    try {
      await assert.rejects(merge({ archive: into, sources: [busy], workers: 0 }), { code: 'LEDGER_STORE_LOCKED', message: /busy.*in use/ });
      await assert.rejects(merge({ archive: into, sources: [join(tmp.dir, 'nope')], workers: 0 }), { code: 'LEDGER_ARCHIVE_MISSING' });
      await assert.rejects(merge({ archive: into, sources: [into.dir!], workers: 0 }), { code: 'LEDGER_USAGE' });
    } finally {
      await closeArchive(holder);
      await closeArchive(into);
    }
  });

  it('every merged document is verified again: a tampered stored vote is refused', async () => {
    const dir = await clientArchive('tampered', l.blocks.slice(0, 4));
    const src = await openArchive({ dir });
    const k = (await idsOf(src.db, 'v'))[0]!;
    const v = JSON.parse((await src.db.get(`v!${k}`))!) as Vote;
    v.vote.is_block_valid = !v.vote.is_block_valid;
    await src.db.put(`v!${k}`, JSON.stringify(v));
    await closeArchive(src);
    const into = await freshArchive('verify-again');
    try {
      const r = await merge({ archive: into, sources: [dir], workers: 0 });
      assert.equal(r.contributions[0]!.votes.quarantined, 1);
      assert.equal(await into.db.get(`v!${k}`), undefined);
    } finally { await closeArchive(into); }
  });
});
