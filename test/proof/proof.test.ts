/**
 * Proofs (docs/spec-proof.md, SPEC.md §22): a round trip from an archive of the sample ledger
 * (NDJSON, full blocks) and of its BigchainDB 1.3 dump (stored layout: the proof must hold the
 * re-coupled block, the form whose id and signature verify); exit codes of verify-proof; the
 * pinned federation is the only trust; and tampering: no changed byte, vote, key or field of a
 * proof gives exit 0, each is a parse error or a failed check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { fixture, json } from '../helpers/fixtures.js';
import { cli, workspace, WORKERS } from '../e2e/helpers.js';
import { runCli as runPlain } from '../helpers/cli.js';
import { loadFederation } from '../../src/model/federation.js';
import { parseProofBytes, serializeProof, type Proof } from '../../src/proof/format.js';
import { checkProof } from '../../src/proof/check.js';
import { LedgerError } from '../../src/errors.js';
import { createHash } from 'node:crypto';
import { closeArchive, openArchive } from '../../src/store/archive.js';
import { key } from '../../src/store/schema.js';

const FED = fixture('sample', 'federation.json');
const ws = workspace('la-proof-');
test.after(() => ws.cleanup());

interface Expected { statuses: Record<string, string> }
const statuses = json<Expected>('sample', 'expected.json').statuses;
const idsOf = (status: string): string[] => Object.entries(statuses).filter(([, s]) => s === status).map(([id]) => id);

async function archiveOf(name: string, input: string): Promise<string> {
  const archive = join(ws.dir, name);
  assert.equal((await cli('init', '--archive', archive, '--federation', FED)).code, 0);
  const r = await cli('ingest', input, '--archive', archive, '--workers', WORKERS);
  assert.equal(r.code, 0, r.stderr);
  return archive;
}

/** A transaction id of a block, read from the fixture ledger. */
function txOf(blockId: string): string {
  const line = readFileSync(fixture('sample', 'ledger.ndjson'), 'utf8').split('\n').find((l) => l.includes(`"id":"${blockId}"`) && l.includes('"transactions"'));
  const block = JSON.parse(line!) as { block: { transactions: { id: string }[] } };
  return block.block.transactions.at(-1)!.id;
}

const ndjson = archiveOf('ndjson', fixture('sample', 'ledger.ndjson'));
const dump = archiveOf('dump', fixture('sample', 'rethinkdb_dump_2017-11-06T10-00-00.tar.gz'));

async function proofFile(archive: string, kind: string, id: string, name: string): Promise<{ path: string; code: number }> {
  const path = join(ws.dir, name);
  const r = await cli('prove', kind, id, '--out', path, '--archive', archive);
  return { path, code: r.code };
}

test('round trip: a transaction in a VALID block, from full blocks and from the 1.3 stored layout', async () => {
  const valid = idsOf('valid')[3]!;
  const tx = txOf(valid);
  for (const [name, archive] of [['ndjson', await ndjson], ['dump', await dump]] as const) {
    const p = await proofFile(archive, 'tx', tx, `tx-${name}.json`);
    assert.equal(p.code, 0, name);
    const v = await cli('verify-proof', p.path, '--federation', FED);
    assert.equal(v.code, 0, `${name}: ${v.stdout}`);
    assert.equal(v.summary?.holds, true);
    const proof = JSON.parse(readFileSync(p.path, 'utf8')) as Proof;
    assert.deepEqual(proof.claim, { kind: 'tx', tx, block: valid });
    assert.match(proof.block, /"asset":/, 'the stored-layout block is proven in its re-coupled form');
  }
  // Both archives hold the same verified bytes, so both proofs are the same bytes.
  assert.equal(readFileSync(join(ws.dir, 'tx-ndjson.json'), 'utf8'), readFileSync(join(ws.dir, 'tx-dump.json'), 'utf8'));
});

test('prove block; an INVALID or UNDECIDED block is proven as such and verify-proof exits 1', async () => {
  const archive = await ndjson;
  const ok = await proofFile(archive, 'block', idsOf('valid')[0]!, 'block-valid.json');
  assert.equal(ok.code, 0);
  assert.equal((await cli('verify-proof', ok.path, '--federation', FED)).code, 0);
  for (const status of ['invalid', 'undecided']) {
    const p = await proofFile(archive, 'block', idsOf(status)[0]!, `block-${status}.json`);
    assert.equal(p.code, 1, status);
    const v = await cli('verify-proof', p.path, '--federation', FED);
    assert.equal(v.code, 1);
    assert.equal(v.summary?.status, status);
    assert.ok((v.summary?.findings as { code: string }[]).some((f) => f.code === 'PROOF_NOT_VALID'));
  }
});

test('prove: an id the archive does not hold writes nothing (exit 1); a malformed id is exit 2', async () => {
  const archive = await ndjson;
  const absent = await proofFile(archive, 'tx', 'ab'.repeat(32), 'absent.json');
  assert.equal(absent.code, 1);
  assert.ok(!readdirSync(ws.dir).includes('absent.json'));
  assert.equal((await proofFile(archive, 'tx', 'xyz', 'bad.json')).code, 2);
});

test('only the pinned federation is trusted: another federation file, or other keys inside the proof, fail', async () => {
  const p = await proofFile(await ndjson, 'tx', txOf(idsOf('valid')[1]!), 'fed.json');
  const other = await cli('verify-proof', p.path, '--federation', fixture('damaged', 'federation.json'));
  assert.equal(other.code, 1);
  assert.equal((other.summary?.findings as { code: string }[])[0]!.code, 'PROOF_FEDERATION_MISMATCH');
  // A proof that names the other federation's keys as its own is refused under the sample's pin.
  const proof = JSON.parse(readFileSync(p.path, 'utf8')) as Proof;
  const forged = { ...proof, federation: { hash: proof.federation.hash, keys: (JSON.parse(readFileSync(fixture('damaged', 'federation.json'), 'utf8')) as { keys: string[] }).keys } };
  writeFileSync(join(ws.dir, 'forged.json'), serializeProof(forged));
  assert.equal((await cli('verify-proof', join(ws.dir, 'forged.json'), '--federation', FED)).code, 1);
  // The same keys in another order are the same federation.
  const reordered = { ...proof, federation: { hash: proof.federation.hash, keys: [...proof.federation.keys].reverse() } };
  writeFileSync(join(ws.dir, 'reordered.json'), serializeProof(reordered));
  assert.equal((await cli('verify-proof', join(ws.dir, 'reordered.json'), '--federation', FED)).code, 0);
});

test('verify-proof: not a proof is exit 3 (JSON, another form, version); a missing file is exit 3', async () => {
  const p = await proofFile(await ndjson, 'block', idsOf('valid')[2]!, 'form.json');
  const text = readFileSync(p.path, 'utf8');
  const cases: Record<string, string> = {
    'not-json': '{', 'compact': `${JSON.stringify(JSON.parse(text))}\n`, 'no-newline': text.trimEnd(),
    'version': text.replace('"version": 1', '"version": 2'), 'extra': text.replace('"version": 1,', '"version": 1,\n  "note": "x",'),
  };
  for (const [name, body] of Object.entries(cases)) {
    writeFileSync(join(ws.dir, `${name}.json`), body);
    const v = await cli('verify-proof', join(ws.dir, `${name}.json`), '--federation', FED);
    assert.equal(v.code, 3, name);
  }
  assert.equal((await cli('verify-proof', join(ws.dir, 'nothing-here.json'), '--federation', FED)).code, 3);
});

/** The outcome of checking proof bytes: 'parse' (exit 3), or whether the claim holds. */
function outcome(bytes: Uint8Array, pinned = loadFederation(FED)): 'parse' | 'holds' | 'fails' {
  let proof: Proof;
  try { proof = parseProofBytes(bytes, 'proof'); } catch (err) {
    assert.ok(err instanceof LedgerError && err.code === 'LEDGER_INPUT', String(err));
    return 'parse';
  }
  return checkProof(proof, pinned).holds ? 'holds' : 'fails';
}

test('tamper (property): any changed, removed or inserted byte of a proof never holds', async () => {
  const p = await proofFile(await dump, 'tx', txOf(idsOf('valid')[5]!), 'tamper.json');
  const original = readFileSync(p.path);
  const pinned = loadFederation(FED);
  assert.equal(outcome(original, pinned), 'holds');
  const edit = fc.record({ at: fc.nat({ max: original.length - 1 }), byte: fc.integer({ min: 0, max: 255 }), op: fc.constantFrom('set', 'delete', 'insert') });
  fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
    let b = Buffer.from(original);
    for (const e of edits) {
      const at = Math.min(e.at, b.length - 1);
      if (e.op === 'set') { if (b[at] === e.byte) return; b[at] = e.byte; }
      else if (e.op === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
      else b = Buffer.concat([b.subarray(0, at), Buffer.from([e.byte]), b.subarray(at)]);
    }
    if (b.equals(original)) return;
    assert.notEqual(outcome(b, pinned), 'holds', `edits ${JSON.stringify(edits)}`);
  }), { numRuns: 400, seed: 16 });
  // About 2,000 positions spread over the whole file, each with its lowest bit flipped.
  for (let at = 0; at < original.length; at += 1 + Math.floor(original.length / 2000)) {
    const b = Buffer.from(original);
    b[at] = b[at]! ^ 0x01;
    assert.notEqual(outcome(b, pinned), 'holds', `byte ${at}`);
  }
});

test('tamper: removed, added, swapped or duplicated votes, keys and fields never hold', async () => {
  const p = await proofFile(await ndjson, 'tx', txOf(idsOf('valid')[6]!), 'structure.json');
  const other = await proofFile(await ndjson, 'block', idsOf('valid')[7]!, 'other.json');
  const proof = JSON.parse(readFileSync(p.path, 'utf8')) as Proof;
  const alien = JSON.parse(readFileSync(other.path, 'utf8')) as Proof;
  const pinned = loadFederation(FED);
  const bytes = (x: Proof): Buffer => Buffer.from(serializeProof(x));
  assert.equal(outcome(bytes(proof), pinned), 'holds');
  const variants: Record<string, Proof> = {
    'vote removed': { ...proof, votes: proof.votes.slice(1) },
    'vote duplicated': { ...proof, votes: [proof.votes[0]!, ...proof.votes] },
    'vote of another block added': { ...proof, votes: [...proof.votes, alien.votes[0]!].sort() },
    'votes of another block': { ...proof, votes: alien.votes },
    'votes reordered': { ...proof, votes: [...proof.votes].reverse() },
    'no votes': { ...proof, votes: [] },
    'block of another claim': { ...proof, block: alien.block },
    'claim names another block': { ...proof, claim: { kind: 'tx', tx: (proof.claim as { tx: string }).tx, block: alien.claim.block } },
    'claim names a tx of another block': { ...proof, claim: { kind: 'tx', tx: txOf(alien.claim.block), block: proof.claim.block } },
    'key removed': { ...proof, federation: { ...proof.federation, keys: proof.federation.keys.slice(1) } },
    'key added': { ...proof, federation: { ...proof.federation, keys: [...proof.federation.keys, 'BsuxVEn6W3SJvLKeMitmswgtHt3epgn2RtCPuFfXrvUx'] } },
    'key twice': { ...proof, federation: { ...proof.federation, keys: [...proof.federation.keys.slice(1), proof.federation.keys[1]!] } },
    'other hash': { ...proof, federation: { ...proof.federation, hash: 'keccak-256' } },
    'election count': { ...proof, election: { ...proof.election, nValid: proof.election.nValid - 1 } },
    'election voters': { ...proof, election: { ...proof.election, nVoters: proof.election.nVoters + 1 } },
    'election previous': { ...proof, election: { ...proof.election, previousBlock: null } },
    'vote with a row id': { ...proof, votes: [proof.votes[0]!.replace('{', '{"id":"00000000-0000-4000-8000-000000000000",'), ...proof.votes.slice(1)] },
    'vote re-spaced': { ...proof, votes: [proof.votes[0]!.replace(':', ': '), ...proof.votes.slice(1)] },
  };
  for (const [name, v] of Object.entries(variants)) assert.notEqual(outcome(bytes(v), pinned), 'holds', name);
});

test('the README\'s proof round trip runs as written on the sample archive and prints what it shows', async () => {
  const readme = readFileSync(fixture('..', 'README.md'), 'utf8');
  const at = readme.indexOf('## Prove a transaction');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
  const lines = block.split('\n');
  const prove = lines.find((l) => l.startsWith('ledger-archive prove '))!.split(' ').slice(1);
  const out = join(ws.dir, 'readme-proof.json');
  const p = await runPlain([...prove.slice(0, -1), out, '--archive', await ndjson]);
  assert.equal(p.code, 0);
  const shown = (from: number): string[] => lines.slice(from).filter((l) => l.startsWith('# ') && !l.startsWith('# anywhere')).map((l) => l.slice(2));
  const proveOut = shown(lines.findIndex((l) => l.startsWith('ledger-archive prove '))).slice(0, 3);
  assert.deepEqual(p.stdout.trimEnd().split('\n'), proveOut.map((l) => l.replace('proof.json', out)));
  const v = await runPlain(['verify-proof', out, '--federation', FED]);
  assert.equal(v.code, 0);
  const verifyOut = shown(lines.findIndex((l) => l.startsWith('ledger-archive verify-proof ')));
  assert.deepEqual([...v.stdout.trimEnd().split('\n'), String(v.code)], verifyOut);
});

/** Every file of a folder, by path, with a digest of its bytes. */
function folderBytes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p); else out[p.slice(dir.length)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

test('prove and report leave the archive folder byte for byte as it was', async () => {
  const archive = await ndjson;
  const before = folderBytes(archive);
  assert.equal((await proofFile(archive, 'tx', txOf(idsOf('valid')[8]!), 'ro.json')).code, 0);
  assert.equal((await proofFile(archive, 'block', idsOf('invalid')[1]!, 'ro-block.json')).code, 1);
  assert.equal((await cli('report', '--out', join(ws.dir, 'ro.html'), '--archive', archive)).code, 0);
  assert.deepEqual(folderBytes(archive), before);
});

test('a stored block whose bytes were changed at rest is named and never put into a proof', async () => {
  const archive = join(ws.dir, 'rest');
  assert.equal((await cli('init', '--archive', archive, '--federation', FED)).code, 0);
  assert.equal((await cli('ingest', fixture('sample', 'ledger.ndjson'), '--archive', archive, '--workers', WORKERS)).code, 0);
  const id = idsOf('valid')[9]!;
  const a = await openArchive({ dir: archive });
  const text = (await a.db.get(key('b', id)))!;
  await a.db.put(key('b', id), text.replace(/"timestamp":"(\d+)"/, (_m, t: string) => `"timestamp":"${Number(t) + 1}"`));
  await closeArchive(a);
  const out = join(ws.dir, 'rest.json');
  const r = await cli('prove', 'block', id, '--out', out, '--archive', archive);
  assert.equal(r.code, 1);
  assert.ok(!readdirSync(ws.dir).includes('rest.json'));
  assert.equal((r.summary?.corrupt as { code: string }[])[0]!.code, 'STORE_CORRUPT');
});
