import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { json } from '../helpers/fixtures.js';
import { JsonFloat } from '../../src/model/json.js';
import { canonicalBytes } from '../../src/model/canonical.js';
import { computeTxId } from '../../src/model/tx-id.js';
import { hasBackend } from '../../src/crypto/ed25519.js';
import { b64urlDecode, b64urlEncode } from '../../src/crypto/cc-common.js';
import { ed25519ConditionUri, parseFulfillment, serializeFulfillment02, type Fulfillment02 } from '../../src/crypto/conditions.js';
import { conditionUriForKey, transactionSigningMessage, verifyTransaction, type TxContext } from '../../src/verify/transaction.js';
import type { Finding } from '../../src/findings.js';
import { fulfillmentFor, output, rehash, signTx, signer, unsignedTx } from './tx-builders.js';

type Obj = Record<string, unknown>;
const SHA3: TxContext = { hash: 'sha3-256' };
const codes = (fs: Finding[]): string[] => fs.map((f) => f.code).sort();
const clone = <T>(x: T): T => structuredClone(x);
const ref = (name: string): Obj => json<Obj>('vectors', 'reference', name);

const chain = ref('derived-chain-v1.0.json') as Record<string, Obj>;
const blockTxs = (b: Obj): Obj[] => ((b.block as Obj).transactions as Obj[]);
const REAL_V10: [string, Obj][] = [
  ['real-create-tx-v1.0', ref('real-create-tx-v1.0.json')],
  ['real-create-tx-v1.0-ipdb', ref('real-create-tx-v1.0-ipdb.json')],
  ['derived create', chain.create_tx!],
  ['derived transfer', chain.transfer_tx!],
  ...[chain.genesis_block!, chain.block1!, chain.block2!].flatMap((b, i) => blockTxs(b).map((t): [string, Obj] => [`derived block ${i} tx`, t])),
];
const V09 = ref('real-create-tx-v0.9.json');
const V08 = ref('real-create-tx-v0.8-keccak.json');
const V07 = blockTxs(ref('negative-placeholder-block-v0.7.json'))[0]!;

test('every real and derived reference transaction verifies', () => {
  for (const [name, tx] of [...REAL_V10, ['real-create-tx-v0.9', V09] as [string, Obj]]) {
    assert.deepEqual(verifyTransaction(tx, SHA3), [], name);
  }
});

test('version-1 transactions (≤ 0.8) verify only under Keccak-256', () => {
  for (const tx of [V08, V07]) {
    assert.deepEqual(verifyTransaction(tx, { hash: 'keccak-256' }), []);
    // Under SHA3 the id differs, and so does the signed message (it holds the id).
    const f = verifyTransaction(tx, SHA3);
    assert.deepEqual(codes(f), ['TX_BAD_FULFILLMENT', 'TX_ID_MISMATCH']);
    assert.equal(f.find((x) => x.code === 'TX_BAD_FULFILLMENT')!.data!.input, 0);
  }
});

test('tweetnacl and the fast backend agree on every vector and on tampered signatures', () => {
  assert.ok(hasBackend('tweetnacl'));
  const all: [Obj, TxContext][] = [...REAL_V10.map(([, t]): [Obj, TxContext] => [t, SHA3]), [V09, SHA3], [V08, { hash: 'keccak-256' }]];
  for (const [tx, ctx] of all) {
    assert.deepEqual(verifyTransaction(tx, { ...ctx, backend: 'tweetnacl' }), verifyTransaction(tx, ctx));
  }
  fc.assert(fc.property(fc.nat(), fc.integer({ min: 0, max: 7 }), (pos, bit) => {
    const tx = flipFulfillmentBit(chain.create_tx!, 38 + (pos % 64), bit); // a signature bit
    const fast = verifyTransaction(tx, SHA3);
    assert.deepEqual(verifyTransaction(tx, { ...SHA3, backend: 'tweetnacl' }), fast);
    assert.deepEqual(codes(fast), ['TX_BAD_FULFILLMENT']);
  }), { numRuns: 60 });
});

/** Flip one bit of byte `at` of input 0's fulfillment (DER or the cf: payload). */
function flipFulfillmentBit(tx: Obj, at: number, bit: number): Obj {
  const t = clone(tx);
  const inp = (t.inputs as Obj[])[0]!;
  const s = inp.fulfillment as string;
  const [prefix, body] = s.startsWith('cf:') ? [s.slice(0, 5), s.slice(5)] : ['', s];
  const bytes = Buffer.from(b64urlDecode(body)!);
  bytes[at % bytes.length]! ^= 1 << bit;
  inp.fulfillment = prefix + b64urlEncode(bytes);
  return t;
}

function replaceChar(s: string, pos: number, alphabet: string, pick: number): string {
  const i = pos % s.length;
  const choices = alphabet.replace(s[i]!, '');
  return s.slice(0, i) + choices[pick % choices.length]! + s.slice(i + 1);
}
const HEX = '0123456789abcdef';
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

test('a changed character in the id is exactly TX_ID_MISMATCH', () => {
  fc.assert(fc.property(fc.constantFrom(...REAL_V10.map(([, t]) => t), V09), fc.nat(), fc.nat(), (tx, pos, pick) => {
    const t = { ...tx, id: replaceChar(tx.id as string, pos, HEX, pick) };
    const f = verifyTransaction(t, SHA3);
    assert.deepEqual(codes(f), ['TX_ID_MISMATCH']);
    assert.equal(f[0]!.doc, t.id);
    assert.equal(f[0]!.data!.computed, tx.id);
  }), { numRuns: 100 });
});

test('a flipped signature bit is exactly one TX_BAD_FULFILLMENT naming the input (1.0 DER and 0.9 cf:4)', () => {
  fc.assert(fc.property(fc.nat(), fc.integer({ min: 0, max: 7 }), (pos, bit) => {
    for (const [tx, sigStart, len] of [[chain.transfer_tx!, 38, 64], [V09, 32, 64]] as const) {
      const f = verifyTransaction(flipFulfillmentBit(tx, sigStart + (pos % len), bit), SHA3);
      assert.deepEqual(codes(f), ['TX_BAD_FULFILLMENT']);
      assert.deepEqual(f[0]!.data, { tx: tx.id, input: 0, reasons: ['signature does not verify'] });
    }
  }), { numRuns: 80 });
});

test('any changed character of a fulfillment is one input finding, never a pass or a throw', () => {
  fc.assert(fc.property(fc.constantFrom(chain.create_tx!, V09), fc.nat(), fc.nat(), (tx, pos, pick) => {
    const t = clone(tx);
    const inp = (t.inputs as Obj[])[0]!;
    const s = inp.fulfillment as string;
    const start = s.startsWith('cf:') ? 5 : 0;
    inp.fulfillment = s.slice(0, start) + replaceChar(s.slice(start), pos, B64, pick);
    const f = verifyTransaction(t, SHA3);
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.ok(['TX_BAD_FULFILLMENT', 'TX_UNSUPPORTED_CONDITION'].includes(f[0]!.code));
    assert.equal(f[0]!.data!.input, 0);
  }), { numRuns: 150 });
});

test('a changed owner key: the id no longer matches and the fulfillment is not by an owner', () => {
  fc.assert(fc.property(fc.constantFrom(chain.transfer_tx!, V09), fc.nat(), fc.nat(), (tx, pos, pick) => {
    const t = clone(tx);
    const owners = (t.inputs as Obj[])[0]!.owners_before as string[];
    owners[0] = replaceChar(owners[0]!, pos, B58, pick);
    const f = verifyTransaction(t, SHA3);
    assert.deepEqual(codes(f), ['TX_BAD_FULFILLMENT', 'TX_ID_MISMATCH']);
    const bad = f.find((x) => x.code === 'TX_BAD_FULFILLMENT')!;
    assert.equal(bad.data!.input, 0);
    assert.match(String((bad.data!.reasons as string[])[0]), /not in owners_before/);
  }), { numRuns: 60 });
});

test('a changed condition uri is TX_CONDITION_MISMATCH naming the output (plus the id it was hashed into)', () => {
  fc.assert(fc.property(fc.constantFrom(chain.create_tx!, V09), fc.nat(), fc.nat(), (tx, pos, pick) => {
    const t = clone(tx);
    const cond = (t.outputs as Obj[])[0]!.condition as Obj;
    const uri = cond.uri as string;
    const start = uri.indexOf(';') + 1 || uri.lastIndexOf(':', uri.length - 4) + 1; // ni: fingerprint, cc: hash field
    const fp = uri.startsWith('ni:') ? uri.slice(start, uri.indexOf('?')) : uri.slice(8, uri.lastIndexOf(':'));
    const at = uri.startsWith('ni:') ? start : 8;
    cond.uri = uri.slice(0, at) + replaceChar(fp, pos, B64, pick) + uri.slice(at + fp.length);
    const f = verifyTransaction(t, SHA3);
    // As in BigchainDB, signatures cover the uri rebuilt from the details: no TX_BAD_FULFILLMENT.
    assert.deepEqual(codes(f), ['TX_CONDITION_MISMATCH', 'TX_ID_MISMATCH']);
    const m = f.find((x) => x.code === 'TX_CONDITION_MISMATCH')!;
    assert.deepEqual([m.data!.output, m.data!.expected, m.data!.actual], [0, uri, cond.uri]);
  }), { numRuns: 60 });
});

test('a changed amount breaks the id and the signature; re-signed it verifies again', () => {
  const t = clone(chain.create_tx!);
  ((t.outputs as Obj[])[0]!).amount = '2';
  assert.deepEqual(codes(verifyTransaction(t, SHA3)), ['TX_BAD_FULFILLMENT', 'TX_ID_MISMATCH']);
  assert.deepEqual(codes(verifyTransaction(rehash(t), SHA3)), ['TX_BAD_FULFILLMENT']);
  const v9 = clone(V09);
  ((v9.outputs as Obj[])[0]!).amount = 2;
  assert.deepEqual(codes(verifyTransaction(v9, SHA3)), ['TX_BAD_FULFILLMENT', 'TX_ID_MISMATCH']);
  const alice = signer('alice');
  const good = signTx(unsignedTx({ version: '1.0', inputs: [{ owners: [alice] }], outputs: [{ keys: [alice], amount: 2 }] }), [[alice]]);
  assert.deepEqual(verifyTransaction(good, SHA3), []);
});

test('built 1.0 and 0.9 transactions verify; a multi-input 0.9 TRANSFER signs per-input partial transactions', () => {
  const [a, b, c] = [signer('a'), signer('b'), signer('c')];
  const link = (n: number): [string, number] => [String(n).repeat(64).slice(0, 64), n];
  for (const version of ['1.0', '0.9'] as const) {
    const spec = { version, operation: 'TRANSFER' as const,
      inputs: [{ owners: [a], fulfills: link(1) }, { owners: [b], fulfills: link(2) }, { owners: [a], fulfills: link(3) }],
      outputs: [{ keys: [c], amount: 5 }] };
    const tx = signTx(unsignedTx(spec), [[a], [b], [a]]);
    assert.deepEqual(verifyTransaction(tx, SHA3), [], version);
    // Swapping two fulfillments: in 0.9 each input has its own message, in 1.0 b's key is not input 0's owner.
    const swapped = clone(tx);
    const ins = swapped.inputs as Obj[];
    [ins[0]!.fulfillment, ins[1]!.fulfillment] = [ins[1]!.fulfillment, ins[0]!.fulfillment];
    const f = verifyTransaction(swapped, SHA3);
    assert.deepEqual(codes(f), ['TX_BAD_FULFILLMENT', 'TX_BAD_FULFILLMENT'], version);
    assert.deepEqual(f.map((x) => x.data!.input), [0, 1]);
  }
  // In 0.9, input 2's message differs from input 0's even with the same owner.
  const tx9 = signTx(unsignedTx({ version: '0.9', operation: 'TRANSFER', inputs: [{ owners: [a], fulfills: link(1) }, { owners: [a], fulfills: link(3) }], outputs: [{ keys: [c], amount: 5 }] }), [[a], [a]]);
  assert.notDeepEqual(transactionSigningMessage(tx9, 'sha3-256', 0), transactionSigningMessage(tx9, 'sha3-256', 1));
  const copied = clone(tx9);
  (copied.inputs as Obj[])[1]!.fulfillment = (copied.inputs as Obj[])[0]!.fulfillment;
  assert.deepEqual(verifyTransaction(copied, SHA3).map((x) => [x.code, x.data!.input]), [['TX_BAD_FULFILLMENT', 1]]);
});

test('a 2-of-2 threshold input verifies in both drafts; one bad or missing signature does not', () => {
  const [a, b, c] = [signer('ta'), signer('tb'), signer('tc')];
  for (const version of ['1.0', '0.9'] as const) {
    const unsigned = unsignedTx({ version, inputs: [{ owners: [a, b] }], outputs: [{ keys: [a, c], amount: 3 }] });
    const tx = signTx(unsigned, [[a, b]]);
    assert.deepEqual(verifyTransaction(tx, SHA3), [], version);
    // c signs instead of b: c is not an owner and (draft 02) the signature set differs.
    const byC = signTx(unsigned, [[a, c]]);
    const f = verifyTransaction(byC, SHA3);
    assert.deepEqual(codes(f), ['TX_BAD_FULFILLMENT'], version);
    assert.match(JSON.stringify(f[0]!.data!.reasons), /not in owners_before/);
    // A sub-signature over another message.
    const forged = clone(tx);
    const msg = Buffer.from('not the transaction');
    (forged.inputs as Obj[])[0]!.fulfillment = version === '1.0'
      ? serializeFulfillment02({ draft: 2, type: 'threshold-sha-256', subconditions: [], subfulfillments: [
        (parseFulfillment(fulfillmentFor([a], transactionSigningMessage(tx), 2)) as Fulfillment02),
        (parseFulfillment(fulfillmentFor([b], msg, 2)) as Fulfillment02)] })
      : fulfillmentFor([a, b], msg, 1);
    assert.deepEqual(verifyTransaction(forged, SHA3).map((x) => [x.code, x.data!.reasons]), [['TX_BAD_FULFILLMENT', ['signature does not verify']]], version);
  }
});

test('a threshold fulfillment must fulfill the spent output when the caller knows it', () => {
  const [a, b, c] = [signer('sa'), signer('sb'), signer('sc')];
  const spentUri = output([a, b], 1, '1.0').condition as Obj;
  const unsigned = unsignedTx({ version: '1.0', operation: 'TRANSFER', inputs: [{ owners: [a, b], fulfills: ['e'.repeat(64), 0] }], outputs: [{ keys: [c], amount: 1 }] });
  const full = signTx(unsigned, [[a, b]]);
  const ctx: TxContext = { ...SHA3, spentConditionUri: (txid, i) => (txid === 'e'.repeat(64) && i === 0 ? spentUri.uri as string : undefined) };
  assert.deepEqual(verifyTransaction(full, ctx), []);
  // Only a's signature: a valid 1-of-1 threshold by the library's rules, but not the 2-of-2 that was spent.
  const onlyA = signTx(unsigned, [[a, a]]);
  const half = clone(onlyA);
  const parsed = parseFulfillment((half.inputs as Obj[])[0]!.fulfillment) as Fulfillment02 & { type: 'threshold-sha-256' };
  (half.inputs as Obj[])[0]!.fulfillment = serializeFulfillment02({ ...parsed, subfulfillments: parsed.subfulfillments.slice(0, 1),
    subconditions: [{ typeId: 4, fingerprint: Buffer.alloc(32), cost: 131072, subtypes: 0 }] });
  assert.deepEqual(verifyTransaction(half, SHA3), []); // without the spent output there is nothing to compare
  const f = verifyTransaction(half, ctx);
  assert.deepEqual(codes(f), ['TX_BAD_FULFILLMENT']);
  assert.match(JSON.stringify(f[0]!.data!.reasons), /spent output/);
});

test('malformed shapes give TX_MALFORMED naming the field (ids recomputed, inputs re-signed)', () => {
  const a = signer('m');
  const base = (v: '1.0' | '0.9'): Obj => unsignedTx({ version: v, inputs: [{ owners: [a] }], outputs: [{ keys: [a], amount: 1 }] });
  const cases: [string, '1.0' | '0.9', (t: Obj) => void, string][] = [
    ['amount "0"', '1.0', (t) => { out0(t).amount = '0'; }, 'outputs[0].amount'],
    ['amount with letters', '1.0', (t) => { out0(t).amount = '1a'; }, 'outputs[0].amount'],
    ['amount over 9e18', '1.0', (t) => { out0(t).amount = '9000000000000000001'; }, 'outputs[0].amount'],
    ['amount of 21 digits', '1.0', (t) => { out0(t).amount = '100000000000000000000'; }, 'outputs[0].amount'],
    ['amount as a number in 1.0', '1.0', (t) => { out0(t).amount = 1; }, 'outputs[0].amount'],
    ['amount as a float in 0.9', '0.9', (t) => { out0(t).amount = new JsonFloat(1); }, 'outputs[0].amount'],
    ['amount as a string in 0.9', '0.9', (t) => { out0(t).amount = '1'; }, 'outputs[0].amount'],
    ['unknown operation', '1.0', (t) => { t.operation = 'BURN'; }, 'operation'],
    ['no inputs', '1.0', (t) => { t.inputs = []; }, 'inputs'],
    ['extra field', '1.0', (t) => { t.extra = 1; }, 'extra'],
    ['0.9 link names in 1.0', '1.0', (t) => { t.operation = 'TRANSFER'; t.asset = { id: 'a'.repeat(64) }; in0(t).fulfills = { output: 0, txid: 'a'.repeat(64) }; }, 'inputs[0].fulfills.output'],
    ['1.0 link names in 0.9', '0.9', (t) => { t.operation = 'TRANSFER'; t.asset = { id: 'a'.repeat(64) }; in0(t).fulfills = { output_index: 0, transaction_id: 'a'.repeat(64) }; }, 'inputs[0].fulfills.txid'],
    ['TRANSFER without link', '1.0', (t) => { t.operation = 'TRANSFER'; t.asset = { id: 'a'.repeat(64) }; }, 'inputs[0].fulfills'],
    ['empty metadata', '1.0', (t) => { t.metadata = {}; }, 'metadata'],
    ['owners not a list', '0.9', (t) => { in0(t).owners_before = a.publicKey; }, 'inputs[0].owners_before'],
    ['condition without uri', '1.0', (t) => { delete (out0(t).condition as Obj).uri; }, 'outputs[0].condition.uri'],
  ];
  for (const [name, v, mutate, field] of cases) {
    const t = base(v);
    mutate(t);
    const tx = signTx(t, [[a]]);
    const f = verifyTransaction(tx, SHA3);
    assert.ok(f.length >= 1 && f.every((x) => x.code === 'TX_MALFORMED'), `${name}: ${JSON.stringify(f)}`);
    assert.ok(f.some((x) => x.data!.field === field), `${name}: ${JSON.stringify(f.map((x) => x.data!.field))}`);
  }
  // A bigint amount (beyond 2^53) is a valid 0.9 integer.
  const big = base('0.9');
  out0(big).amount = 12345678901234567890n;
  assert.deepEqual(verifyTransaction(signTx(big, [[a]]), SHA3), []);
});

function out0(t: Obj): Obj { return (t.outputs as Obj[])[0]!; }
function in0(t: Obj): Obj { return (t.inputs as Obj[])[0]!; }

test('garbage never throws: unknown versions, non-objects and unserializable values are TX_MALFORMED', () => {
  const weird: unknown[] = [null, 42, [], { id: 'x' }, { ...chain.create_tx!, version: '2.0' },
    { ...chain.create_tx!, metadata: { n: Number.NaN } }, { ...chain.create_tx!, metadata: { f: () => 1 } },
    { ...chain.create_tx!, inputs: [null] }, { ...V08, transaction: 'nope' }, { ...V08, transaction: { ...(V08.transaction as Obj), fulfillments: [{}] } }];
  for (const w of weird) {
    const f = verifyTransaction(w as Obj, SHA3);
    assert.ok(f.length > 0 && f.some((x) => x.code === 'TX_MALFORMED'), JSON.stringify(f));
  }
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
    const t = { ...clone(chain.create_tx!), inputs: [{ ...(chain.create_tx!.inputs as Obj[])[0]!, fulfillment: v }] };
    const f = verifyTransaction(t as Obj, SHA3);
    assert.ok(f.length > 0);
  }), { numRuns: 100 });
});

test('unsupported condition types are reported, never passed', () => {
  const a = signer('u');
  const t = signTx(unsignedTx({ version: '1.0', inputs: [{ owners: [a] }], outputs: [{ keys: [a], amount: 1 }] }), [[a]]);
  const pre = clone(t);
  in0(pre).fulfillment = 'oAKAAA'; // preimage-sha-256 with an empty preimage
  assert.deepEqual(verifyTransaction(pre, SHA3).map((x) => [x.code, x.data!.input]), [['TX_UNSUPPORTED_CONDITION', 0]]);
  const det = clone(t);
  (out0(det).condition as Obj).details = { type: 'preimage-sha-256' };
  const f = verifyTransaction(rehash(det), SHA3);
  assert.deepEqual(f.map((x) => [x.code, x.data!.output ?? x.data!.input]), [['TX_BAD_FULFILLMENT', 0], ['TX_UNSUPPORTED_CONDITION', 0]]);
  const v9 = clone(V09);
  in0(v9).fulfillment = 'cf:1:AAAA';
  assert.deepEqual(codes(verifyTransaction(v9, SHA3)), ['TX_UNSUPPORTED_CONDITION']);
});

test('conditionUriForKey and transactionSigningMessage reproduce the vectors', () => {
  const out = (chain.create_tx!.outputs as Obj[])[0]!;
  assert.equal(conditionUriForKey((out.public_keys as string[])[0]!, '1.0'), (out.condition as Obj).uri);
  const o9 = (V09.outputs as Obj[])[0]!;
  assert.equal(conditionUriForKey((o9.public_keys as string[])[0]!, '0.9'), (o9.condition as Obj).uri);
  assert.throws(() => conditionUriForKey('not-a-key', '1.0'), TypeError);
  const f = parseFulfillment(in0(chain.create_tx!).fulfillment) as Fulfillment02;
  assert.equal(ed25519ConditionUri((f as { publicKey: Uint8Array }).publicKey, 2), (out.condition as Obj).uri);
  const msg = transactionSigningMessage(chain.create_tx!).toString('utf8');
  assert.ok(msg.includes(`"id":"${chain.create_tx!.id as string}"`) && msg.includes('"fulfillment":null'));
});

test('signing messages equal canonical JSON built the slow, obvious way (any asset/metadata keys)', () => {
  const a = signer('msg');
  const key = fc.constantFrom('id', 'inputs', 'asset', 'zz', '', 'é', '𝄞', 'outputs', 'a"b');
  const data = fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
  fc.assert(fc.property(data, fc.option(data.filter((d) => Object.keys(d).length > 0), { nil: null }), fc.integer({ min: 1, max: 3 }),
    (assetData, metadata, n) => {
      for (const version of ['1.0', '0.9'] as const) {
        const t = unsignedTx({ version, inputs: Array.from({ length: n }, (_v, i) => ({ owners: [a], fulfills: [String(i).repeat(64), i] as [string, number] })),
          operation: 'TRANSFER', outputs: [{ keys: [a], amount: 1 }], metadata });
        (t as Obj).asset = { id: 'f'.repeat(64), data: assetData }; // shape aside: messages must still be exact
        const id = computeTxId(t, 'sha3-256');
        for (let i = 0; i < n; i++) {
          const partial = version === '1.0' ? t : { ...t, inputs: [(t.inputs as Obj[])[i]] };
          const expected = canonicalBytes({ ...partial, id: version === '1.0' ? id : computeTxId(partial, 'sha3-256') });
          assert.deepEqual(transactionSigningMessage({ ...t, id }, 'sha3-256', i), expected);
        }
      }
    }), { numRuns: 150 });
});
