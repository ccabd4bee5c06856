import { r } from 'rethinkdb-ts';
import { startRealRethinkdb } from '/work/wt-real/dist/test/helpers/real-rethinkdb.js';
const s = await startRealRethinkdb();
try {
  const c = await r.connect({ host: s.host, port: s.port, silent: true });
  await r.dbCreate('b').run(c);
  await r.db('b').tableCreate('votes').run(c);
  const t = r.db('b').table('votes');
  await t.indexCreate('block_and_voter', (row) => r.expr([row('vote')('voting_for_block'), row('node_pubkey')])).run(c);
  await t.indexWait().run(c);
  const docs = [];
  for (let b = 0; b < 5; b++) for (const v of ['z', 'a', 'm']) docs.push({ id: `v${b}${v}`, node_pubkey: v, vote: { voting_for_block: `blk${b}` } });
  await t.insert(docs).run(c);
  const ids = ['blk3', 'blk0', 'nope', 'blk1'];
  const q1 = r.expr(ids).concatMap((id) => t.between([id, r.minval], [id, r.maxval], { index: 'block_and_voter' }));
  try { const cur = await q1.getCursor(c, { readMode: 'majority' }); const rows = []; for await (const x of cur) rows.push(x.id); console.log('concatMap', rows); } catch (e) { console.log('concatMap err', e.message.split('\n')[0]); }
  const q2 = r.union(...ids.map((id) => t.between([id, r.minval], [id, r.maxval], { index: 'block_and_voter' })));
  try { console.log('union', (await q2.run(c)).map((x) => x.id)); } catch (e) { console.log('union err', e.message.split('\n')[0]); }
  const q3 = r.expr(ids).concatMap((id) => t.between([id, r.minval], [id, r.maxval], { index: 'block_and_voter' }).coerceTo('array'));
  try { console.log('concatMap array', (await q3.run(c)).map((x) => x.id)); } catch (e) { console.log('q3 err', e.message.split('\n')[0]); }
  console.log(JSON.stringify(r.serialize ? 0 : 0));
  const q4 = t.getAll(...ids.map(id=>[id]), { index: 'block_and_voter' });
  try { console.log('getAll prefix', (await q4.run(c)).map((x) => x.id)); } catch (e) { console.log('q4 err', e.message.split('\n')[0]); }
  // number handling
  await r.db('b').tableCreate('n').run(c);
  await r.db('b').table('n').insert({ id: 1, a: 100.0, b: 2**53+1, c: -0, d: 1e300, e: [] }).run(c);
  console.log(await r.db('b').table('n').get(1).run(c));
  try { await r.db('b').table('n').get(1).run(c, { readMode: 'sloppy' }); } catch (e) { console.log('readmode', e.message.split('\n')[0]); }
  try { await r.db('b').table('nope').run(c); } catch (e) { console.log('notable', e.message.split('\n')[0]); }
  try { await r.db('gone').tableList().run(c); } catch (e) { console.log('nodb', e.message.split('\n')[0]); }
  try { await t.getAll(1, { index: 'zzz' }).run(c); } catch (e) { console.log('noidx', e.message.split('\n')[0]); }
  await c.close();
} finally { await s.close(); }
