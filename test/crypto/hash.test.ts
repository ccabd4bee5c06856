/** SHA3-256 vs the original Keccak-256 (pysha3 0.3, BigchainDB <= 0.8.0). */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { hashHex, isHexId, sha256 } from '../../src/crypto/hash.js';
import { computeTxId } from '../../src/model/tx-id.js';
import { json } from '../helpers/fixtures.js';

test('SHA3-256 and Keccak-256 known answers', () => {
  assert.equal(hashHex('sha3-256', Buffer.from('hello world')), '644bcc7e564373040999aac89e7622f3ca71fba1d972fd94a31c3bfbf24e3938');
  assert.equal(hashHex('sha3-256', Buffer.alloc(0)), 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a');
  assert.equal(hashHex('keccak-256', Buffer.alloc(0)), 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
  assert.equal(sha256(Buffer.from('abc')).toString('hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.throws(() => hashHex('md5' as never, Buffer.alloc(0)), TypeError);
});

test('the v0.8 transaction id is Keccak-256, not SHA3-256', () => {
  const tx = json<Record<string, unknown> & { id: string }>('vectors', 'reference', 'real-create-tx-v0.8-keccak.json');
  assert.equal(computeTxId(tx, 'keccak-256'), tx.id);
  assert.notEqual(computeTxId(tx, 'sha3-256'), tx.id);
});

test('v1.0 transaction ids are SHA3-256', () => {
  for (const f of ['real-create-tx-v1.0.json', 'real-create-tx-v1.0-ipdb.json', 'real-create-tx-v0.9.json']) {
    const tx = json<Record<string, unknown> & { id: string }>('vectors', 'reference', f);
    assert.equal(computeTxId(tx, 'sha3-256'), tx.id, f);
  }
});

test('isHexId accepts only 64 lowercase hex characters', () => {
  assert.equal(isHexId('a'.repeat(64)), true);
  for (const bad of ['A'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), 'g'.repeat(64), 42, null]) assert.equal(isHexId(bad), false);
});
