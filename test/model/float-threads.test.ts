import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { parseJson } from '../../src/model/json.js';
import { canonicalize } from '../../src/model/canonical.js';
import { pythonJsonDumps } from '../../src/dump/python-json.js';

// Parsed floats cross to verification workers by structured clone, which keeps a boxed
// Number but not the JsonFloat prototype: every consumer must still see a float (SPEC §2.2).
test('floats survive structured cloning (same thread and a real worker)', async () => {
  const text = '{"a":100.0,"b":[1.5,2],"c":{"d":-0.0}}';
  const doc = parseJson(text);
  assert.equal(canonicalize(structuredClone(doc)), '{"a":100.0,"b":[1.5,2],"c":{"d":0}}'.replace('"d":0', '"d":-0.0'));
  assert.equal(pythonJsonDumps(structuredClone(doc)), '{"a": 100.0, "b": [1.5, 2], "c": {"d": -0.0}}');
  const echoed = await new Promise<unknown>((resolve, reject) => {
    const w = new Worker('require("worker_threads").parentPort.once("message", (m) => require("worker_threads").parentPort.postMessage(m))', { eval: true });
    w.once('message', (m) => { void w.terminate(); resolve(m); });
    w.once('error', reject);
    w.postMessage(doc);
  });
  assert.equal(canonicalize(echoed), canonicalize(doc));
});
