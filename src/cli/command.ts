/**
 * The shape of a command module (one per file in src/cli/commands/): yargs'
 * command/describe/builder, the examples and exit codes its --help shows, and `run`,
 * which calls one operation and renders it.
 */
import type { Argv } from 'yargs';
import type { CliIo, GlobalArgs } from './context.js';

/** A CLI command. `run` returns the exit code; it may throw LedgerError. */
export interface Command<A extends GlobalArgs = GlobalArgs & Record<string, unknown>> {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv;
  /** `[command line, what it does]` pairs for --help. */
  examples: readonly (readonly [string, string])[];
  /** What each exit code means for this command (the others: the common table, SPEC.md §14). */
  exits: Readonly<Record<number, string>>;
  run: (args: A, io: CliIo) => Promise<number>;
}

/** Define a command with typed arguments. */
export function defineCommand<A extends GlobalArgs>(c: Command<A>): Command {
  return c as unknown as Command;
}

/** The name a command is typed as (`show <kind> <id>` → `show`). */
export const commandName = (c: Command): string => c.command.split(' ')[0]!;
