import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { GapDetector, inferGenesis, orphanPrevs, type ChainLink } from '../../src/chain/gaps.js';

/** A good abstract ledger: blocks b0 (genesis) … bn, each voter voting all of b1..bn in its own order. */
interface Model { n: number; orders: number[][] }

const modelArb = fc.integer({ min: 1, max: 9 }).chain((n) => fc.record({
  n: fc.constant(n),
  orders: fc.array(fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i + 1), { minLength: n, maxLength: n }), { minLength: 1, maxLength: 4 }),
}));

const id = (i: number): string => `b${String(i).padStart(3, '0')}`;
const voter = (v: number): string => `voter${v}`;

function links(m: Model, v: number, deletedVotes: Set<string>): ChainLink[] {
  const out: ChainLink[] = [];
  let prev = id(0);
  for (const b of m.orders[v]!) {
    if (!deletedVotes.has(`${id(b)}/${voter(v)}`)) out.push({ prev, next: id(b) });
    prev = id(b);
  }
  return out;
}

function detect(m: Model, deletedBlocks: Set<string>, deletedVotes: Set<string>, knownGenesis: boolean) {
  const perVoter = m.orders.map((_, v) => links(m, v, deletedVotes));
  const present = (b: string): boolean => !deletedBlocks.has(b);
  const voted = new Set(perVoter.flat().map((l) => l.next));
  const genesis = knownGenesis && present(id(0)) ? id(0) : inferGenesis(perVoter.map(orphanPrevs), (b) => present(b) || voted.has(b));
  const d = new GapDetector({ genesis });
  for (let i = 0; i <= m.n; i++) if (present(id(i))) d.addBlock(id(i), String(1000 + i));
  perVoter.forEach((l, v) => d.addVoter(voter(v), l));
  return d.finish();
}

test('property: delete a random set S of blocks and votes from a good chain; the detector reports exactly S', () => {
  const arb = modelArb.chain((m) => fc.record({
    m: fc.constant(m),
    blocks: fc.subarray(Array.from({ length: m.n + 1 }, (_, i) => i)),
    // A vote is detectably missing when the voter's next vote names its block (so never the last one).
    votes: fc.subarray(m.orders.flatMap((o, v) => o.slice(0, -1).map((_, pos) => ({ v, pos })))),
  }));
  fc.assert(fc.property(arb, ({ m, blocks, votes }) => {
    // Two consecutive lost votes of one voter hide the first one: keep only one of each run.
    const keptKeys = new Set<string>();
    const kept = [...votes].sort((a, b) => a.v - b.v || a.pos - b.pos).filter((x) => {
      if (keptKeys.has(`${x.v}:${x.pos - 1}`)) return false;
      keptKeys.add(`${x.v}:${x.pos}`);
      return true;
    });
    const deletedVotes = new Set(kept.map((x) => `${id(m.orders[x.v]![x.pos]!)}/${voter(x.v)}`));
    const deletedBlocks = new Set(blocks.map(id));
    // Without its block, genesis is found as the block all chains start from; a block that lost
    // itself and every vote looks the same, so that combination is out of scope here.
    const allVotesLost = (b: number): boolean => m.orders.every((_, v) => deletedVotes.has(`${id(b)}/${voter(v)}`));
    // A lost genesis is seen only through a first vote that names it.
    const firstVoteKept = m.orders.some((o, v) => !deletedVotes.has(`${id(o[0]!)}/${voter(v)}`));
    fc.pre(!deletedBlocks.has(id(0)) || (firstVoteKept && !blocks.some((b) => b !== 0 && allVotesLost(b))));
    const r = detect(m, deletedBlocks, deletedVotes, true);
    assert.deepEqual(new Set(r.missingBlocks.map((x) => x.block)), deletedBlocks);
    assert.deepEqual(new Set(r.missingVotes.map((x) => `${x.block}/${x.voter}`)), deletedVotes);
    assert.equal(r.forks.length, 0);
    assert.equal(r.unreachable.length, 0);
    assert.equal(r.findings.length, deletedBlocks.size + deletedVotes.size);
  }), { numRuns: 400 });
});

test('complete-through stops at the first break of each chain', () => {
  const m: Model = { n: 5, orders: [[1, 2, 3, 4, 5], [1, 3, 2, 4, 5]] };
  const r = detect(m, new Set([id(3)]), new Set([`${id(4)}/${voter(1)}`]), true);
  const byVoter = Object.fromEntries(r.voters.map((v) => [v.voter, v]));
  assert.equal(byVoter[voter(0)]!.completeThrough, id(2));
  assert.equal(byVoter[voter(1)]!.completeThrough, id(1));
  assert.equal(r.completeThroughTimestamp, '1001');
  const good = detect(m, new Set(), new Set(), true);
  assert.equal(good.completeThroughTimestamp, '1005');
  assert.equal(good.findings.length, 0);
});

test('forks, duplicates and unreachable blocks', () => {
  const d = new GapDetector({ genesis: 'g' });
  // c is older than b, which a chain reaches: the chains went past c without naming it.
  for (const [b, t] of [['g', '1'], ['a', '2'], ['c', '3'], ['b', '4']] as const) d.addBlock(b, t);
  d.addVoter('v', [{ prev: 'g', next: 'a' }, { prev: 'g', next: 'b' }], ['a']);
  const r = d.finish();
  assert.deepEqual(r.forks, [{ voter: 'v', previous: 'g', next: ['a', 'b'] }]);
  assert.deepEqual(r.duplicates, [{ voter: 'v', block: 'a', count: 2 }]);
  assert.deepEqual(r.unreachable, ['c']);
  assert.deepEqual(r.pending, []);
  assert.equal(r.voters[0]!.completeThrough, 'g');
  // Duplicates are listed, not reported: ingest reported VOTE_DUPLICATE when the vote arrived.
  assert.deepEqual(r.findings.map((f) => f.code).sort(), ['GAP_FORK', 'GAP_UNREACHABLE_BLOCK']);
});

test('blocks newer than every chain head are pending, not unreachable; older unnamed ones are unreachable', () => {
  const d = new GapDetector({ genesis: 'g' });
  for (const [b, t] of [['g', '10'], ['a', '20'], ['x', '25'], ['b', '30'], ['n1', '31'], ['n2', '40']] as const) d.addBlock(b, t);
  d.addVoter('v1', [{ prev: 'g', next: 'a' }, { prev: 'a', next: 'b' }]);
  d.addVoter('v2', [{ prev: 'g', next: 'a' }]); // a voter lagging behind does not make newer blocks gaps
  const r = d.finish();
  assert.deepEqual(r.pending, ['n1', 'n2']);
  assert.deepEqual(r.unreachable, ['x']);
  assert.deepEqual(r.findings.map((f) => `${f.code} ${f.doc}`), ['GAP_UNREACHABLE_BLOCK x']);
  // Before any vote, every block but genesis is pending.
  const fresh = new GapDetector({ genesis: 'g' });
  for (const [b, t] of [['g', '10'], ['a', '20']] as const) fresh.addBlock(b, t);
  fresh.addVoter('v1', []);
  const f = fresh.finish();
  assert.deepEqual([f.pending, f.unreachable, f.findings.length], [['a'], [], 0]);
});

test('property: the newest k blocks lose every vote; they are pending, and nothing is reported', () => {
  fc.assert(fc.property(modelArb.chain((m) => fc.record({ m: fc.constant(m), k: fc.integer({ min: 1, max: m.n }) })), ({ m, k }) => {
    // Voters vote in height order here, so the newest k blocks are the last k of every chain.
    const ordered: Model = { n: m.n, orders: m.orders.map(() => Array.from({ length: m.n - k }, (_, i) => i + 1)) };
    const r = detect(ordered, new Set(), new Set(), true);
    assert.deepEqual(r.pending, Array.from({ length: k }, (_, i) => id(m.n - k + 1 + i)));
    assert.deepEqual(r.unreachable, []);
    assert.deepEqual(r.findings, []);
  }), { numRuns: 200 });
});

test('a selective archive reports absent blocks as outside the selection, not as gaps', () => {
  const d = new GapDetector({ genesis: 'g', selective: true });
  d.addBlock('x', '5');
  d.addVoter('v', [{ prev: 'p', next: 'x' }, { prev: 'x', next: 'y' }]);
  const r = d.finish();
  assert.deepEqual(r.missingBlocks, []);
  assert.deepEqual(r.missingVotes, []);
  assert.deepEqual(r.outsideSelection.map((o) => o.block), ['p', 'y']);
  assert.ok(r.findings.every((f) => f.code === 'GAP_OUTSIDE_SELECTION'));
});
