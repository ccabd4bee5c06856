/**
 * The shipped fixtures: regenerated they are byte-identical (the dump up to the writer's random
 * .info ids); the sample verifies with src/verify and every election gives the intended status;
 * the builder reproduces the reference vector; each damaged copy differs from the good chain in
 * exactly the intended way and the verifier-level damages give exactly one verifier finding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { canonicalize } from '../src/model/canonical.js';
import { parseJson } from '../src/model/json.js';
import { federationFromJson } from '../src/model/federation.js';
import { recoupleBlock } from '../src/model/stored.js';
import { voteName } from '../src/model/parse.js';
import { verifyBlock } from '../src/verify/block.js';
import { verifyVote, voteEligibility } from '../src/verify/vote.js';
import { electBlock } from '../src/verify/election.js';
import type { Finding } from '../src/findings.js';
import type { JsonValue } from '../src/model/json.js';
import type { Block, Vote } from '../src/model/types.js';
import { buildLedger, keyFromPrivateKey, makeBlock, makeGenesisTx, makeTransaction, makeVote } from './helpers/ledger-builder.js';
import { DUMP_FILE, makeFixtures } from '../scripts/make-fixtures.js';
import { dumpDifference, readTarGz } from '../scripts/fixtures/tar-compare.js';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const DAMAGES = ['bad-block-signature', 'bad-vote-signature', 'wrong-block-id', 'vote-outside-federation',
  'missing-block', 'missing-vote', 'duplicate-vote', 'forked-vote-chain'];

type Doc = { kind: 'block'; block: Block; line: string } | { kind: 'vote'; vote: Vote; line: string };

async function readLedger(path: string): Promise<Doc[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter((l) => l !== '').map((line) => {
    const d = parseJson(line) as Record<string, unknown>;
    return 'block' in d ? { kind: 'block', block: d as unknown as Block, line } : { kind: 'vote', vote: d as unknown as Vote, line };
  });
}

const readJson = async (path: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
const blocksOf = (docs: Doc[]): Block[] => docs.flatMap((d) => (d.kind === 'block' ? [d.block] : []));
const votesOf = (docs: Doc[]): Vote[] => docs.flatMap((d) => (d.kind === 'vote' ? [d.vote] : []));

/**
 * What the verifier layer says about a ledger file: every block and vote checked, eligibility
 * where the block is present, and elections over the votes that verified (votes with a bad
 * signature or an unknown voter are set aside, as ingest quarantines them).
 */
function verifierPass(docs: Doc[], fedJson: unknown): { findings: Finding[]; statuses: Map<string, string> } {
  const fed = federationFromJson(fedJson);
  const findings: Finding[] = [];
  const blocks = new Map(blocksOf(docs).map((b) => [b.id, b]));
  const counted = new Map<string, Vote[]>();
  for (const b of blocks.values()) findings.push(...verifyBlock(b, fed));
  for (const v of votesOf(docs)) {
    const f = verifyVote(v, fed);
    findings.push(...f);
    if (f.some((x) => x.code === 'VOTE_BAD_SIGNATURE' || x.code === 'VOTE_UNKNOWN_VOTER')) continue;
    const block = blocks.get(v.vote.voting_for_block);
    if (block !== undefined) findings.push(...voteEligibility(v, block));
    counted.set(v.vote.voting_for_block, [...(counted.get(v.vote.voting_for_block) ?? []), v]);
  }
  const statuses = new Map<string, string>();
  for (const b of blocks.values()) {
    const e = electBlock(b.id, b.block.voters, (counted.get(b.id) ?? []).map((vote) => ({ vote, signatureOk: true })), fed);
    findings.push(...e.findings);
    statuses.set(b.id, e.status);
  }
  return { findings, statuses };
}

test('regenerating the fixtures gives the committed files byte for byte', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'fixtures-'));
  try {
    const files = await makeFixtures(tmp);
    assert.ok(files.length >= 20);
    for (const rel of files) {
      if (rel.endsWith('.tar.gz')) {
        assert.equal(await dumpDifference(join(FIXTURES, rel), join(tmp, rel)), null, rel);
        const head = (await readFile(join(tmp, rel))).subarray(0, 10);
        assert.deepEqual([...head.subarray(4, 8)], [0, 0, 0, 0], 'gzip header mtime is zero');
        continue;
      }
      const [a, b] = [await readFile(join(FIXTURES, rel)), await readFile(join(tmp, rel))];
      assert.ok(a.equals(b), `${rel} differs from a fresh run: run npm run fixtures and commit`);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('the builder reproduces the derived-chain vector byte for byte', async () => {
  const v = await readJson(join(FIXTURES, 'vectors/reference/derived-chain-v1.0.json'));
  const node = keyFromPrivateKey('5G2kE1zJAgTajkVSbPAQWo4c2izvtwqaNHYsaNpbbvxX');
  const alice = keyFromPrivateKey('CfdqtD7sS7FgkMoGPXw55MVGGFwQLAoHYTcBhZDtF99Z');
  const bob = keyFromPrivateKey('3AeWpPdhEZzWLYfkfYHBfMFC2r1f8HEaGS9NtbbKssya');
  assert.equal(bob.publicKey, '3yfQPHeWAa1MxTX9Zf9176QqcpcnWcanVZZbaHb8B3h9');
  const genesis = makeBlock(node, 1500000000, [makeGenesisTx(node)], [node.publicKey]);
  const create = makeTransaction({ operation: 'CREATE', asset: { data: { msg: 'Hello BigchainDB!' } }, metadata: { sequence: 0 },
    inputs: [{ owner: alice, fulfills: null }], outputs: [{ publicKey: alice.publicKey, amount: 1 }] });
  const transfer = makeTransaction({ operation: 'TRANSFER', asset: { id: create.id }, metadata: { sequence: 1 },
    inputs: [{ owner: alice, fulfills: { output_index: 0, transaction_id: create.id } }], outputs: [{ publicKey: bob.publicKey, amount: 1 }] });
  const block1 = makeBlock(node, 1500000010, [create], [node.publicKey]);
  const block2 = makeBlock(node, 1500000020, [transfer], [node.publicKey]);
  const vote1 = makeVote(node, { votingFor: block1.id, previous: genesis.id, valid: true, timestamp: 1500000011 });
  const vote2 = makeVote(node, { votingFor: block2.id, previous: block1.id, valid: true, timestamp: 1500000021 });
  const mine: Record<string, unknown> = { genesis_block: genesis, create_tx: create, transfer_tx: transfer, block1, block2, vote1, vote2 };
  for (const [k, doc] of Object.entries(mine)) assert.equal(canonicalize(doc), canonicalize(v[k]), k);
});

test('every block and vote of the sample verifies and every election gives the intended status', async () => {
  const docs = await readLedger(join(FIXTURES, 'sample/ledger.ndjson'));
  const fed = await readJson(join(FIXTURES, 'sample/federation.json'));
  const expected = await readJson(join(FIXTURES, 'sample/expected.json')) as { counts: Record<string, number>; statuses: Record<string, string> };
  const { findings, statuses } = verifierPass(docs, fed);
  assert.deepEqual(findings, []);
  assert.deepEqual(Object.fromEntries(statuses), expected.statuses);
  const count = (s: string): number => [...statuses.values()].filter((x) => x === s).length;
  assert.ok(statuses.size >= 201, 'at least 200 blocks after genesis');
  assert.equal(count('valid'), expected.counts.valid);
  assert.equal(count('invalid'), expected.counts.invalid);
  assert.equal(count('undecided'), expected.counts.undecided);
  assert.ok(count('invalid') >= 2 && count('undecided') >= 3, 'a few invalid blocks and a couple of undecided ones besides genesis');
  const ids = (op: string): number => new Set(blocksOf(docs).flatMap((b) => b.block.transactions.filter((t) => t.operation === op).map((t) => t.id))).size;
  assert.equal(ids('CREATE'), expected.counts.creates, 'every CREATE is distinct');
  assert.equal(ids('TRANSFER'), expected.counts.transfers, 'every TRANSFER is distinct');
  const readme = await readFile(join(FIXTURES, 'sample/README.md'), 'utf8');
  assert.match(readme, new RegExp(`blocks \\(genesis included\\) \\| ${statuses.size} \\|`));
  // Payloads that break naive implementations are really there.
  const text = docs.map((d) => d.line).join('\n');
  for (const s of ['"📝"', '"ｎｏｔｅ"', '東京', 'é', '\\t', '2.5e-7', '"container_id":1234567890123456789']) assert.ok(text.includes(s), s);
  assert.ok(text.includes('"ｎｏｔｅ":"メモ","📝":'), 'keys in code-point order (UTF-16 order would put 📝 first)');
});

test('sample TRANSFERs spend earlier outputs of their real owners, amounts balanced', async () => {
  type Out = { public_keys: string[]; amount: string; condition: { uri: string } };
  type In = { owners_before: string[]; fulfills: { transaction_id: string; output_index: number } | null };
  const docs = await readLedger(join(FIXTURES, 'sample/ledger.ndjson'));
  const outputs = new Map<string, Out>();
  let multiInput = 0, change = 0;
  for (const b of blocksOf(docs)) {
    const seen = new Map<string, Out>();
    for (const tx of b.block.transactions) {
      if (tx.operation === 'TRANSFER') {
        const ins = tx.inputs as unknown as In[];
        let total = 0n;
        for (const i of ins) {
          const spent = outputs.get(`${i.fulfills!.transaction_id}/${i.fulfills!.output_index}`);
          assert.ok(spent !== undefined, 'spends an output of an earlier block');
          assert.deepEqual(i.owners_before, spent.public_keys, 'signed by the owner');
          total += BigInt(spent.amount);
        }
        const outs = tx.outputs as unknown as Out[];
        assert.equal(outs.reduce((s, o) => s + BigInt(o.amount), 0n), total, 'amounts balance');
        if (ins.length > 1) multiInput++;
        if (outs.some((o) => o.public_keys[0] === ins[0]!.owners_before[0])) change++;
      }
      (tx.outputs as unknown as Out[]).forEach((o, n) => seen.set(`${tx.id}/${n}`, o));
    }
    for (const [k, o] of seen) outputs.set(k, o); // outputs of a block are spendable only from later blocks
  }
  assert.ok(multiInput > 0 && change > 0, `multi-input ${multiInput}, with change ${change}`);
});

test('every node votes in its own order along a chain from genesis', async () => {
  const docs = await readLedger(join(FIXTURES, 'sample/ledger.ndjson'));
  const blocks = blocksOf(docs);
  const height = new Map(blocks.map((b, i) => [b.id, i]));
  const byVoter = new Map<string, Vote[]>();
  for (const v of votesOf(docs)) byVoter.set(v.node_pubkey, [...(byVoter.get(v.node_pubkey) ?? []), v]);
  assert.equal(byVoter.size, 4);
  const orders = new Set<string>();
  for (const votes of byVoter.values()) {
    let prev = blocks[0]!.id;
    for (const v of votes) {
      assert.equal(v.vote.previous_block, prev, 'each vote names the block its voter voted on just before');
      prev = v.vote.voting_for_block;
    }
    orders.add(votes.map((v) => height.get(v.vote.voting_for_block)).join(','));
    assert.equal(new Set(votes.map((v) => v.vote.voting_for_block)).size, votes.length, 'one vote per block');
  }
  assert.equal(orders.size, 4, 'no two nodes deliver blocks in the same order');
  for (const b of blocks.slice(1)) {
    const first = docs.findIndex((d) => d.kind === 'block' && d.block.id === b.id);
    assert.ok(docs.every((d, i) => d.kind !== 'vote' || d.vote.vote.voting_for_block !== b.id || i > first), 'votes follow their block');
  }
});

test('the sample dump holds the v1.3 stored layout of the same ledger', async () => {
  const members = await readTarGz(join(FIXTURES, 'sample', DUMP_FILE));
  const top = 'rethinkdb_dump_2017-11-06T10:00:00/bigchain/';
  assert.deepEqual(members.map((m) => m.name), ['bigchain', 'votes', 'assets', 'metadata'].flatMap((t) => [`${top}${t}.info`, `${top}${t}.json`]));
  assert.ok(members.every((m) => m.mtime === Date.UTC(2017, 10, 6, 10, 0, 0) && m.type === 'file'));
  const table = (t: string): Record<string, JsonValue>[] => parseJson(members.find((m) => m.name === `${top}${t}.json`)!.data.toString('latin1')) as Record<string, JsonValue>[];
  const assets = new Map(table('assets').map((r) => { const { id, ...rest } = r; return [id as string, rest as JsonValue]; }));
  const metadata = new Map(table('metadata').map((r) => [r.id as string, r.metadata!]));
  const docs = await readLedger(join(FIXTURES, 'sample/ledger.ndjson'));
  const original = new Map(blocksOf(docs).map((b) => [b.id, canonicalize(b)]));
  const stored = table('bigchain') as unknown as Block[];
  assert.equal(stored.length, original.size);
  for (const s of stored) {
    assert.ok(s.block.transactions.every((t) => !('metadata' in t)), 'metadata stripped');
    const { block, missingAssets } = recoupleBlock(s, assets, metadata);
    assert.deepEqual(missingAssets, []);
    assert.equal(canonicalize(block), original.get(s.id));
  }
  const votes = table('votes') as unknown as Vote[];
  const ids = votes.map((v) => v.id!);
  assert.ok(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)));
  assert.deepEqual(ids, [...ids].sort(), 'rows in primary-key order');
  const originalVotes = new Set(votesOf(docs).map((v) => canonicalize(v)));
  assert.ok(votes.every((v) => { const { id: _id, ...rest } = v; return originalVotes.has(canonicalize(rest)); }));
  assert.equal(votes.length, originalVotes.size);
});

test('the good chain verifies with no finding and the intended statuses', async () => {
  const docs = await readLedger(join(FIXTURES, 'damaged/good/ledger.ndjson'));
  const fed = await readJson(join(FIXTURES, 'damaged/federation.json'));
  const expected = await readJson(join(FIXTURES, 'damaged/good/expected.json'));
  const { findings, statuses } = verifierPass(docs, fed);
  assert.deepEqual(findings, []);
  assert.deepEqual(Object.fromEntries(statuses), expected.statuses);
  const named = new Set(votesOf(docs).flatMap((v) => [v.vote.voting_for_block, v.vote.previous_block]));
  assert.ok(blocksOf(docs).every((b) => named.has(b.id)), 'every block is named by some vote');
});

/** The lines of `b` not in `a` and those of `a` not in `b`. */
function lineDiff(a: Doc[], b: Doc[]): { removed: Doc[]; added: Doc[] } {
  const as = new Set(a.map((d) => d.line)), bs = new Set(b.map((d) => d.line));
  return { removed: a.filter((d) => !bs.has(d.line)), added: b.filter((d) => !as.has(d.line)) };
}

test('each damaged fixture breaks exactly the intended thing', async () => {
  const good = await readLedger(join(FIXTURES, 'damaged/good/ledger.ndjson'));
  const fed = await readJson(join(FIXTURES, 'damaged/federation.json'));
  const goodVotes = votesOf(good);
  for (const name of DAMAGES) {
    const docs = await readLedger(join(FIXTURES, 'damaged', name, 'ledger.ndjson'));
    const exp = await readJson(join(FIXTURES, 'damaged', name, 'expected.json')) as { finding: string; doc: string; layer: string; data?: Record<string, string> };
    const { removed, added } = lineDiff(good, docs);
    const { findings, statuses } = verifierPass(docs, fed);
    const one = (d: Doc[]): Doc => { assert.equal(d.length, 1, name); return d[0]!; };
    switch (name) {
      case 'bad-block-signature': {
        assert.equal(removed.length, 0);
        const a = one(added) as Extract<Doc, { kind: 'block' }>;
        assert.equal(docs.at(-1), a, 'appended after the last votes');
        assert.ok(!votesOf(docs).some((v) => v.vote.voting_for_block === a.block.id || v.vote.previous_block === a.block.id));
        assert.deepEqual(verifyBlock({ ...a.block, signature: 'x' }, federationFromJson(fed)).map((f) => f.code), ['BLOCK_BAD_SIGNATURE'], 'only the signature is wrong');
        break;
      }
      case 'bad-vote-signature': {
        const [r, a] = [one(removed), one(added)] as [Extract<Doc, { kind: 'vote' }>, Extract<Doc, { kind: 'vote' }>];
        assert.equal(canonicalize(a.vote.vote), canonicalize(r.vote.vote));
        assert.equal(votesOf(docs).filter((v) => v.node_pubkey === a.vote.node_pubkey).at(-1), a.vote, 'the newest vote of its voter');
        break;
      }
      case 'wrong-block-id': {
        assert.equal(removed.length, 0);
        const a = one(added) as Extract<Doc, { kind: 'block' }>;
        assert.equal(docs.at(-1), a, 'appended after the last votes');
        assert.ok(!votesOf(docs).some((v) => v.vote.voting_for_block === a.block.id || v.vote.previous_block === a.block.id));
        assert.equal(exp.data?.computed, verifyBlock(a.block, federationFromJson(fed))[0]?.data?.computed);
        break;
      }
      case 'vote-outside-federation': {
        assert.equal(removed.length, 0);
        const a = one(added) as Extract<Doc, { kind: 'vote' }>;
        assert.ok(!(fed.keys as string[]).includes(a.vote.node_pubkey));
        break;
      }
      case 'missing-block': {
        assert.equal(added.length, 0);
        const r = one(removed) as Extract<Doc, { kind: 'block' }>;
        assert.equal(r.block.id, exp.doc);
        assert.ok(votesOf(docs).some((v) => v.vote.previous_block === r.block.id), 'later votes still name it');
        break;
      }
      case 'missing-vote': {
        assert.equal(added.length, 0);
        const r = one(removed) as Extract<Doc, { kind: 'vote' }>;
        assert.equal(voteName(r.vote, ''), exp.doc);
        assert.ok(votesOf(docs).some((v) => v.node_pubkey === r.vote.node_pubkey && v.vote.previous_block === r.vote.vote.voting_for_block), 'mid-chain');
        break;
      }
      case 'duplicate-vote': {
        assert.equal(removed.length, 0);
        const a = one(added) as Extract<Doc, { kind: 'vote' }>;
        const first = goodVotes.find((v) => voteName(v, '') === voteName(a.vote, ''))!;
        assert.equal(first.vote.previous_block, a.vote.vote.previous_block);
        assert.equal(first.vote.is_block_valid, a.vote.vote.is_block_valid);
        break;
      }
      case 'forked-vote-chain': {
        const [r, a] = [one(removed), one(added)] as [Extract<Doc, { kind: 'vote' }>, Extract<Doc, { kind: 'vote' }>];
        assert.equal(a.vote.node_pubkey, exp.doc);
        assert.notEqual(a.vote.vote.previous_block, r.vote.vote.previous_block);
        const mine = votesOf(docs).filter((v) => v.node_pubkey === a.vote.node_pubkey);
        assert.equal(mine.filter((v) => v.vote.previous_block === exp.data?.previous_block).length, 2);
        break;
      }
      default: assert.fail(name);
    }
    if (exp.layer === 'verifier') {
      assert.deepEqual(findings.map((f) => [f.code, f.doc]), [[exp.finding, exp.doc]], `${name}: exactly one verifier finding`);
    } else {
      assert.deepEqual(findings, [], `${name}: the verifier finds nothing; the gap detector reports ${exp.finding}`);
    }
    // A damage never changes an election of the good chain.
    const goodStatuses = (await readJson(join(FIXTURES, 'damaged/good/expected.json'))).statuses as Record<string, string>;
    for (const [id, s] of statuses) if (id in goodStatuses) assert.equal(s, goodStatuses[id], `${name}: status of ${id}`);
  }
});

test('generated ledgers elect as intended for any options (property)', () => {
  fc.assert(fc.property(
    fc.record({ seed: fc.string({ maxLength: 8 }), blocks: fc.integer({ min: 3, max: 14 }), n: fc.integer({ min: 1, max: 6 }),
      reorderRate: fc.double({ min: 0, max: 1, noNaN: true }), invalidFraction: fc.double({ min: 0, max: 0.5, noNaN: true }) }),
    ({ seed, blocks, n, reorderRate, invalidFraction }) => {
      const l = buildLedger({ seed, blocks, federationSize: n, reorderRate, invalidFraction, txsPerBlock: [1, 3], richData: false });
      const { findings, statuses } = verifierPass(l.events.map((e) => (e.kind === 'block'
        ? { kind: 'block', block: e.block, line: '' } : { kind: 'vote', vote: e.vote, line: '' })), l.federation);
      assert.deepEqual(findings, []);
      for (const [id, s] of l.statuses) assert.equal(statuses.get(id), s);
    }), { numRuns: 10 });
});
