/**
 * The hostile-input suite's tools: the CLI as a child process whose peak memory it
 * reports itself (process.resourceUsage().maxRSS at exit, threads included), files
 * generated as streams around the valid documents of the `good` fixture, and
 * assertions on what every case must show: exit code, finding, memory, time, and
 * the valid documents stored.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, fixture } from '../helpers/fixtures.js';

/** The peak memory every case must stay under (issue 10), in MB. */
export const MAX_RSS_MB = 512;

export const FEDERATION = fixture('damaged', 'federation.json');
/** The good ledger's lines: 13 blocks and 43 votes, all valid. */
export const GOOD_LINES = readFileSync(fixture('damaged', 'good', 'ledger.ndjson'), 'utf8').split('\n').filter((l) => l.trim() !== '');

/** A temp folder, removed by `cleanup`. */
export function workspace(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'la-hostile-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a child run showed. */
export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  /** Time from the kill signal to the end, when one was sent. */
  msAfterKill: number | null;
  /** Peak resident memory of the child, MB (from its own report; NaN when it did not report). */
  rssMb: number;
  stdout: string;
  stderr: string;
  events: Record<string, unknown>[];
  findings: Record<string, unknown>[];
  summary: Record<string, unknown> | undefined;
}

const REPORTER = join(mkdtempSync(join(tmpdir(), 'la-hostile-rss-')), 'rss.mjs');
writeFileSync(REPORTER, "process.on('exit', () => { process.stderr.write(`\\nLA_MAXRSS_KB=${process.resourceUsage().maxRSS}\\n`); });\n");

/**
 * Run `ledger-archive ...argv --json` in a child process.
 * @param opts.killWhen send `killSignal` (default SIGTERM) once this settles
 * @param opts.timeoutMs SIGKILL after this long (the test then fails on the time bound)
 */
export async function runChild(argv: string[], opts: { timeoutMs?: number; killWhen?: Promise<unknown>; killSignal?: NodeJS.Signals;
  env?: Record<string, string> } = {}): Promise<ChildRun> {
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', REPORTER, join(ROOT, 'bin', 'ledger-archive.js'), ...argv, '--json'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const hard = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
  let killedAt: number | null = null;
  void opts.killWhen?.then(() => { if (child.exitCode === null) { killedAt = Date.now(); child.kill(opts.killSignal ?? 'SIGTERM'); } });
  const [code, signal] = await once(child, 'close') as [number | null, NodeJS.Signals | null];
  clearTimeout(hard);
  const ms = Date.now() - t0;
  const msAfterKill = killedAt === null ? null : Date.now() - killedAt;
  const m = /LA_MAXRSS_KB=(\d+)/.exec(stderr);
  const events = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    code, signal, ms, msAfterKill, rssMb: m === null ? NaN : Number(m[1]) / 1024, stdout, stderr, events,
    findings: events.filter((e) => e.type === 'finding'), summary: events.filter((e) => e.type === 'summary').at(-1),
  };
}

/**
 * The time after which a child run, signalled, must have ended. The product's promise is 2 s
 * (issue 10, SPEC.md §16.6; the measured time is in the failure message); the test allows 5 s so
 * that a loaded CI machine cannot make it flaky — a pull that ignored the signal would hang for
 * the full query timeout (60 s) and still fail it.
 */
export const SIGNAL_BOUND_MS = 5_000;

/** Assert the common outcome: exit code, memory under the bound, within `maxMs`. */
export function assertBounded(r: ChildRun, code: number, maxMs: number, what: string): void {
  console.log(`hostile ${what}: exit ${r.code}, peak ${r.rssMb.toFixed(0)} MB, ${r.ms} ms`); // the figures, for SPEC.md §21
  assert.equal(r.code, code, `${what}: exit ${r.code} (signal ${r.signal}), stderr: ${r.stderr.slice(0, 600)}`);
  assert.ok(r.rssMb < MAX_RSS_MB, `${what}: peak memory ${r.rssMb.toFixed(0)} MB`);
  assert.ok(r.ms < maxMs, `${what}: took ${r.ms} ms`);
}

/** Assert a finding with `code` naming `doc` (and, when given, the limit) was reported. */
export function assertFinding(r: ChildRun, code: string, doc: string | RegExp, limit?: string): void {
  const hit = r.findings.find((f) => f.code === code && (typeof doc === 'string' ? f.doc === doc : doc.test(String(f.doc))));
  assert.ok(hit !== undefined, `no ${code} finding on ${String(doc)}; findings: ${JSON.stringify(r.findings.map((f) => [f.code, f.doc, f.message])).slice(0, 800)}`);
  if (limit !== undefined) assert.match(String(hit.message), new RegExp(`limit ${limit} = `), JSON.stringify(hit));
}

/** Assert every good document was stored as new (the ones around the bad one). */
export function assertGoodStored(r: ChildRun): void {
  assert.equal(r.summary?.new, GOOD_LINES.length, `stored: ${JSON.stringify(r.summary)}`);
}

/**
 * Write a file: the first half of the good lines, `bad` (chunks, streamed with
 * backpressure: nothing big is held), then the rest. Returns the bad line's number.
 */
export async function writeAround(path: string, bad: Iterable<string | Buffer>, opts: { before?: number } = {}): Promise<number> {
  const before = opts.before ?? Math.floor(GOOD_LINES.length / 2);
  const out = createWriteStream(path);
  const write = async (chunk: string | Buffer): Promise<void> => { if (!out.write(chunk)) await once(out, 'drain'); };
  for (const l of GOOD_LINES.slice(0, before)) await write(`${l}\n`);
  for (const c of bad) await write(c);
  await write('\n');
  for (const l of GOOD_LINES.slice(before)) await write(`${l}\n`);
  out.end();
  await once(out, 'close');
  return before + 1;
}

/** `n` repetitions of `unit`, in chunks of about 1 MB. */
export function* repeated(unit: string, n: number, sep = ''): Generator<string> {
  const per = Math.max(1, Math.floor((1 << 20) / (unit.length + sep.length)));
  for (let done = 0; done < n; done += per) {
    const k = Math.min(per, n - done);
    yield (done > 0 ? sep : '') + Array.from({ length: k }, () => unit).join(sep);
  }
}

/** A block document with `voters` voters and `txs` transactions (short strings, as in the issue: 4M voters = 44 MB), streamed. */
export function* blockWith(voters: number, txs: number): Generator<string> {
  yield `{"id":"${'ab'.repeat(32)}","signature":"x","block":{"timestamp":"1509955200","node_pubkey":"x","voters":[`;
  yield* repeated('"12345678"', voters, ',');
  yield '],"transactions":[';
  yield* repeated('{"id":"x"}', txs, ',');
  yield ']}}';
}

/** A fresh archive pinned to the fixture federation. */
export async function initArchive(dir: string): Promise<void> {
  const r = await runChild(['init', '--archive', dir, '--federation', FEDERATION]);
  assert.equal(r.code, 0, r.stderr);
}
