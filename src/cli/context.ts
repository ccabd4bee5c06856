/**
 * What every command handler gets (SPEC.md §12): the output streams, a reporter
 * chosen by --json/--quiet, and an AbortSignal fired by SIGINT/SIGTERM.
 */
import { HumanReporter, type HumanStreams } from '../report/human.js';
import { JsonReporter } from '../report/json.js';
import type { Reporter } from '../report/reporter.js';

/** Streams and signal a command runs with (injectable for in-process tests). */
export interface CliIo extends HumanStreams { signal: AbortSignal }

/** Options every command accepts. */
export interface GlobalArgs { json?: boolean; quiet?: boolean }

/** A command's outcome: its exit code (findings → 1, and so on). */
export interface CommandResult { exitCode: number }

/** Reporter for the given global flags. */
export function makeReporter(io: CliIo, args: GlobalArgs, opts: { records?: boolean } = {}): Reporter & { emit?: JsonReporter['emit'] } {
  if (args.json === true) return new JsonReporter(io.out);
  return new HumanReporter(io, { quiet: args.quiet, records: opts.records });
}

/** Write a summary: a `summary` event with --json, else the given human lines on stdout. */
export function writeSummary(io: CliIo, args: GlobalArgs, data: Record<string, unknown>, human: string[]): void {
  if (args.json === true) new JsonReporter(io.out).emit('summary', data);
  else io.out.write(human.map((l) => `${l}\n`).join(''));
}
