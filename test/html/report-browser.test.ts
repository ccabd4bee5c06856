/**
 * The HTML report in a real browser (docs/spec-report.md §4): Debian's chromium, headless, driven
 * by playwright-core, opens the report of the sample archive and of damaged ones, and the test
 * asserts through the DOM what a person sees — counts, a lane per voter, a gap named with who
 * names it, a finding listed — that nothing was fetched, that dark mode restyles it, and that the
 * page stays small (aggregated marks, not one per block). Screenshots go to the test's temp
 * output; their paths are printed. Without chromium the test is skipped with one line, unless
 * CI=true (then it fails: CI must install chromium).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { fixture } from '../helpers/fixtures.js';
import { cli, workspace, WORKERS } from '../e2e/helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const present = existsSync(CHROMIUM);
if (!present && process.env.CI === 'true') throw new Error(`chromium not found at ${CHROMIUM}: CI must install it (apt-get install chromium)`);
if (!present) console.log(`skip: report browser tests need chromium at ${CHROMIUM}`);

const ws = workspace('la-report-');
const shots = mkdtempSync(join(tmpdir(), 'la-report-shots-'));
let ctx: BrowserContext | undefined;
test.after(async () => { await ctx?.close(); ws.cleanup(); });

async function browser(): Promise<BrowserContext> {
  // A fresh profile each run (--user-data-dir via the persistent context's folder).
  ctx ??= await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'la-chromium-')), { executablePath: CHROMIUM, headless: true, args: ARGS });
  return ctx;
}

/** An archive of `input` under `fed`, and its report file; the report's exit code. */
async function reportOf(name: string, fed: string, input: string): Promise<{ html: string; code: number }> {
  const archive = join(ws.dir, name);
  assert.equal((await cli('init', '--archive', archive, '--federation', fed)).code, 0);
  await cli('ingest', input, '--archive', archive, '--workers', WORKERS);
  const html = join(ws.dir, `${name}.html`);
  const r = await cli('report', '--out', html, '--archive', archive);
  return { html, code: r.code };
}

/** Open a report, counting every request that is not the file itself. */
async function open(html: string, scheme: 'light' | 'dark' = 'light'): Promise<{ page: Page; requests: string[] }> {
  const page = await (await browser()).newPage();
  const requests: string[] = [];
  page.on('request', (r) => { if (r.url() !== `file://${html}`) requests.push(r.url()); });
  await page.emulateMedia({ colorScheme: scheme });
  await page.goto(`file://${html}`);
  return { page, requests };
}

const count = (page: Page, name: string): Promise<string> => page.locator(`[data-count="${name}"] dd`).innerText();

async function shot(page: Page, name: string): Promise<void> {
  const path = join(shots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
}

test('sample archive: counts, a lane per voter, no gap, nothing fetched, small page', { skip: !present }, async () => {
  const fed = fixture('sample', 'federation.json');
  const { html, code } = await reportOf('sample', fed, fixture('sample', 'ledger.ndjson'));
  assert.equal(code, 0);
  const expected = JSON.parse(readFileSync(fixture('sample', 'expected.json'), 'utf8')) as { counts: Record<string, number> };
  const { page, requests } = await open(html);
  for (const k of ['blocks', 'votes', 'valid', 'invalid', 'undecided']) assert.equal(await count(page, k), String(expected.counts[k]), k);
  const names = (JSON.parse(readFileSync(fed, 'utf8')) as { keys: string[]; names: Record<string, string> });
  const lanes = page.locator('#lanes g.lane');
  assert.equal(await lanes.count(), names.keys.length);
  for (const [i, key] of names.keys.entries()) {
    assert.equal(await lanes.nth(i).getAttribute('data-voter'), key);
    assert.equal(await lanes.nth(i).locator('text.label').textContent(), names.names[key]);
  }
  assert.match(await page.locator('#gaps').innerText(), /No gaps/);
  assert.match(await page.locator('#drill-invalid summary').innerText(), new RegExp(`^${expected.counts.invalid} invalid`));
  assert.equal(await page.locator('#drill-invalid tbody tr').count(), expected.counts.invalid);
  assert.ok(await page.locator('#timeline rect').count() > 0);
  // Aggregated: the marks are bounded by buckets × (statuses + voters × 3), not by blocks.
  assert.ok(await page.locator('svg *').count() <= 60 * (4 + 1 + names.keys.length * 5) + 50);
  assert.deepEqual(requests, []);
  await shot(page, 'sample-light');
  const dark = await open(html, 'dark');
  const bg = await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(bg, 'rgb(255, 255, 255)', 'dark mode restyles the page');
  await shot(dark.page, 'sample-dark');
});

test('damaged archives: the missing block named with who names it, the finding listed, the fork marked', { skip: !present }, async () => {
  const fed = fixture('damaged', 'federation.json');
  const missing = await reportOf('missing-block', fed, fixture('damaged', 'missing-block', 'ledger.ndjson'));
  assert.equal(missing.code, 1);
  const exp = JSON.parse(readFileSync(fixture('damaged', 'missing-block', 'expected.json'), 'utf8')) as { doc: string };
  const { page } = await open(missing.html);
  const row = page.locator('#gaps tbody tr').filter({ has: page.locator(`[title="${exp.doc}"]`) });
  assert.equal(await row.count(), 1, 'the missing block is listed');
  assert.match(await row.innerText(), /node-\d/, 'with the voters that name it');
  assert.equal(await page.locator('#findings [data-code="GAP_MISSING_BLOCK"]').count(), 1);
  assert.equal(await count(page, 'gaps'), '1');
  assert.ok(await page.locator('#lanes rect.gap').count() >= 1, 'a gap is marked on a lane');
  assert.equal(await page.locator('[data-warning="GAPS_PRESENT"]').count(), 1);
  await shot(page, 'missing-block');

  const fork = await reportOf('forked', fed, fixture('damaged', 'forked-vote-chain', 'ledger.ndjson'));
  const f = await open(fork.html);
  assert.equal(await f.page.locator('#findings [data-code="GAP_FORK"]').count(), 1);
  assert.equal(await f.page.locator('#lanes path.fork').count(), 1);

  const q = await reportOf('bad-vote', fed, fixture('damaged', 'bad-vote-signature', 'ledger.ndjson'));
  const b = await open(q.html);
  assert.equal(await count(b.page, 'quarantined'), '1');
  assert.match(await b.page.locator('#quarantine').innerText(), /VOTE_BAD_SIGNATURE/);
  await shot(b.page, 'bad-vote-signature');
});
