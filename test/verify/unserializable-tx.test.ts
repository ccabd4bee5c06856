/**
 * A transaction BigchainDB's serializer cannot write (a lone surrogate: python-rapidjson
 * raises or crashes; keys equal up to a U+0000: no order follows from the value, SPEC.md
 * §2.1) has no BigchainDB id or signature, even when someone computes both over the
 * tool's lenient stand-in text (which a user with their own key can do for a CREATE).
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { canonicalize } from '../../src/model/canonical.js';
import { hashHex } from '../../src/crypto/hash.js';
import { signEd25519 } from '../../src/crypto/ed25519.js';
import { verifyTransaction } from '../../src/verify/transaction.js';
import { fulfillmentOf, keyFromLabel, makeTransaction } from '../helpers/ledger-docs.js';
import type { JsonValue } from '../../src/model/json.js';

const owner = keyFromLabel('unserializable-tx');

/** A CREATE whose id and fulfillment are made over canonicalize (lenient), as a forger could. */
function selfSigned(data: JsonValue): Record<string, unknown> {
  const template = makeTransaction({ operation: 'CREATE', asset: { data: { x: 1 } }, metadata: null,
    inputs: [{ owner, fulfills: null }], outputs: [{ publicKey: owner.publicKey, amount: 1 }] }) as unknown as Record<string, unknown>;
  const inputs = (template.inputs as Record<string, unknown>[]).map((i) => ({ ...i, fulfillment: null }));
  const unsigned: Record<string, unknown> = { ...template, asset: { data }, inputs };
  delete unsigned.id;
  const id = hashHex('sha3-256', Buffer.from(canonicalize(unsigned), 'utf8'));
  const signature = signEd25519(owner.secretKey, Buffer.from(canonicalize({ ...unsigned, id }), 'utf8'));
  return { ...unsigned, id, inputs: inputs.map((i) => ({ ...i, fulfillment: fulfillmentOf(owner.publicKey, signature) })) };
}

test('a self-signed transaction over a value BigchainDB cannot serialize does not verify', () => {
  // Control: the same construction over a serializable value verifies.
  assert.deepEqual(verifyTransaction(selfSigned({ note: 'literal \\u001f text' }), { hash: 'sha3-256' }), []);
  for (const data of [{ note: 'lone \ud800 surrogate' }, { a: 1, 'a\u0000b': 2 }, { 'a\u0000c': 1, 'a\u0000b': 2 }] as JsonValue[]) {
    const codes = verifyTransaction(selfSigned(data), { hash: 'sha3-256' }).map((f) => f.code);
    assert.deepEqual(codes, ['TX_MALFORMED'], JSON.stringify(data));
  }
});
