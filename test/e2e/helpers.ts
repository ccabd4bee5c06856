/** Shared steps of the end-to-end tests: the CLI in-process on temp archives, findings as data. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { events, runCli, type CliRun } from '../helpers/cli.js';

/** One CLI run with its NDJSON events split out. */
export interface E2eRun extends CliRun {
  events: Record<string, unknown>[];
  findings: Record<string, unknown>[];
  summary: Record<string, unknown> | undefined;
}

/** Run `ledger-archive ...argv --json` in-process; parse its events. */
export async function cli(...argv: string[]): Promise<E2eRun> {
  const r = await runCli([...argv, '--json']);
  const ev = events(r.stdout);
  return { ...r, events: ev, findings: ev.filter((e) => e.type === 'finding'), summary: ev.filter((e) => e.type === 'summary').at(-1) };
}

/** `code doc` of a finding (or of an expected.json), the identity the fixtures name. */
export const fid = (f: { code?: unknown; finding?: unknown; doc?: unknown }): string => `${String(f.code ?? f.finding)} ${String(f.doc)}`;

/** A temp folder for archives, removed by `cleanup`. */
export function workspace(prefix = 'la-e2e-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Each block's status from `block` records (verify --json). */
export function blockStatuses(ev: Record<string, unknown>[]): Record<string, string> {
  return Object.fromEntries(ev.filter((e) => e.type === 'block').map((e) => [String(e.id), String(e.status)]));
}

/** Counts of values. */
export function tally(values: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** Verification threads for the CLI runs (the machine may be shared: keep it small but real). */
export const WORKERS = process.env.E2E_WORKERS ?? '2';
