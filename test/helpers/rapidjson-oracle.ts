/**
 * BigchainDB's serializer as an oracle: one long-lived `/usr/bin/python3` running
 * `rapidjson.dumps(data, skipkeys=False, ensure_ascii=False, sort_keys=True)` (Debian's
 * python3-rapidjson), the exact call of BigchainDB's `common/utils.py serialize()`.
 *
 * Protocol: in, the text's length in bytes on a line, then the value as ASCII-only JSON
 * text (which may hold newlines as whitespace; every character
 * outside printable ASCII as a `\uXXXX` UTF-16 escape, so non-BMP characters travel as
 * surrogate pairs that Python's json joins, lone surrogates stay lone, NUL is `\u0000`;
 * integers as plain digits, which Python reads as exact ints); out, one line: `O` + the
 * UTF-8 bytes of dumps' result, or `E` + the exception's type name. The result holds no
 * raw newline: RapidJSON escapes U+000A, and U+2028/U+2029 are not 0x0A bytes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isJsonFloat } from '../../src/model/json.js';

/** The system Python that has Debian's python3-rapidjson (the one on PATH may not). */
export const SYSTEM_PYTHON = process.env.RAPIDJSON_PYTHON ?? '/usr/bin/python3';

const SERVER = String.raw`
import sys, json
sys.setrecursionlimit(100000)
if hasattr(sys, 'set_int_max_str_digits'):
    sys.set_int_max_str_digits(0)
import rapidjson
out = sys.stdout.buffer
out.write(('V' + rapidjson.__version__ + '\n').encode())
out.flush()
inp = sys.stdin.buffer
for head in inp:
    text = inp.read(int(head)).decode('ascii')
    try:
        r = b'O' + rapidjson.dumps(json.loads(text), skipkeys=False, ensure_ascii=False, sort_keys=True).encode('utf-8')
    except Exception as e:
        r = b'E' + type(e).__name__.encode()
    out.write(r + b'\n')
    out.flush()
`;

/** What python-rapidjson made of one value: its bytes, or the exception it raised. */
export type OracleResult = { ok: true; bytes: Buffer } | { ok: false; error: string };

const hex4 = (c: number): string => `\\u${c.toString(16).padStart(4, '0')}`;

/** A string as ASCII-only JSON text: printable ASCII as is, everything else `\uXXXX`. */
export function wireString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += `\\${s[i]}`;
    else if (c < 0x20 || c > 0x7e) out += hex4(c);
    else out += s[i];
  }
  return `${out}"`;
}

/**
 * The value as the ASCII JSON text sent to Python: key order as `Object.keys` gives it
 * (Python's dict keeps it), `-0` as the integer lexeme `-0` (Python's int 0), integral
 * numbers beyond 2^53 and bigints as exact digits. Floats are refused: python-rapidjson
 * 1.x prints them differently from BigchainDB's 0.0.11 (SPEC.md §20).
 */
export function wireText(v: unknown): string {
  switch (typeof v) {
    case 'string': return wireString(v);
    case 'bigint': return v.toString();
    case 'boolean': return v ? 'true' : 'false';
    case 'number':
      if (!Number.isInteger(v)) throw new TypeError(`wireText: ${v} is not an integer`);
      return Object.is(v, -0) ? '-0' : BigInt(v).toString();
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) return `[${v.map(wireText).join(',')}]`;
      if (isJsonFloat(v)) throw new TypeError('wireText: floats are not compared live');
      const o = v as Record<string, unknown>;
      return `{${Object.keys(o).map((k) => `${wireString(k)}:${wireText(o[k])}`).join(',')}}`;
    }
    default: throw new TypeError(`wireText: cannot send a ${typeof v}`);
  }
}

/**
 * Another ASCII JSON text of the same value, as a client might send it: whitespace
 * between tokens, characters (printable ones too) as `\uXXXX` escapes in either hex
 * case, `/` as `\/`, and keys given twice (an earlier member with the same key and
 * a scalar value, so that nesting stays within MAX_NESTING: Python's json and JSON.parse
 * both keep the last value at the first key's place). `seed` picks the variations.
 */
export function variantWireText(v: unknown, seed: number): string {
  let x = seed | 0 || 1;
  const next = (n: number): number => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) % n; };
  const ws = (): string => [' ', '\t', '\n', '\r', '', '', '', ''][next(8)]!;
  const str = (s: string): string => {
    let out = '"';
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      const escape = next(4) === 0;
      if (c === 0x2f && escape) out += '\\/';
      else if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c || escape) out += next(2) ? hex4(c) : hex4(c).toUpperCase().replace('\\U', '\\u');
      else out += s[i];
    }
    return `${out}"`;
  };
  const walk = (y: unknown): string => {
    if (typeof y === 'string') return str(y);
    if (Array.isArray(y)) return `[${ws()}${y.map((e) => `${walk(e)}${ws()}`).join(`,${ws()}`)}]`;
    if (typeof y === 'object' && y !== null && !isJsonFloat(y)) {
      const o = y as Record<string, unknown>;
      const members = Object.keys(o).map((k) => {
        const dup = next(6) === 0 ? `${str(k)}${ws()}:${ws()}${next(2) ? 'null' : '"x"'},${ws()}` : '';
        return `${dup}${str(k)}${ws()}:${ws()}${walk(o[k])}`;
      });
      return `{${ws()}${members.join(`${ws()},${ws()}`)}${ws()}}`;
    }
    return wireText(y);
  };
  return `${ws()}${walk(v)}${ws()}`;
}

/** One python-rapidjson process; requests are answered in order. */
export class RapidjsonOracle {
  private readonly waiting: Array<(r: OracleResult) => void> = [];
  private pending: Buffer = Buffer.alloc(0);
  private failure: Error | null = null;

  private constructor(private readonly child: ChildProcessWithoutNullStreams, readonly version: string) {
    child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    child.on('exit', (code, signal) => this.fail(new Error(`python-rapidjson oracle exited (${code ?? signal})`)));
  }

  /** Start the oracle; null with the reason when Python or python3-rapidjson is missing. */
  static async start(python = SYSTEM_PYTHON): Promise<RapidjsonOracle | { missing: string }> {
    if (!existsSync(python)) return { missing: `${python} not found` };
    const child = spawn(python, ['-c', SERVER], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const version = await new Promise<string | null>((resolve) => {
      let head = '';
      const onData = (c: Buffer): void => {
        head += c.toString('latin1');
        const nl = head.indexOf('\n');
        if (nl < 0) return;
        child.stdout.off('data', onData);
        resolve(head.startsWith('V') ? head.slice(1, nl) : null);
      };
      child.stdout.on('data', onData);
      child.on('exit', () => resolve(null));
      child.on('error', () => resolve(null));
    });
    if (version === null) {
      child.kill();
      const why = /No module named '?rapidjson/.test(stderr) ? 'python3-rapidjson is not installed' : stderr.trim().split('\n').pop() ?? 'no answer';
      return { missing: `${python}: ${why}` };
    }
    return new RapidjsonOracle(child, version);
  }

  /** python-rapidjson's dumps of the value sent as `wire`, ASCII JSON text (see {@link wireText}). */
  dumps(wire: string): Promise<OracleResult> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.stdin.write(`${wire.length}\n${wire}`);
    });
  }

  /** Stop the process (it ends when its stdin closes). */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await exited;
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let nl: number;
    while ((nl = this.pending.indexOf(0x0a)) >= 0) {
      const line = this.pending.subarray(0, nl);
      this.pending = this.pending.subarray(nl + 1);
      const resolve = this.waiting.shift();
      if (resolve === undefined) continue;
      resolve(line[0] === 0x4f ? { ok: true, bytes: Buffer.from(line.subarray(1)) } : { ok: false, error: line.subarray(1).toString() });
    }
  }

  private fail(err: Error): void {
    if (this.failure !== null) return;
    this.failure = err;
    // Answers still owed can never come: resolve them as errors so no caller hangs.
    for (const resolve of this.waiting.splice(0)) resolve({ ok: false, error: err.message });
  }
}
