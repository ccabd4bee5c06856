/**
 * Properties of issue 9 (items 1 and 2), on in-memory archives:
 * - any change outside the signed bytes of any document (fields a source adds around a
 *   block, vote or row) leaves the archive exactly as the genuine documents leave it;
 * - any arrival order of genuine votes, variants of them (unsigned fields added, signed
 *   bytes changed, another RethinkDB row id) and a second genuine vote by one voter gives
 *   the same elections and the same stored signed votes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ingest } from '../../src/ops/ingest.js';
import { voteSignedBytes } from '../../src/store/entries.js';
import { range } from '../../src/store/schema.js';
import { parseJson } from '../../src/model/json.js';
import type { Vote } from '../../src/model/types.js';
import { buildLedger, makeVote } from '../helpers/ledger-builder.js';
import { dumpDb, memoryArchive, raw } from '../helpers/store-archive.js';
import { federationFromJson } from '../../src/model/federation.js';
import { stripBlock } from '../../src/model/stored.js';
import type { RawDoc } from '../../src/model/documents.js';

const l = buildLedger({ blocks: 4, seed: 'signed-form', txsPerBlock: [1, 2] });
const federation = federationFromJson(l.federation);
const W = { workers: 0 } as const;
const STORED = new Set(['id', 'block', 'signature', 'node_pubkey', 'vote', 'data', 'metadata']);

const extraFields = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !STORED.has(k) && k !== '__proto__'),
  fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 3 });

test('property: fields outside the signed bytes of any document never reach the archive', async () => {
  const docs = [...l.blocks, ...l.votes];
  const baseline = await memoryArchive(federation);
  await ingest({ archive: baseline, docs: raw(docs), ...W });
  const want = await dumpDb(baseline.db);
  await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.nat(docs.length - 1), extraFields), { minLength: 1, maxLength: 6 }), async (changes) => {
    const changed = raw(docs);
    for (const [i, extra] of changes) Object.assign(changed[i]!.doc as object, JSON.parse(JSON.stringify(extra)));
    const a = await memoryArchive(federation);
    const s = await ingest({ archive: a, docs: changed, ...W });
    assert.equal(s.quarantined, 0);
    assert.ok(s.findings.every((f) => f.code === 'DOC_UNSIGNED_FIELD'));
    assert.equal(s.findings.length, new Set(changes.map(([i]) => i)).size, 'one finding per changed document');
    assert.deepEqual(await dumpDb(a.db), want);
  }), { numRuns: 15 });
});

test('property: any arrival order of genuine votes and their variants gives the same elections', async () => {
  const block = l.blocks[1]!;
  const genuine = l.votes.filter((v) => v.vote.voting_for_block === block.id);
  assert.ok(genuine.length >= 3);
  // A second, correctly signed vote by one voter on the same block (evidence, counted as BigchainDB's election rule says).
  const node = l.nodes.find((n) => n.publicKey === genuine[0]!.node_pubkey)!;
  const second = makeVote(node, { votingFor: block.id, previous: genuine[0]!.vote.previous_block, valid: !genuine[0]!.vote.is_block_valid, timestamp: Number(genuine[0]!.vote.timestamp) + 1 });
  const variants: unknown[] = genuine.flatMap((v) => [
    { ...v, relayed_by: 'mirror' },
    { ...v, vote: { ...v.vote, is_block_valid: !v.vote.is_block_valid } },
    { ...v, id: '0f1e2d3c-4b5a-4697-8877-665544332211' },
    { ...v, signature: l.votes.find((o) => o.node_pubkey === v.node_pubkey && o !== v)!.signature },
  ]);
  const others = l.votes.filter((v) => v.vote.voting_for_block !== block.id);
  const elections = async (docs: unknown[]): Promise<{ es: Map<string, string>; signed: string[] }> => {
    const a = await memoryArchive(federation);
    await ingest({ archive: a, docs: raw(docs), ...W });
    const es = new Map<string, string>();
    for await (const [k, v] of a.db.iterator(range('es'))) es.set(k, v);
    const signed: string[] = [];
    for (const ns of ['v', 'vd'] as const) for await (const v of a.db.values(range(ns))) signed.push(voteSignedBytes(parseJson(v) as unknown as Vote));
    return { es, signed: signed.sort() };
  };
  const want = await elections([...l.blocks, ...others, ...genuine, second]);
  const all = [...l.blocks, ...others, ...genuine, second, ...variants];
  await fc.assert(fc.asyncProperty(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), async (order) => {
    assert.deepEqual(await elections(order), want);
  }), { numRuns: 20 });
});

test('stored layout (1.3): assets and metadata rows with unsigned fields are re-coupled as their signed form', async () => {
  const parts = l.blocks.map((b) => stripBlock(b, '1.3'));
  const rows = (extra: boolean): RawDoc[] => [
    ...raw(parts.map((p) => p.block), 'bigchain', 'b'),
    ...raw(parts.flatMap((p) => p.assets).map((r) => (extra ? { ...r, _rev: 7 } : r)), 'assets', 'a'),
    ...raw(parts.flatMap((p) => p.metadata).map((r) => (extra ? { note: 'x', ...r } : r)), 'metadata', 'm'),
  ];
  const a = await memoryArchive(federation);
  await ingest({ archive: a, docs: rows(false), layout: '1.3', ...W });
  const b = await memoryArchive(federation);
  const s = await ingest({ archive: b, docs: rows(true), layout: '1.3', ...W });
  const nRows = parts.reduce((n, p) => n + p.assets.length + p.metadata.length, 0);
  assert.equal(s.findings.filter((f) => f.code === 'DOC_UNSIGNED_FIELD').length, nRows);
  assert.equal(s.byKind.block.new, l.blocks.length, 'every block verifies with the rows');
  assert.deepEqual(await dumpDb(b.db), await dumpDb(a.db));
});
