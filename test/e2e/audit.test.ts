/**
 * `ledger-archive audit` end to end (SPEC.md §24): each generated ledger that breaks one rule
 * (test/helpers/audit-ledger.ts) goes through init → ingest → audit and yields exactly its
 * findings, per-voter tallies and exit code; the sample ledger's invalid blocks are explained
 * by their double spends; the archive is not changed by a byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_SCENARIOS, auditLedger, auditNdjson } from '../helpers/audit-ledger.js';
import { fixture, json } from '../helpers/fixtures.js';
import { cli, fid, workspace } from './helpers.js';
import { runCli } from '../helpers/cli.js';

const ws = workspace('la-e2e-audit-');
test.after(() => ws.cleanup());

async function archiveOf(name: string, federation: string, ledger: string): Promise<string> {
  const archive = join(ws.dir, name);
  const init = await cli('init', '--archive', archive, '--federation', federation);
  assert.equal(init.code, 0, init.stderr);
  const ingest = await cli('ingest', ledger, '--archive', archive, '--workers', '0');
  assert.equal(ingest.code, 0, ingest.stderr);
  assert.deepEqual(ingest.findings, [], 'the ledger verifies: only the audit can tell');
  return archive;
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p); else out[p] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

interface Expected { findings: string[]; exit: number; tallies: Record<string, [number, number, number, number]>; ids: Record<string, string> }
const AUDIT_FED = fixture('audit', 'federation.json');
const names = json<{ names: Record<string, string> }>('audit', 'federation.json').names;

test('the audit fixtures are the scenarios of the builder', () => {
  assert.deepEqual(readdirSync(fixture('audit')).filter((d) => statSync(fixture('audit', d)).isDirectory()).sort(), [...AUDIT_SCENARIOS].sort());
});

for (const scenario of AUDIT_SCENARIOS) {
  test(`audit fixtures/audit/${scenario}: exactly its findings, tallies and exit code`, async () => {
    const exp = json<Expected>('audit', scenario, 'expected.json');
    const archive = await archiveOf(scenario, AUDIT_FED, fixture('audit', scenario, 'ledger.ndjson'));
    const before = snapshot(archive);
    const r = await cli('audit', '--archive', archive);
    assert.deepEqual(r.findings.map(fid).sort(), exp.findings, r.stdout);
    assert.equal(r.code, exp.exit, r.stderr);
    const s = r.summary as { voters: { voter: string; cast: number; agrees: number; timing: number; contradicted: number }[] };
    assert.deepEqual(Object.fromEntries(s.voters.map((v) => [names[v.voter], [v.cast, v.agrees, v.timing, v.contradicted]])), exp.tallies);
    // Every finding names its block and, for a vote, the evidence.
    for (const f of r.findings) {
      const data = f.data as Record<string, unknown>;
      assert.equal(typeof data.block, 'string', JSON.stringify(f));
      if (f.code === 'AUDIT_VOTE_CONTRADICTED') assert.ok(data.evidence !== undefined || /INVALID on a block/.test(String(f.message)), JSON.stringify(f));
    }
    assert.deepEqual(snapshot(archive), before, 'audit does not change the archive');
  });
}

test('audit valid-vote-on-double-spend: the evidence is the output and the block that spent it first', async () => {
  const { ids } = json<Expected>('audit', 'valid-vote-on-double-spend', 'expected.json');
  const archive = await archiveOf('ds-evidence', AUDIT_FED, fixture('audit', 'valid-vote-on-double-spend', 'ledger.ndjson'));
  const r = await cli('audit', '--archive', archive);
  const [f] = r.findings;
  const ev = (f!.data as { evidence: { code: string; evidence: { output: { tx: string; index: number }; spentBy: string; block: string } } }).evidence;
  assert.equal(ev.code, 'AUDIT_DOUBLE_SPEND');
  assert.deepEqual(ev.evidence.output, { tx: ids.c1, index: 0 });
  assert.equal(ev.evidence.spentBy, ids.x1);
  assert.equal(ev.evidence.block, ids.b2);
  const explained = r.events.filter((e) => e.type === 'audit-block');
  assert.deepEqual(explained.map((e) => [e.block, e.status, e.breaksRules]), [[ids.b3, 'invalid', true]]);
});

test('audit invalid-vote-undecided-input: the INVALID vote is timing-dependent, naming the input block', async () => {
  const { ids } = json<Expected>('audit', 'invalid-vote-undecided-input', 'expected.json');
  const archive = await archiveOf('undecided-evidence', AUDIT_FED, fixture('audit', 'invalid-vote-undecided-input', 'ledger.ndjson'));
  const r = await cli('audit', '--archive', archive);
  const records = r.events.filter((e) => e.type === 'audit-vote');
  assert.equal(records.length, 1);
  assert.equal(records[0]!.verdict, 'timing');
  assert.equal(records[0]!.block, ids.b4);
  assert.match(String(records[0]!.reason), new RegExp(`input block ${ids.b3!} was decided VALID`));
});

test('the builder and the committed fixtures agree (regenerate with npm run fixtures)', () => {
  for (const scenario of AUDIT_SCENARIOS) assert.equal(auditNdjson(auditLedger(scenario)), readFileSync(fixture('audit', scenario, 'ledger.ndjson'), 'utf8'), scenario);
});

test('audit of the sample ledger: no broken rule in a VALID block, every INVALID block explained by its double spend', async () => {
  const archive = await archiveOf('sample', fixture('sample', 'federation.json'), fixture('sample', 'ledger.ndjson'));
  const r = await cli('audit', '--archive', archive);
  assert.equal(r.code, 0, r.stdout);
  assert.deepEqual(r.findings, []);
  const exp = json<{ statuses: Record<string, string> }>('sample', 'expected.json');
  const invalid = Object.entries(exp.statuses).filter(([, s]) => s === 'invalid').map(([id]) => id).sort();
  const explained = r.events.filter((e) => e.type === 'audit-block' && e.status === 'invalid');
  assert.deepEqual(explained.map((e) => String(e.block)).sort(), invalid);
  for (const e of explained) {
    assert.equal(e.breaksRules, true);
    assert.ok((e.problems as string[]).some((p) => p.startsWith('AUDIT_DOUBLE_SPEND ')), JSON.stringify(e));
  }
  const s = r.summary as { votes: number; contradictedVotes: number; notValid: { total: number; explained: number } };
  assert.equal(s.votes, 835);
  assert.equal(s.contradictedVotes, 0);
  assert.equal(s.notValid.explained, invalid.length);
});

test('audit --help lists examples and exit codes', async () => {
  const r = await runCli(['audit', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Exit codes of audit:/);
  assert.match(r.stdout, /a vote is contradicted whatever the timing/);
  assert.match(r.stdout, /audit --json/);
});

test('the README audit example prints exactly the output shown', async () => {
  const readme = readFileSync(fixture('..', 'README.md'), 'utf8');
  const at = readme.indexOf('<!-- audit-example -->');
  assert.ok(at >= 0);
  const shown = /```text\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
  const archive = join(ws.dir, 'readme-audit');
  assert.equal((await runCli(['init', '--archive', archive, '--federation', AUDIT_FED])).code, 0);
  assert.equal((await runCli(['ingest', fixture('audit', 'valid-vote-on-double-spend', 'ledger.ndjson'), '--archive', archive, '--workers', '0'])).code, 0);
  const r = await runCli(['audit', '--archive', archive]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, shown);
});

test('show owner and show asset follow the VALID blocks: outputs held, who spent them, what is unspent', async () => {
  const { ids } = json<Expected>('audit', 'clean', 'expected.json');
  const archive = await archiveOf('views', AUDIT_FED, fixture('audit', 'clean', 'ledger.ndjson'));
  const owner = await cli('show', 'owner', ids.alice!, '--archive', archive);
  assert.equal(owner.code, 0, owner.stderr);
  const o = owner.summary as { outputs: { tx: string; index: number; amount: string; spentBy: { tx: string; block: string } | null }[]; unspent: Record<string, string>; history: { tx: string; status: string }[] };
  assert.deepEqual(o.outputs.map((x) => [x.tx, x.index, x.amount, x.spentBy]), [[ids.c1, 0, '10', { tx: ids.x1, block: ids.b2 }], [ids.x2, 0, '2', null]]);
  assert.deepEqual(o.unspent, { [ids.c2!]: '2' });
  assert.deepEqual(o.history.map((h) => [h.tx, h.status]), [[ids.c1, 'valid'], [ids.x1, 'valid'], [ids.x2, 'valid']]);
  const asset = await cli('show', 'asset', ids.c1!, '--archive', archive);
  assert.equal(asset.code, 0, asset.stderr);
  const a = asset.summary as typeof o;
  assert.deepEqual(a.history.map((h) => h.tx), [ids.c1, ids.x1]);
  assert.deepEqual(a.outputs.map((x) => [x.tx, x.spentBy?.tx ?? null]), [[ids.c1, ids.x1], [ids.x1, null]]);
  assert.deepEqual(a.unspent, { [ids.c1!]: '10' });
  const none = await cli('show', 'owner', ids.carol!, '--archive', archive);
  assert.equal(none.code, 1);
  const bad = await cli('show', 'asset', 'xyz', '--archive', archive);
  assert.equal(bad.code, 2);
});
