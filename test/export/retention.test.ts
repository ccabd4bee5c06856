/**
 * Retention never breaks a chain (SPEC.md §17.10, export/retention.ts): over generated chains
 * (a full export every few runs) and schedules (irregular gaps between runs), every kept
 * incremental has its whole chain before it, every file a rule picks is kept, and the newest
 * file is kept whenever a rule keeps anything.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { retain, type RetainFile } from '../../src/export/retention.js';
import { chainFileName, chainStamp, CHAIN_FILE, stampTime } from '../../src/export/chain-dir.js';

const HOUR = 3_600_000;

/** Files of runs at the given gaps (hours), a new chain when `fullAt` says so. */
function files(gaps: number[], fullEvery: number): RetainFile[] {
  let t = Date.UTC(2026, 0, 1);
  let chain = '';
  let seq = 0;
  return gaps.map((g, i) => {
    t += g * HOUR;
    if (i % fullEvery === 0) { chain = chainStamp(new Date(t)); seq = 0; } else seq++;
    return { name: chainFileName(chain, seq), chain, sequence: seq, at: new Date(t) };
  });
}

test('property: retention keeps whole chains before every kept file, keeps what it picks and the newest', () => {
  const policy = fc.record({ last: fc.nat(4), daily: fc.nat(8), weekly: fc.nat(5), monthly: fc.nat(4) });
  fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 12 }), policy, (gaps, fullEvery, p) => {
    const all = files(gaps, fullEvery);
    const r = retain(all, p);
    assert.equal(r.keep.length + r.delete.length, all.length);
    const kept = new Set(r.keep.map((f) => f.name));
    for (const f of r.keep) {
      for (const g of all) if (g.chain === f.chain && g.sequence < f.sequence) assert.ok(kept.has(g.name), `${f.name} kept without ${g.name}`);
    }
    const any = (p.last ?? 0) + (p.daily ?? 0) + (p.weekly ?? 0) + (p.monthly ?? 0) > 0;
    if (any) assert.ok(kept.has(all.at(-1)!.name), 'the newest file is kept');
    else assert.equal(r.delete.length, 0, 'no rule: nothing deleted');
    if ((p.last ?? 0) > 0) for (const f of all.slice(-p.last!)) assert.ok(kept.has(f.name), `last ${p.last}: ${f.name}`);
    if ((p.daily ?? 0) > 0) {
      const days = [...new Set(all.map((f) => f.at.toISOString().slice(0, 10)))].slice(-p.daily!);
      for (const d of days) assert.ok(r.keep.some((f) => f.at.toISOString().startsWith(d)), `a file of day ${d}`);
    }
  }), { numRuns: 300 });
});

test('retention examples: daily keeps the newest of each day with its chain; names round-trip', () => {
  const all = files([1, 1, 30, 1, 30], 2); // chains: [0,1], [2,3], [4]
  const r = retain(all, { daily: 1 });
  assert.deepEqual(r.keep.map((f) => [f.chain === all[4]!.chain, f.sequence]), [[true, 0]]);
  const r2 = retain(all, { daily: 2 });
  assert.deepEqual(r2.keep.map((f) => f.name), [all[2]!.name, all[3]!.name, all[4]!.name], 'the newest of the day before needs its full export');
  const m = CHAIN_FILE.exec(all[3]!.name)!;
  assert.deepEqual([stampTime(m[1]!).toISOString(), Number(m[2])], [all[2]!.at.toISOString(), 1]);
});
