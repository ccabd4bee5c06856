/**
 * The report page without a browser (docs/spec-report.md): hostile names are escaped, nothing
 * points off the page, lists are capped with the rest counted, and the size is set by buckets and
 * caps, not by the number of blocks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../helpers/fixtures.js';
import { cli, workspace, WORKERS } from '../e2e/helpers.js';
import { openArchive, closeArchive } from '../../src/store/archive.js';
import { gatherReport } from '../../src/ops/report.js';
import { renderReport } from '../../src/html/page.js';

const ws = workspace('la-report-page-');
test.after(() => ws.cleanup());
const HOSTILE = '<img src=x onerror="fetch(\'https://evil.example/\')">&amp;';

async function hostileArchive(): Promise<string> {
  const fed = JSON.parse(readFileSync(fixture('sample', 'federation.json'), 'utf8')) as { keys: string[]; names: Record<string, string> };
  fed.names[fed.keys[0]!] = HOSTILE;
  const file = join(ws.dir, 'federation.json');
  writeFileSync(file, JSON.stringify(fed));
  const archive = join(ws.dir, 'a');
  assert.equal((await cli('init', '--archive', archive, '--federation', file)).code, 0);
  assert.equal((await cli('ingest', fixture('sample', 'ledger.ndjson'), '--archive', archive, '--workers', WORKERS)).code, 0);
  return archive;
}
const made = hostileArchive();

test('hostile names are escaped; the page fetches nothing and points nowhere', async () => {
  const archive = await openArchive({ dir: await made, readOnly: true });
  try {
    const html = renderReport(await gatherReport({ archive, now: new Date('2026-12-04T00:00:00Z') }));
    assert.ok(!html.includes(HOSTILE) && !/<img/i.test(html), 'the name is text, not markup');
    assert.ok(html.includes('&lt;img src=x onerror=&quot;fetch(&#39;https://evil.example/&#39;)&quot;&gt;&amp;amp;'));
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    assert.ok(!/<[^>]*\s(?:src|href)=/i.test(html), 'no src or href attribute anywhere');
  } finally { await closeArchive(archive); }
});

test('lists are capped and the rest is counted; buckets fix the number of marks', async () => {
  const archive = await openArchive({ dir: await made, readOnly: true });
  try {
    const small = await gatherReport({ archive, listLimit: 2, buckets: 10 });
    assert.equal(small.invalid.items.length, 2);
    assert.equal(small.invalid.total, 4);
    assert.equal(small.timeline.buckets.length, 10);
    assert.equal(small.timeline.buckets.reduce((n, b) => n + b.valid + b.invalid + b.undecided + b.unelected, 0), small.counts.blocks);
    for (const lane of small.lanes) assert.equal(lane.voted.reduce((a, b) => a + b, 0), lane.votes);
    const html = renderReport(small);
    assert.match(html, /… and 2 more \(first 2 shown\)/);
    assert.ok((html.match(/<rect /g) ?? []).length <= 10 * (4 + small.lanes.length * 2));
  } finally { await closeArchive(archive); }
});
