/** Federation files and BigchainDB node configs; the private key never leaks. */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { federationFromJson, federationToJson, loadFederation, voterName } from '../../src/model/federation.js';

const K1 = 'DngBurxfeNVKZWCEcDnLj1eMPAS7focUZTE5FndFGuHT';
const K2 = '4K9sWUMFwTgaDGPfdynrbxWqWS6sWmKbZoTjxLtVUibD';
const K3 = '3yfQPHeWAa1MxTX9Zf9176QqcpcnWcanVZZbaHb8B3h9';
const PRIVATE = '5G2kE1zJAgTajkVSbPAQWo4c2izvtwqaNHYsaNpbbvxX';

const code = (fn: () => unknown): { code: string; message: string } => {
  try { fn(); } catch (err) { return err as { code: string; message: string }; }
  return assert.fail('expected a LedgerError');
};

test('federation file: keys, names, hash; round trip', () => {
  const f = federationFromJson({ keys: [K1, K2], names: { [K1]: 'node-a' }, hash: 'keccak-256' });
  assert.deepEqual(f.keys, [K1, K2]);
  assert.ok(f.keySet.has(K2) && !f.keySet.has(K3));
  assert.equal(f.hash, 'keccak-256');
  assert.equal(voterName(f, K1), 'node-a');
  assert.equal(voterName(f, K2), '4K9sWUMF…');
  assert.deepEqual(federationFromJson(federationToJson(f)), f);
  assert.equal(federationFromJson({ keys: [K1] }).hash, 'sha3-256');
});

test('federation file errors are LEDGER_FEDERATION and say what is wrong', () => {
  const cases: [unknown, string][] = [
    [[K1], 'JSON object'],
    [{ keys: [] }, '"keys"'],
    [{ keys: [K1, 'not-a-key'] }, 'keys[1]'],
    [{ keys: [K1, K1] }, 'twice'],
    [{ keys: [K1], names: { [K2]: 'x' } }, 'not in "keys"'],
    [{ keys: [K1], names: { [K1]: 5 } }, '"names"'],
    [{ keys: [K1], hash: 'sha256' }, '"hash"'],
    [{ keys: [K1], extra: true }, 'unknown field "extra"'],
  ];
  for (const [json, needle] of cases) {
    const err = code(() => federationFromJson(json, 'fed.json'));
    assert.equal(err.code, 'LEDGER_FEDERATION');
    assert.ok(err.message.startsWith('fed.json: '), err.message);
    assert.ok(err.message.includes(needle), `${needle}: ${err.message}`);
  }
});

test('node config: keypair.public + keyring; the private key is not kept', () => {
  const cfg = { keypair: { public: K1, private: PRIVATE }, keyring: [K2, K3, K1], database: { host: 'localhost' } };
  const f = federationFromJson(cfg, 'bigchaindb.json');
  assert.deepEqual(f.keys, [K1, K2, K3]);
  assert.equal(f.hash, 'sha3-256');
  assert.ok(!JSON.stringify({ ...f, keySet: [...f.keySet] }).includes(PRIVATE));
  assert.ok(!JSON.stringify(federationToJson(f)).includes(PRIVATE));
});

test('node config errors never contain the private key', () => {
  const cases: unknown[] = [
    { keypair: { private: PRIVATE }, keyring: [K2] },
    { keypair: { public: K1, private: PRIVATE }, keyring: 'K2' },
    { keypair: { public: PRIVATE.slice(0, 10), private: PRIVATE }, keyring: [] },
    { keypair: { public: K1, private: PRIVATE }, keyring: [PRIVATE + 'x'] },
  ];
  for (const cfg of cases) {
    const err = code(() => federationFromJson(cfg, 'bigchaindb.json'));
    assert.equal(err.code, 'LEDGER_FEDERATION');
    assert.ok(!err.message.includes(PRIVATE), err.message);
    assert.ok(!JSON.stringify(err).includes(PRIVATE));
  }
});

test('loadFederation: files, hash override, unreadable file, invalid JSON without quoting the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fed-'));
  try {
    const p = join(dir, 'f.json');
    writeFileSync(p, JSON.stringify({ keys: [K1] }));
    assert.equal(loadFederation(p).keys[0], K1);
    assert.equal(loadFederation(p, { hash: 'keccak-256' }).hash, 'keccak-256');
    assert.equal(code(() => loadFederation(join(dir, 'missing.json'))).code, 'LEDGER_INPUT');
    // A broken node config: V8's own message would quote the whole text, private key included.
    writeFileSync(p, `{"keypair":{"public":"${K1}","private":${PRIVATE}},"keyring":[]}`);
    const err = code(() => loadFederation(p)) as Error & { code: string };
    assert.equal(err.code, 'LEDGER_FEDERATION');
    assert.ok(err.message.includes('not valid JSON'), err.message);
    assert.ok(!err.message.includes(PRIVATE) && !String(err.cause ?? '').includes(PRIVATE), err.message);
    writeFileSync(p, `{"keypair":{"public":"${K1}","private":"${PRIVATE}"},"keyring":[]}`);
    assert.deepEqual(loadFederation(p).keys, [K1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
