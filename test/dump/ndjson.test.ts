import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ndjsonLines, type NdjsonLine } from '../../src/dump/ndjson.js';

async function lines(input: Buffer, cuts: number[], max: number): Promise<NdjsonLine[]> {
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of [...points, input.length]) { chunks.push(input.subarray(from, p)); from = p; }
  const out: NdjsonLine[] = [];
  for await (const l of ndjsonLines((async function* () { yield* chunks; })(), max)) out.push(l);
  return out;
}

test('property: lines are the same however the bytes are cut; over-long lines are reported at their number', async () => {
  const line = fc.oneof(fc.string({ maxLength: 30 }).map((s) => s.replace(/[\n\r]/g, '')), fc.constant(''), fc.constant('  '));
  await fc.assert(fc.asyncProperty(fc.array(line, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(),
    async (ls, cuts, crlf) => {
      const text = ls.join(crlf ? '\r\n' : '\n');
      const max = 20;
      const got = await lines(Buffer.from(text, 'utf8'), cuts, max);
      const want: NdjsonLine[] = [];
      ls.forEach((l, i) => {
        const size = Buffer.byteLength(l) + (crlf && i < ls.length - 1 ? 1 : 0); // the CR counts until it is cut
        if (size > max) want.push({ line: i + 1, error: `line longer than ${max} bytes (limit maxDocumentBytes = ${max})`, limit: 'maxDocumentBytes' });
        else if (l.trim() !== '') want.push({ line: i + 1, text: l });
      });
      assert.deepEqual(got, want);
    }), { numRuns: 200 });
});

test('invalid UTF-8 is an error on that line, never replaced; a BOM is skipped; the last line needs no newline', async () => {
  const input = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\n{"b":"'), Buffer.from([0xc3]), Buffer.from('"}\n{"c":3}')]);
  assert.deepEqual(await lines(input, [5, 17], 100), [
    { line: 1, text: '{"a":1}' }, { line: 2, error: 'line is not valid UTF-8' }, { line: 3, text: '{"c":3}' }]);
});
