/**
 * Progress (issue 11, conventions): on a terminal a bar with percentage, rate and ETA when
 * the total is known (drawn by cli-progress), a redrawn count otherwise; plain lines when
 * stderr is not a terminal; nothing with --quiet; --json progress events unchanged. The
 * terminal is an injected isTTY stream; the CLI path runs `import` with such a stderr.
 */
import { after, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { ROOT } from '../helpers/fixtures.js';
import { HumanReporter, formatProgress } from '../../src/report/human.js';
import { JsonReporter } from '../../src/report/json.js';
import { stopAllBars, formatEta } from '../../src/report/progress-bar.js';
import { main } from '../../src/cli/main.js';
import { fixture } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';
import { workspace } from '../e2e/helpers.js';

/** A fake terminal (or pipe) that records what is written. */
function stream(isTTY: boolean): { write(s: string): boolean; isTTY: boolean; columns: number; text: string } {
  return { isTTY, columns: 120, text: '', write(s: string) { this.text += s; return true; } };
}
// eslint-disable-next-line no-control-regex
const visible = (s: string): string => s.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '').replace(/\r/g, '\n');

describe('progress', () => {
  const ws = workspace('la-progress-');
  after(() => { stopAllBars(); ws.cleanup(); });

  it('terminal, total known: a bar with percentage, rate and ETA; cleared at the end', () => {
    let t = 1_000_000;
    const err = stream(true);
    const r = new HumanReporter({ out: stream(false), err }, { now: () => t });
    r.progress({ phase: 'dump votes', done: 0, total: 4000, unit: 'rows' });
    t += 2000;
    r.progress({ phase: 'dump votes', done: 2000, total: 4000, unit: 'rows' });
    const shown = visible(err.text);
    assert.match(shown, /dump votes \[#{12}-{12}\] 50% 2000\/4000 rows 1000\/s ETA 2s/);
    assert.doesNotMatch(shown, / 0\/s/, 'no rate before there is time to measure one');
    r.done();
    // eslint-disable-next-line no-control-regex
    assert.match(err.text, /\x1b\[[0-2]?K$/, 'the bar line is cleared');
  });

  it('terminal, total unknown: a redrawn count; not a terminal: plain lines every 5 s; --quiet: nothing', () => {
    let t = 0;
    const tty = stream(true);
    const a = new HumanReporter({ out: stream(false), err: tty }, { now: () => t });
    t = 1000; a.progress({ phase: 'ingest', done: 1000, unit: 'documents' });
    t = 3000; a.progress({ phase: 'ingest', done: 3000, unit: 'documents' });
    assert.equal(tty.text, '\r\x1b[Kingest: 1000 documents\r\x1b[Kingest: 3000 documents (1500/s)');
    const pipe = stream(false);
    const b = new HumanReporter({ out: stream(false), err: pipe }, { now: () => t });
    t = 10_000; b.progress({ phase: 'ingest', done: 10, total: 20, unit: 'documents' });
    t = 11_000; b.progress({ phase: 'ingest', done: 11, total: 20, unit: 'documents' }); // within 5 s: not printed
    t = 16_000; b.progress({ phase: 'ingest', done: 20, total: 20, unit: 'documents' });
    assert.deepEqual(pipe.text.split('\n').filter((l) => l !== '').map((l) => l.replace(/ \d+\/s.*/, '')),
      ['ingest [############------------] 50% 10/20 documents', 'ingest [########################] 100% 20/20 documents']);
    const quiet = stream(true);
    new HumanReporter({ out: stream(false), err: quiet }, { quiet: true, now: () => t }).progress({ phase: 'x', done: 1, total: 2 });
    assert.equal(quiet.text, '');
  });

  it('--json progress events are unchanged: {type, phase, done, total?, unit?}, once a second per phase', () => {
    let t = 5000;
    const out = stream(false);
    const j = new JsonReporter(out, () => t);
    j.progress({ phase: 'ingest', done: 1000, unit: 'documents' });
    j.progress({ phase: 'ingest', done: 2000, unit: 'documents' });
    t += 1000;
    j.progress({ phase: 'ingest', done: 3000, total: 9000, unit: 'documents' });
    assert.deepEqual(out.text.trim().split('\n').map((l) => JSON.parse(l) as unknown), [
      { type: 'progress', phase: 'ingest', done: 1000, unit: 'documents' },
      { type: 'progress', phase: 'ingest', done: 3000, total: 9000, unit: 'documents' },
    ]);
  });

  it('a known total (dump tables, stored blocks) is added to its phase only, for the bar', async () => {
    const { withTotal, estimateDocuments } = await import('../../src/cli/estimate.js');
    const seen: unknown[] = [];
    const inner = { progress: (p: unknown) => seen.push(p), info() {}, warn() {}, finding() {}, record() {}, done() {} };
    const r = withTotal(inner, 'ingest', 6875);
    r.progress({ phase: 'ingest', done: 1000, unit: 'documents' });
    r.progress({ phase: 'other', done: 5 });
    r.progress({ phase: 'ingest', done: 7000 });
    assert.deepEqual(seen, [{ phase: 'ingest', done: 1000, unit: 'documents', total: 6875 }, { phase: 'other', done: 5 }, { phase: 'ingest', done: 7000, total: 7000 }]);
    assert.equal(await estimateDocuments([fixture('sample', 'rethinkdb_dump_2017-11-06T10-00-00.tar.gz')]), 6875);
    assert.equal(await estimateDocuments([fixture('sample', 'ledger.ndjson')]), undefined, 'NDJSON: no count');
  });

  it('formatting helpers', () => {
    assert.equal(formatProgress({ phase: 'p', done: 5 }, 0), 'p: 5 documents');
    assert.deepEqual([formatEta(42), formatEta(185), formatEta(4800)], ['42s', '3m05s', '1h20m']);
  });

  it('through the CLI: import on a terminal draws the bar; with --quiet nothing; the bar stops when the command ends', async () => {
    const dir = join(ws.dir, 'a');
    assert.equal((await runCli(['init', '--archive', dir, '--federation', fixture('damaged', 'federation.json')])).code, 0);
    assert.equal((await runCli(['ingest', fixture('damaged', 'good', 'ledger.ndjson'), '--archive', dir, '--workers', '0'])).code, 0);
    const lae = join(ws.dir, 'x.lae');
    assert.equal((await runCli(['export', '--out', lae, '--archive', dir])).code, 0);
    for (const quiet of [false, true]) {
      const err = stream(true);
      let stdout = '';
      const argv = ['import', lae, '--archive', join(ws.dir, `copy-${String(quiet)}`), '--workers', '0', ...(quiet ? ['--quiet'] : [])];
      const code = await main(argv, { out: { write: (s: string) => { stdout += s; return true; } }, err, signal: new AbortController().signal });
      assert.equal(code, 0, err.text);
      if (quiet) assert.equal(err.text, '');
      else assert.match(visible(err.text), /verify export \[-{24}\] 0% 0\/1 files/);
      assert.match(stdout, /imported:/);
    }
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  it('in a real pseudo-terminal (script -qc): ingest of a dump draws a bar whose total is the tables\' document count', { skip: !hasScript && 'no `script` (util-linux) here' }, async () => {
    const dir = join(ws.dir, 'pty');
    assert.equal((await runCli(['init', '--archive', dir, '--federation', fixture('sample', 'federation.json')])).code, 0);
    const cmd = [process.execPath, join(ROOT, 'bin', 'ledger-archive.js'), 'ingest', fixture('sample', 'rethinkdb_dump_2017-11-06T10-00-00.tar.gz'), '--archive', dir, '--workers', '0']
      .map((a) => `'${a}'`).join(' ');
    const typescript = join(ws.dir, 'typescript');
    execFileSync('script', ['-qc', `${cmd} >/dev/null`, typescript], { stdio: 'ignore', timeout: 120_000 });
    const { readFileSync } = await import('node:fs');
    const shown = visible(readFileSync(typescript, 'utf8'));
    assert.match(shown, /ingest \[#+-+\] \d+% \d+\/6875 documents/);
    assert.match(shown, /COMMAND_EXIT_CODE="0"/);
  });
});
