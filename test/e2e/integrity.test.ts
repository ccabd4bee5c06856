/**
 * Issue 9 through the CLI: only signed content is stored (DOC_UNSIGNED_FIELD), a vote's
 * identity is its signed content (variants never flip an election), and nothing corrupt
 * is passed on (export, rebuild, show leave it out, name it and exit 1; check --repair
 * quarantines it). Fixture: fixtures/damaged/good (13 blocks, 43 votes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fixture, json } from '../helpers/fixtures.js';
import { closeArchive, openArchive } from '../../src/store/archive.js';
import { key } from '../../src/store/schema.js';
import { cli, workspace } from './helpers.js';

const FED = fixture('damaged', 'federation.json');
const LINES = readFileSync(fixture('damaged', 'good', 'ledger.ndjson'), 'utf8').split('\n').filter((l) => l.trim() !== '');
const STATUSES = json<{ statuses: Record<string, string> }>('damaged', 'good', 'expected.json').statuses;
const isBlock = (l: string): boolean => l.startsWith('{"block"');
const blockId = (l: string): string => (JSON.parse(l) as { id: string }).id;
const votedFor = (l: string): string => (JSON.parse(l) as { vote: { voting_for_block: string } }).vote.voting_for_block;
/** The same document with an unsigned top-level field in front (its signed part untouched). */
const withField = (l: string, name = 'mirror_note', value = '"served by mirror"'): string => `{"${name}":${value},${l.slice(1)}`;
const VALID = Object.keys(STATUSES).find((id) => STATUSES[id] === 'valid' && LINES.filter((l) => !isBlock(l) && votedFor(l) === id).length >= 3)!;
const ws = workspace('la-e2e-integrity-');
test.after(() => ws.cleanup());

type Election = { status: string; nVoters: number; nValid: number; nInvalid: number };
const electionOf = async (dir: string, id: string): Promise<Election> => ((await cli('show', 'block', id, '--archive', dir)).summary as { election: Election }).election;
let genuineElection: Election | null = null;
/** The election of VALID in an archive of the genuine documents only. */
async function genuine(): Promise<Election> {
  genuineElection ??= await electionOf((await archiveWith(LINES)).dir, VALID);
  return genuineElection;
}

let n = 0;
async function archiveWith(lines: string[]): Promise<{ dir: string; ingest: Awaited<ReturnType<typeof cli>> }> {
  const dir = join(ws.dir, `a${n++}`);
  const file = `${dir}.ndjson`;
  writeFileSync(file, `${lines.join('\n')}\n`);
  assert.equal((await cli('init', '--archive', dir, '--federation', FED)).code, 0);
  return { dir, ingest: await cli('ingest', file, '--archive', dir, '--workers', '0') };
}

test('a block with an unsigned field: DOC_UNSIGNED_FIELD naming it, and the field reaches no output', async () => {
  const target = LINES.findIndex(isBlock);
  const id = blockId(LINES[target]!);
  const lines = LINES.map((l, i) => (i === target ? withField(l, 'smuggled', '{"evil":true}') : l));
  const { dir, ingest } = await archiveWith(lines);
  assert.equal(ingest.code, 1, 'a finding');
  assert.deepEqual(ingest.findings.map((f) => [f.code, f.doc]), [['DOC_UNSIGNED_FIELD', id]]);
  assert.deepEqual((ingest.findings[0]!.data as { fields: string[] }).fields, ['smuggled']);
  const check = await cli('check', '--archive', dir, '--workers', '0');
  assert.equal(check.code, 0, check.stderr);
  const shown = await cli('show', 'block', id, '--canonical', '--archive', dir);
  assert.equal(shown.code, 0);
  assert.ok(!JSON.stringify(shown.summary).includes('smuggled'));
  const out = join(ws.dir, 'unsigned.lae');
  assert.equal((await cli('export', '--out', out, '--archive', dir)).code, 0);
  assert.ok(!gunzipSync(readFileSync(out)).toString('utf8').includes('smuggled'), 'not in the export');
  const dump = join(ws.dir, 'unsigned.tar.gz');
  assert.equal((await cli('rebuild', '--to', dump, '--archive', dir, '--keep-undecided', '--allow-gaps')).code, 0);
  assert.ok(!gunzipSync(readFileSync(dump)).toString('latin1').includes('smuggled'), 'not in the rebuilt dump');
  // The same archive as from the genuine documents: identical stored bytes.
  const genuine = await archiveWith(LINES);
  const g = await cli('show', 'block', id, '--canonical', '--archive', genuine.dir);
  assert.equal((shown.summary as { canonical: string }).canonical, (g.summary as { canonical: string }).canonical);
  const a = await cli('export', '--out', join(ws.dir, 'g1.lae'), '--archive', genuine.dir);
  const b = await cli('export', '--out', join(ws.dir, 'g2.lae'), '--archive', dir);
  assert.equal((a.summary as { contentBytes: number }).contentBytes, (b.summary as { contentBytes: number }).contentBytes);
});

test('copies of the genuine votes with an unsigned field, ingested first, do not flip the election', async () => {
  const votes = LINES.filter((l) => !isBlock(l) && votedFor(l) === VALID);
  const { dir, ingest } = await archiveWith([...votes.map((v) => withField(v)), ...LINES]);
  assert.equal(ingest.code, 1);
  assert.equal(ingest.findings.filter((f) => f.code === 'DOC_UNSIGNED_FIELD').length, votes.length);
  assert.deepEqual(ingest.findings.filter((f) => f.code !== 'DOC_UNSIGNED_FIELD'), [], 'nothing else: the variants are the genuine votes');
  assert.deepEqual(await electionOf(dir, VALID), await genuine());
  assert.equal((await genuine()).status, 'valid');
  const status = await cli('status', '--archive', dir);
  assert.equal((status.summary as { statuses: { valid: number } }).statuses.valid, Object.values(STATUSES).filter((s) => s === 'valid').length);
});

test('a tampered vote (signed bytes changed) arriving first is quarantined; the genuine one is stored and counted', async () => {
  const votes = LINES.filter((l) => !isBlock(l) && votedFor(l) === VALID);
  const flipped = votes.map((v) => v.replace('"is_block_valid":true', '"is_block_valid":false'));
  const { dir, ingest } = await archiveWith([...flipped, ...LINES]);
  assert.equal(ingest.code, 1);
  assert.deepEqual([...new Set(ingest.findings.map((f) => f.code))], ['VOTE_BAD_SIGNATURE']);
  assert.deepEqual(await electionOf(dir, VALID), await genuine());
});

test('a stored block changed behind the tool\'s back: check, export, rebuild and show name it and exit 1; check --repair quarantines it', async () => {
  const { dir } = await archiveWith(LINES);
  const id = Object.keys(STATUSES).find((b) => STATUSES[b] === 'valid')!;
  const a = await openArchive({ dir });
  try {
    const text = (await a.db.get(key('b', id)))!;
    await a.db.put(key('b', id), text.replace('"amount":"1"', '"amount":"2"')); // behind the tool: no commit
  } finally { await closeArchive(a); }
  const named = (r: Awaited<ReturnType<typeof cli>>): boolean => r.findings.some((f) => f.code === 'STORE_CORRUPT' && String(f.doc) === key('b', id));
  const check = await cli('check', '--archive', dir, '--workers', '0');
  assert.equal(check.code, 1);
  assert.ok(named(check));
  const exp = await cli('export', '--out', join(ws.dir, 'corrupt.lae'), '--archive', dir);
  assert.equal(exp.code, 1, 'an export that left a document out is not complete');
  assert.ok(named(exp));
  assert.equal((exp.summary as { counts: { block: number } }).counts.block, Object.keys(STATUSES).length - 1);
  const reb = await cli('rebuild', '--to', join(ws.dir, 'corrupt.tar.gz'), '--archive', dir, '--keep-undecided', '--allow-gaps');
  assert.equal(reb.code, 1);
  assert.ok(named(reb));
  const show = await cli('show', 'block', id, '--archive', dir);
  assert.equal(show.code, 1);
  assert.ok(!JSON.stringify(show.summary).includes('"amount":"2"'), 'not shown');
  const repair = await cli('check', '--repair', '--archive', dir, '--workers', '0');
  assert.equal(repair.code, 0, repair.stderr);
  assert.ok((repair.summary as { actions: string[] }).actions.some((x) => x.includes(`moved ${key('b', id)} to quarantine`)));
  const status = await cli('status', '--archive', dir);
  assert.equal((status.summary as { counts: { blocks: number; quarantined: number } }).counts.blocks, Object.keys(STATUSES).length - 1);
  assert.equal((status.summary as { counts: { quarantined: number } }).counts.quarantined, 1);
  // The genuine block comes back with the next ingest.
  const again = await cli('ingest', fixture('damaged', 'good', 'ledger.ndjson'), '--archive', dir, '--workers', '0');
  assert.equal(again.code, 0, again.stderr);
  assert.equal((await cli('check', '--archive', dir, '--workers', '0')).code, 0);
});

test('check --repair keeps the signed form of a stored vote that holds an unsigned field (as older versions stored it)', async () => {
  const { dir } = await archiveWith(LINES);
  const vote = JSON.parse(LINES.find((l) => !isBlock(l) && votedFor(l) === VALID)!) as { node_pubkey: string };
  const k = key('v', VALID, vote.node_pubkey);
  const a = await openArchive({ dir });
  let genuineText: string;
  try {
    genuineText = (await a.db.get(k))!;
    await a.db.put(k, withField(genuineText, 'relay'));
  } finally { await closeArchive(a); }
  const check = await cli('check', '--archive', dir, '--workers', '0');
  assert.equal(check.code, 1);
  assert.ok(check.findings.some((f) => f.code === 'STORE_CORRUPT' && f.doc === k));
  const repair = await cli('check', '--repair', '--archive', dir, '--workers', '0');
  assert.equal(repair.code, 0, repair.stdout);
  assert.ok((repair.summary as { actions: string[] }).actions.some((x) => x.startsWith(`kept the signed form of ${k}`)));
  const shown = await cli('show', 'vote', `${VALID}/${vote.node_pubkey}`, '--canonical', '--archive', dir);
  assert.equal((shown.summary as { canonical: string }).canonical, genuineText);
  assert.deepEqual(await electionOf(dir, VALID), await genuine());
});

test('check names a lost sequence entry with its commit and document range, and a stray one', async () => {
  const { dir } = await archiveWith(LINES);
  const a = await openArchive({ dir });
  let lost = '';
  try {
    for await (const k of a.db.keys({ gt: 'sq!', lt: 'sq!~' })) { if (lost === '') lost = k; }
    await a.db.del(lost); // behind the tool: no commit
    await a.db.put('sq!9999999999999999!b!00', '');
  } finally { await closeArchive(a); }
  const check = await cli('check', '--archive', dir, '--workers', '0');
  assert.equal(check.code, 1);
  const incomplete = check.findings.filter((f) => f.code === 'STORE_INCOMPLETE');
  assert.equal(incomplete.length, 1, JSON.stringify(check.findings));
  assert.deepEqual((incomplete[0]!.data as { sequences: number[] }).sequences[0], 1, 'the range of the commit that held it');
  assert.ok(check.findings.some((f) => f.code === 'STORE_CORRUPT' && String(f.doc).startsWith('sq!9999999999999999')), 'the stray entry');
});
