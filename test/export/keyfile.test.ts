import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyFile, keyId, loadKeyFile } from '../../src/export/keyfile.js';
import { rejectsWith, tempDir } from './helpers.js';

const posix = process.platform !== 'win32';

test('keyfile: generate makes a 0600 file of 32 random bytes and never overwrites', async () => {
  const dir = tempDir('key');
  const path = join(dir, 'k.key');
  const made = generateKeyFile(path);
  if (posix) assert.equal(statSync(path).mode & 0o777, 0o600);
  const key = loadKeyFile(path);
  assert.equal(key.length, 32);
  assert.equal(made.keyId, keyId(key));
  assert.match(readFileSync(path, 'utf8'), /^#.*\n[0-9a-f]{64}\n$/);
  const before = readFileSync(path);
  await rejectsWith((async () => generateKeyFile(path))(), 'LEDGER_USAGE', 'overwrite');
  assert.deepEqual(readFileSync(path), before);
  const other = join(dir, 'k2.key');
  generateKeyFile(other);
  assert.notDeepEqual(loadKeyFile(other), key);
});

test('keyfile: base64 keys load; bad content, open permissions and missing files are clear errors', async () => {
  const dir = tempDir('key-bad');
  const key = Buffer.alloc(32, 7);
  const b64 = join(dir, 'b64.key');
  writeFileSync(b64, `\n# comment\n${key.toString('base64')}\n`, { mode: 0o600 });
  assert.deepEqual(Buffer.from(loadKeyFile(b64)), key);
  for (const [name, text] of [['short', 'abcd\n'], ['two', `${'a'.repeat(64)}\n${'b'.repeat(64)}\n`], ['empty', ''], ['b64-31', `${Buffer.alloc(31).toString('base64')}\n`]]) {
    const p = join(dir, `${name}.key`);
    writeFileSync(p, text!, { mode: 0o600 });
    const e = await rejectsWith((async () => loadKeyFile(p))(), 'LEDGER_EXPORT_KEY', name!);
    assert.match(e.message, /not a key file/);
  }
  await rejectsWith((async () => loadKeyFile(join(dir, 'none.key')))(), 'LEDGER_INPUT', 'missing');
  if (posix) {
    chmodSync(b64, 0o644);
    assert.match((await rejectsWith((async () => loadKeyFile(b64))(), 'LEDGER_EXPORT_KEY', 'mode')).message, /chmod 600/);
  }
});
