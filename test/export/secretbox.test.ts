import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { SECRETBOX_BACKENDS } from '../../src/export/secretbox.js';

test('secretbox: every backend seals to tweetnacl\'s bytes and opens the others\' boxes; a changed byte fails', () => {
  const ref = SECRETBOX_BACKENDS.find((b) => b.name === 'tweetnacl')!;
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 24, maxLength: 24 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(),
    (m, n, k, at) => {
      const expected = Buffer.from(nacl.secretbox(m, n, k));
      for (const b of SECRETBOX_BACKENDS) {
        const box = b.seal(m, n, k);
        assert.deepEqual(box, expected, b.name);
        for (const o of SECRETBOX_BACKENDS) assert.deepEqual(o.open(box, n, k), Buffer.from(m), `${b.name} → ${o.name}`);
        const bad = Buffer.from(box);
        bad[at % bad.length] ^= 1;
        assert.equal(b.open(bad, n, k), null, `${b.name} rejects a changed byte`);
      }
      assert.equal(ref.open(Buffer.alloc(5), n, k), null);
    }), { numRuns: 200 });
});
