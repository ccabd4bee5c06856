import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readDump, readDumpInfo } from '../../src/dump/read.js';
import { ingest } from '../../src/ops/ingest.js';
import { closeArchive, initArchive, openArchive } from '../../src/store/archive.js';
import { federationFromJson } from '../../src/model/federation.js';
import { describeServers, type TestServer } from '../helpers/rethink-servers.js';
import { events, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/store-archive.js';
import { layoutDocs } from '../rebuild/helpers.js';
import { federationOf, rethinkUrl, smallLedger } from '../pull/helpers.js';

const l = smallLedger({ seed: 'cli-rebuild', blocks: 8, invalidAt: [5] });
const tmp = tempDir('la-cli-rebuild-');

async function archiveDir(name: string, blocks = l.blocks, fed = federationOf(l)): Promise<string> {
  const dir = join(tmp.dir, name);
  await initArchive({ dir, federation: fed });
  const a = await openArchive({ dir });
  const ids = new Set(blocks.map((b) => b.id));
  await ingest({ archive: a, docs: layoutDocs('1.3', blocks, l.votes.filter((v) => ids.has(v.vote.voting_for_block))), layout: '1.3', workers: 0 });
  await closeArchive(a);
  return dir;
}

after(() => tmp.cleanup());

describeServers('CLI rebuild, create-indexes', (server) => {
  let d: TestServer;
  let dir: string;
  before(async () => { d = server(); dir = await archiveDir(`main-${d.kind}`); });

  it('rebuild --to FILE.tar.gz writes a restorable dump; create-indexes after a restore creates BigchainDB\'s indexes', async () => {
    const file = join(tmp.dir, `out-${d.kind}.tar.gz`);
    const r = await runCli(['rebuild', '--to', file, '--archive', dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const ev = events(r.stdout);
    const left = ev.filter((e) => e.type === 'left-out');
    assert.equal(left.length, 2, 'the undecided tail is listed');
    const summary = ev.at(-1)!;
    assert.equal(summary.type, 'summary');
    assert.equal((summary.plan as { blocks: number }).blocks, l.blocks.length - 2);
    const info = await readDumpInfo(file);
    assert.match(info.top, /^rethinkdb_dump_\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.deepEqual(info.tables.map((t) => t.table).sort(), ['assets', 'backlog', 'bigchain', 'metadata', 'votes']);
    assert.ok(info.tables.every((t) => t.db === 'bigchain' && t.indexes.length === 0 && t.primaryKey === 'id'));
    // "restore": load the dump's rows as `rethinkdb restore` would (the real tool: dump/real-tools.test.ts), then create the indexes.
    const byTable = new Map<string, Record<string, unknown>[]>([['backlog', []]]);
    for await (const doc of readDump(file)) byTable.set(doc.table!, [...(byTable.get(doc.table!) ?? []), doc.doc as Record<string, unknown>]);
    for (const [table, docs] of byTable) await d.load('restored', table, docs);
    const c = await runCli(['create-indexes', '--to', rethinkUrl(d, 'restored'), '--json']);
    assert.equal(c.code, 0, c.stderr);
    const cs = events(c.stdout).at(-1)!;
    assert.equal(cs.layout, '1.3');
    assert.equal((cs.created as string[]).length, 7);
    assert.deepEqual(await d.indexes('restored', 'bigchain'), ['asset_id', 'block_timestamp', 'inputs', 'outputs', 'transaction_id']);
    const again = await runCli(['create-indexes', '--to', rethinkUrl(d, 'restored'), '--json']);
    assert.deepEqual(events(again.stdout).at(-1)!.created, []);
  });

  it('rebuild --to rethinkdb:// reads back equal (exit 0); again without --force is refused (exit 7); --dry-run writes nothing', async () => {
    const url = rethinkUrl(d, 'clidb');
    const dry = await runCli(['rebuild', '--to', url, '--archive', dir, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /plan for .*tables +bigchain \d+, backlog 0, votes \d+, assets \d+, metadata \d+/s);
    await assert.rejects(d.rows('clidb', 'bigchain'));
    const r = await runCli(['rebuild', '--to', url, '--archive', dir, '--keep-undecided']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /read back equal/);
    assert.equal((await d.rows('clidb', 'bigchain')).length, l.blocks.length);
    const refused = await runCli(['rebuild', '--to', url, '--archive', dir, '--json']);
    assert.equal(refused.code, 7);
    assert.equal(events(refused.stdout).at(-1)!.code, 'LEDGER_TARGET');
    const dry2 = await runCli(['rebuild', '--to', url, '--archive', dir, '--dry-run']);
    assert.equal(dry2.code, 1);
    assert.match(dry2.stdout, /not empty/);
  });

  it('issue 8 regression: --layout 1.3 and --layout 1.0 as --help writes them (strings, not numbers)', async () => {
    for (const [layout, db] of [['1.3', 'l13'], ['1.0', 'l10']] as const) {
      const r = await runCli(['rebuild', '--to', rethinkUrl(d, `${db}${d.kind}`), '--layout', layout, '--archive', dir, '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((events(r.stdout).at(-1)!.plan as { layout: string }).layout, layout);
      assert.ok((await d.rows(`${db}${d.kind}`, 'assets')).length > 0);
      // 1.0 has no metadata table (BigchainDB 1.0's schema); 1.3 has one.
      if (layout === '1.0') await assert.rejects(d.rows(`${db}${d.kind}`, 'metadata'));
      else assert.ok(Array.isArray(await d.rows(`${db}${d.kind}`, 'metadata')));
    }
  });
});

describe('CLI rebuild errors, merge', () => {
  let dir: string;
  before(async () => { dir = await archiveDir('main'); });

  it('an unreachable target exits 7; a bad --to or --until exits 2', async () => {
    const r = await runCli(['rebuild', '--to', 'rethinkdb://127.0.0.1:1/x', '--archive', dir]);
    assert.equal(r.code, 7);
    assert.match(r.stderr, /LEDGER_TARGET/);
    assert.equal((await runCli(['rebuild', '--to', join(tmp.dir, 'x.zip'), '--archive', dir])).code, 2);
    assert.equal((await runCli(['rebuild', '--to', join(tmp.dir, 'x.tar.gz'), '--until', 'soon', '--archive', dir])).code, 2);
    assert.equal(existsSync(join(tmp.dir, 'x.tar.gz')), false);
  });

  it('merge: contributions and gaps (exit 1 while gaps remain, 0 once complete); another federation exits 4', async () => {
    const a = await archiveDir('a', l.blocks.filter((_, i) => i !== 3));
    const b = await archiveDir('b', l.blocks.filter((_, i) => i >= 3));
    const into = join(tmp.dir, 'into');
    await initArchive({ dir: into, federation: federationOf(l) });
    const first = await runCli(['merge', a, '--archive', into, '--workers', '0']);
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stdout, /gaps +\d+ missing blocks/);
    const second = await runCli(['merge', b, '--archive', into, '--workers', '0', '--json']);
    assert.equal(second.code, 0, second.stdout);
    const s = events(second.stdout).at(-1)! as { contributions: { blocks: { new: number; duplicate: number } }[] };
    assert.deepEqual([s.contributions[0]!.blocks.new, s.contributions[0]!.blocks.duplicate], [1, l.blocks.length - 4]);
    const other = smallLedger({ seed: 'cli-other', blocks: 2 });
    const foreign = await archiveDir('foreign', [], federationFromJson(other.federation));
    assert.equal((await runCli(['merge', foreign, '--archive', into])).code, 4);
  });
});
