/** Run the CLI in-process and capture its output (tests only). */
import { main } from '../../src/cli/main.js';

/** Captured result of one CLI run. */
export interface CliRun { code: number; stdout: string; stderr: string }

/** Run `ledger-archive ...argv` in this process. */
export async function runCli(argv: string[], signal: AbortSignal = new AbortController().signal): Promise<CliRun> {
  let stdout = '', stderr = '';
  const code = await main(argv, {
    out: { write: (s: string) => { stdout += s; return true; } },
    err: { write: (s: string) => { stderr += s; return true; }, isTTY: false },
    signal,
  });
  return { code, stdout, stderr };
}

/** Parse NDJSON output into events. */
export function events(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);
}
