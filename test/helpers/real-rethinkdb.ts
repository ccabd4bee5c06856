/**
 * The real RethinkDB 2.4 server and the real Python `rethinkdb dump/restore/export`
 * in the tests (issue 8): found through `$RETHINKDB_BIN`, else
 * `../shared/rethinkdb/bin/rethinkdb` next to the repository, started on 127.0.0.1
 * with free ports and a fresh data directory, stopped with SIGTERM (SIGKILL after
 * a timeout) — also when the test process exits early, so no server outlives it.
 *
 * Without a binary the tests that need it skip with one line saying why; with
 * `CI=true` a missing server (or missing Python tools) is an error instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (dist/test/helpers → ../../..). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SHARED = resolve(ROOT, '..', 'shared', 'rethinkdb');

/** Where the server binary is, or why there is none. */
export function findRethinkdb(): { bin: string } | { skip: string } {
  if (process.env.LA_RETHINKDB === 'double') return { skip: 'real RethinkDB tests skipped: LA_RETHINKDB=double' };
  const fromEnv = process.env.RETHINKDB_BIN;
  const bin = fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(SHARED, 'bin', 'rethinkdb');
  if (!existsSync(bin)) return missing(`no RethinkDB server binary at ${bin} (set RETHINKDB_BIN)`);
  const v = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (v.status !== 0) return missing(`${bin} --version failed: ${(v.stderr || String(v.error ?? '')).split('\n')[0]} (missing libcurl4/libprotobuf32?)`);
  return { bin };
}

/** The Python tools (`python3 -m rethinkdb`): interpreter and PYTHONPATH, or why not. */
export function findRethinkdbTools(): { python: string; pythonPath: string } | { skip: string } {
  if (process.env.LA_RETHINKDB === 'double') return { skip: 'real rethinkdb tools tests skipped: LA_RETHINKDB=double' };
  const python = process.env.RETHINKDB_PYTHON ?? '/usr/bin/python3';
  const pythonPath = process.env.RETHINKDB_PYTHONPATH ?? join(SHARED, 'python');
  if (!existsSync(join(pythonPath, 'rethinkdb'))) return missing(`no Python rethinkdb package in ${pythonPath} (set RETHINKDB_PYTHONPATH)`);
  const v = spawnSync(python, ['-W', 'ignore', '-c', 'import rethinkdb, six'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, PYTHONPATH: pythonPath } });
  if (v.status !== 0) return missing(`${python} cannot import rethinkdb: ${(v.stderr || String(v.error ?? '')).trim().split('\n').at(-1)} (missing python3-six?)`);
  return { python, pythonPath };
}

function missing(why: string): { skip: string } {
  if (process.env.CI === 'true') throw new Error(`CI=true but the real RethinkDB is unavailable: ${why}`);
  return { skip: `real RethinkDB tests skipped: ${why}` };
}

/** Options of {@link startRealRethinkdb}. */
export interface RealOptions {
  /** `--initial-password` for `admin`. */
  password?: string;
  /** Serve the driver port over TLS with a self-signed certificate for IP 127.0.0.1. */
  tls?: boolean;
}

/** A running real server. */
export interface RealRethinkdb {
  host: string;
  port: number;
  /** The admin password ('' unless given). */
  password: string;
  /** The certificate to trust (the self-signed one) when TLS is on. */
  caFile: string | null;
  /** A scratch folder of this server's (for dumps, exports, password files); removed on close. */
  scratch: string;
  /** The server's process id. */
  pid: number;
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
const killAll = (): void => { for (const p of running) p.kill('SIGKILL'); };
process.once('exit', killAll);
// A test file stopped by a signal (runner timeout, Ctrl-C): kill the servers, then die of the same signal.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { killAll(); process.kill(process.pid, sig); });

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a !== null && typeof a === 'object' ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

const canConnect = (port: number): Promise<boolean> => new Promise((res) => {
  const s = connect(port, '127.0.0.1', () => { s.destroy(); res(true); });
  s.once('error', () => res(false));
});

/** Make a self-signed key and certificate for IP 127.0.0.1 with openssl. */
function selfSigned(dir: string): { key: string; cert: string } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return { key, cert };
}

/**
 * Start a real server and wait until its driver port accepts connections.
 * Retries with other ports when one was taken meanwhile.
 * @throws when no binary is found (callers skip before), or it does not come up
 */
export async function startRealRethinkdb(opts: RealOptions = {}): Promise<RealRethinkdb> {
  const found = findRethinkdb();
  if ('skip' in found) throw new Error(found.skip);
  // tmpfs when there is one: creating tables and indexes syncs to disk a lot (about 5× faster there).
  const base = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'la-real-rdb-'));
  const scratch = join(base, 'scratch');
  mkdirSync(scratch);
  const tls = opts.tls === true ? selfSigned(base) : null;
  for (let attempt = 1; ; attempt++) {
    const [driver, cluster, http] = [await freePort(), await freePort(), await freePort()];
    const data = join(base, `data-${attempt}`);
    const args = ['--directory', data, '--bind', '127.0.0.1', '--driver-port', String(driver), '--cluster-port', String(cluster),
      '--http-port', String(http), '--cache-size', '256', '--no-update-check', '--server-name', 'la_test'];
    if (opts.password !== undefined) args.push('--initial-password', opts.password);
    if (tls !== null) args.push('--driver-tls-key', tls.key, '--driver-tls-cert', tls.cert);
    const log = join(base, `log-${attempt}`);
    const fd = openSync(log, 'w');
    const child = spawn(found.bin, args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    running.add(child);
    let exited = false;
    child.once('exit', () => { exited = true; running.delete(child); });
    const end = Date.now() + 30_000;
    // Ready: this server says so (a port taken meanwhile by another process also accepts connections).
    const ready = async (): Promise<boolean> => readFileSync(log, 'utf8').includes('Server ready') && canConnect(driver);
    while (!exited && Date.now() < end && !(await ready())) await new Promise((r) => setTimeout(r, 50));
    if (!exited && Date.now() < end) {
      return {
        host: '127.0.0.1', port: driver, password: opts.password ?? '', caFile: tls?.cert ?? null, scratch, pid: child.pid ?? -1,
        close: () => stop(child, base),
      };
    }
    const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
    await stop(child, null);
    if (attempt >= 3 || !/in use|bind/i.test(text)) throw new Error(`real RethinkDB did not start:\n${text.slice(-2000)}`);
  }
}

async function stop(child: ChildProcess, dir: string | null): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
  running.delete(child);
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
}

/**
 * Run `python3 -m rethinkdb ARGS` in `cwd` (it writes temporary folders there).
 * Asynchronous: the server may sit behind a relay in this very process.
 */
export function rethinkdbTool(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return python(['-m', 'rethinkdb', ...args], cwd);
}

/** Run a Python program (source text) with the rethinkdb driver importable; `input` goes to its stdin. */
export function pythonScript(code: string, args: string[], cwd: string, input = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return python(['-c', code, ...args], cwd, input);
}

function python(args: string[], cwd: string, input = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const t = findRethinkdbTools();
  if ('skip' in t) throw new Error(t.skip);
  return new Promise((res, rej) => {
    const child = spawn(t.python, ['-W', 'ignore', ...args], { cwd, env: { ...process.env, PYTHONPATH: t.pythonPath }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(input);
    running.add(child);
    let stdout = '', stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', rej);
    child.once('close', (status) => { clearTimeout(timer); running.delete(child); res({ status, stdout, stderr }); });
  });
}
