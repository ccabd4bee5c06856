import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  encodeBits, encodeLength, encodeTlv, encodeUnsigned, isDerError, readBits, readChildren, readOne, readTlv, readUnsigned,
} from '../../src/crypto/der.js';
import { b64urlDecode, b64urlEncode } from '../../src/crypto/cc-common.js';
import {
  conditionBinary, conditionUriFromDetails, ed25519Condition, fulfillmentConditionUri, isCcError, parseFulfillment,
  serializeFulfillment02, thresholdCondition, validateFulfillment, type Fulfillment02,
} from '../../src/crypto/conditions.js';
import { parseFulfillment01, serializeFulfillment01 } from '../../src/crypto/conditions-01.js';
import { decodePublicKey } from '../../src/crypto/base58.js';
import { signer, fulfillmentFor } from '../verify/tx-builders.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

test('DER lengths: short and minimal long forms round-trip; everything else is refused', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 70000 }), (n) => {
    const tlv = encodeTlv(0x80, new Uint8Array(n));
    const r = readOne(tlv);
    assert.ok(!isDerError(r));
    assert.equal(r.contents.length, n);
    assert.equal(tlv.length, 1 + encodeLength(n).length + n);
  }), { numRuns: 200 });
  const refused: [string, RegExp][] = [
    ['8080', /indefinite/], ['80 81 05 0102030405', /non-minimal/], ['80 82 0005 0102030405', /non-minimal/],
    ['80 84 00000001 00', /octets/], ['80 05 0102', /truncated/], ['80', /truncated/], ['', /truncated/],
    ['9f 01 00', /high tag/], ['80 01 00 00', /trailing/], ['80 82 01', /truncated length/],
  ];
  for (const [h, why] of refused) {
    const r = readOne(hex(h));
    assert.ok(isDerError(r), h);
    assert.match(r.error, why, h);
  }
  assert.ok(isDerError(readChildren(hex('80 01 00 81'))));
  const t = readTlv(hex('a4 03 80 01 07 ff'), 0);
  assert.ok(!isDerError(t) && t.next === 5 && t.node.constructed && t.node.number === 4);
});

test('DER INTEGER and BIT STRING helpers round-trip and reject non-minimal forms', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (v) => {
    assert.equal(readUnsigned(encodeUnsigned(v)), v);
  }));
  assert.deepEqual([...encodeUnsigned(131072)], [0x02, 0x00, 0x00]);
  assert.deepEqual([...encodeUnsigned(128)], [0x00, 0x80]);
  for (const h of ['', '0001', '80', 'ff80']) assert.ok(isDerError(readUnsigned(hex(h))), h);
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 20 - 1 }), (bits) => { assert.equal(readBits(encodeBits(bits)), bits); }));
  assert.deepEqual([...encodeBits(1 << 4)], [0x03, 0x08]); // {ed25519-sha-256}: '00001'
  assert.deepEqual([...encodeBits(1)], [0x07, 0x80]); // {preimage-sha-256}
  for (const h of ['', '08', '0301', '0181']) assert.ok(isDerError(readBits(hex(h))), h);
});

test('base64url is strict: no padding, no other alphabet, canonical trailing bits only', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
    assert.deepEqual(b64urlDecode(b64urlEncode(b)), b);
  }));
  for (const s of ['pGQ=', 'pG+/', 'A', 'AB', 'pGQ ']) assert.equal(b64urlDecode(s), null, s);
  assert.notEqual(b64urlDecode('AA'), null);
});

test('ed25519 fulfillments: exact DER structure only', () => {
  const a = signer('der');
  const good = fulfillmentFor([a], Buffer.from('m'), 2);
  assert.ok(good.startsWith('pGSAI'));
  const bytes = b64urlDecode(good)!;
  const bad: [string, Uint8Array][] = [
    ['short key', encodeTlv(0xa4, encodeTlv(0x80, new Uint8Array(31)), encodeTlv(0x81, new Uint8Array(64)))],
    ['short signature', encodeTlv(0xa4, encodeTlv(0x80, new Uint8Array(32)), encodeTlv(0x81, new Uint8Array(63)))],
    ['swapped fields', encodeTlv(0xa4, encodeTlv(0x81, new Uint8Array(64)), encodeTlv(0x80, new Uint8Array(32)))],
    ['extra field', encodeTlv(0xa4, bytes.subarray(2), encodeTlv(0x82, new Uint8Array(1)))],
    ['primitive tag', Uint8Array.from([0x84, ...bytes.subarray(1)])],
    ['trailing byte', Uint8Array.from([...bytes, 0])],
    ['truncated', bytes.subarray(0, 50)],
  ];
  for (const [name, b] of bad) {
    const r = parseFulfillment(b64urlEncode(b));
    assert.ok(isCcError(r) && r.unsupported !== true, name);
  }
  const pre = parseFulfillment('oAKAAA');
  assert.ok(isCcError(pre) && pre.unsupported === true);
  assert.ok(isCcError(parseFulfillment(42)));
});

test('threshold condition URIs match the libraries: docs 2-of-2 (draft 02) and a real cc:2 (draft 01)', () => {
  const k1 = '5ycPMinRx7D7e6wYXLNLa3TCtQrMQfjkap4ih7JVJy3h', k2 = '9RSas2uCxR5sx1rJoUgcd2PB3tBK7KXuCHbUMbnH3X1M';
  assert.equal(conditionUriFromDetails({ type: 'threshold-sha-256', threshold: 2, subconditions: [
    { public_key: k1, type: 'ed25519-sha-256' }, { public_key: k2, type: 'ed25519-sha-256' }] }, 2),
  'ni:///sha-256;zr5oThl2kk6613WKGFDg-JGu00Fv88nXcDcp6Cyr0Vw?fpt=threshold-sha-256&cost=264192&subtypes=ed25519-sha-256');
  const sub = (pk: string): Record<string, unknown> => ({ bitmask: 32, public_key: pk, signature: null, type: 'fulfillment', type_id: 4, weight: 1 });
  assert.equal(conditionUriFromDetails({ bitmask: 41, subfulfillments: [sub('BwuhqQX8FPsmqYiRV2CSZYWWsSWgSSQQFHjqxKEuqkPs'),
    sub('qv8DvdNG5nZHWCP5aPSqgqxAvaPJpQj19abRvFCntor')], threshold: 2, type: 'fulfillment', type_id: 2 }, 1),
  'cc:2:29:DpflJzUSlnTUBx8lD8QUolOA-M9nQnrGwvWSk7f3REc:206');
  // Order of subconditions does not matter (SET OF / sorted buffers); the threshold does.
  const two = (t: number, a: string, b: string): unknown => conditionUriFromDetails({ type: 'threshold-sha-256', threshold: t,
    subconditions: [{ public_key: a, type: 'ed25519-sha-256' }, { public_key: b, type: 'ed25519-sha-256' }] }, 2);
  assert.equal(two(2, k1, k2), two(2, k2, k1));
  assert.notEqual(two(1, k1, k2), two(2, k1, k2));
  assert.match(String(two(1, k1, k2)), /cost=133120&/);
  assert.ok(isCcError(conditionUriFromDetails({ type: 'threshold-sha-256', threshold: 3, subconditions: [] }, 2)));
  assert.ok(isCcError(conditionUriFromDetails({ type: 'ed25519-sha-256', public_key: 'short' }, 2)));
});

test('threshold fulfillments (nested too) serialize, parse and verify; their condition is the details condition', () => {
  const keys = ['n1', 'n2', 'n3'].map(signer);
  const msg = Buffer.from('threshold message');
  const ed = (i: number): Fulfillment02 => parseFulfillment(fulfillmentFor([keys[i]!], msg, 2)) as Fulfillment02;
  const inner: Fulfillment02 = { draft: 2, type: 'threshold-sha-256', subfulfillments: [ed(1), ed(2)], subconditions: [] };
  const outer: Fulfillment02 = { draft: 2, type: 'threshold-sha-256', subfulfillments: [ed(0), inner], subconditions: [] };
  const s = serializeFulfillment02(outer);
  const back = parseFulfillment(s);
  assert.ok(!isCcError(back));
  assert.equal(serializeFulfillment02(back as Fulfillment02), s);
  assert.ok(validateFulfillment(back as Fulfillment02, msg));
  assert.ok(!validateFulfillment(back as Fulfillment02, Buffer.from('other')));
  const d = (i: number): Record<string, unknown> => ({ type: 'ed25519-sha-256', public_key: keys[i]!.publicKey });
  assert.equal(fulfillmentConditionUri(back as Fulfillment02), conditionUriFromDetails({ type: 'threshold-sha-256', threshold: 2,
    subconditions: [d(0), { type: 'threshold-sha-256', threshold: 2, subconditions: [d(1), d(2)] }] }, 2));
  // The condition binary of the nested threshold carries its subtypes bit string.
  const c = thresholdCondition(2, [ed25519Condition(keys[1]!.pk), ed25519Condition(keys[2]!.pk)]);
  assert.ok(!isCcError(c));
  assert.equal(Buffer.from(conditionBinary(c)).subarray(-4).toString('hex'), '82020308');
  // An empty threshold never validates.
  assert.ok(!validateFulfillment({ draft: 2, type: 'threshold-sha-256', subfulfillments: [], subconditions: [] }, msg));
});

test('draft-01 fulfillments: cf:4 exact length, cf:2 weighted thresholds, refusals', () => {
  const [a, b] = [signer('d1a'), signer('d1b')];
  const msg = Buffer.from('draft one');
  const cf = fulfillmentFor([a, b], msg, 1);
  const f = parseFulfillment01(cf);
  assert.ok(!isCcError(f));
  assert.equal(serializeFulfillment01(f), cf);
  assert.ok(validateFulfillment(f, msg));
  const sub = (k: typeof a): Record<string, unknown> => ({ bitmask: 32, public_key: k.publicKey, signature: null, type: 'fulfillment', type_id: 4, weight: 1 });
  assert.equal(fulfillmentConditionUri(f), conditionUriFromDetails({ bitmask: 41, subfulfillments: [sub(a), sub(b)], threshold: 2, type: 'fulfillment', type_id: 2 }, 1));
  // Weighted 1-of-2 with only one fulfillment and a bare condition still verifies (0.5.0 semantics).
  const one = parseFulfillment01(fulfillmentFor([a], msg, 1));
  assert.ok(!isCcError(one) && one.type === 'ed25519-sha-256');
  const oneOfTwo = { draft: 1 as const, type: 'threshold-sha-256' as const, threshold: 1, subs: [
    { weight: 1, fulfillment: one }, { weight: 1, condition: { typeId: 4, bitmask: 0x20, hash: decodePublicKey(b.publicKey)!, maxLength: 96 } }] };
  const parsed = parseFulfillment01(serializeFulfillment01(oneOfTwo));
  assert.ok(!isCcError(parsed) && validateFulfillment(parsed, msg));
  for (const s of ['cf:4:AAAA', 'cf:04:AAAA', 'cc:4:AAAA', `${cf}=`, 'cf:2:AQIBAQ']) assert.ok(isCcError(parseFulfillment01(s)), s);
  const un = parseFulfillment01('cf:0:AAAA');
  assert.ok(isCcError(un) && un.unsupported === true);
});
