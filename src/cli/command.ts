/**
 * The shape of a command module (one per file in src/cli/commands/): yargs'
 * command/describe/builder, and `run`, which calls one operation and renders it.
 */
import type { Argv } from 'yargs';
import type { CliIo, GlobalArgs } from './context.js';

/** A CLI command. `run` returns the exit code; it may throw LedgerError. */
export interface Command<A extends GlobalArgs = GlobalArgs & Record<string, unknown>> {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv;
  run: (args: A, io: CliIo) => Promise<number>;
}

/** Define a command with typed arguments. */
export function defineCommand<A extends GlobalArgs>(c: Command<A>): Command {
  return c as unknown as Command;
}
