/**
 * CLI entry (SPEC.md §13): builds the yargs parser around the command modules,
 * runs one, and maps every outcome to an exit code (src/cli/exit-codes.ts).
 */
import yargs from 'yargs';
import { LedgerError, isLedgerError } from '../errors.js';
import { commands } from './commands/index.js';
import { EXIT, EXIT_CODES_HELP, exitCodeFor } from './exit-codes.js';
import type { CliIo } from './context.js';
import { LIMIT_OPTIONS, applyLimitOptions } from './limit-options.js';

/**
 * Run the CLI with `argv` (without node and script) and return the exit code.
 * @param io streams and abort signal; defaults to the process's
 */
export async function main(argv: string[], io?: CliIo): Promise<number> {
  const ownIo = io ?? processIo();
  let exitCode: number = EXIT.OK;
  const y = yargs(argv)
    .scriptName('ledger-archive')
    .usage('$0 <command> [options]\n\nKeep a verified copy of a BigchainDB ledger.')
    .option('json', { type: 'boolean', describe: 'machine output: NDJSON events on stdout' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'no progress or info on stderr' })
    .options(LIMIT_OPTIONS)
    .middleware(applyLimitOptions)
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .epilogue(EXIT_CODES_HELP)
    .exitProcess(false)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      // Throwing stops yargs from running the handler after a validation failure.
      throw err ?? new LedgerError('LEDGER_USAGE', `${msg}\nRun 'ledger-archive --help' for usage.`);
    });
  for (const c of commands) {
    y.command(c.command, c.describe, (b) => c.builder(b).epilogue(EXIT_CODES_HELP), async (args) => {
      exitCode = await c.run(args as never, ownIo);
    });
  }
  try {
    await y.parseAsync();
  } catch (err) {
    return reportError(err, ownIo, argv.includes('--json'));
  }
  return exitCode;
}

function reportError(err: unknown, io: CliIo, json: boolean): number {
  const code = isLedgerError(err) ? exitCodeFor(err.code) : EXIT.INTERNAL;
  const message = err instanceof Error ? err.message : String(err);
  if (json) {
    const data = isLedgerError(err) ? err.toJSON() : { code: 'INTERNAL', message };
    io.out.write(`${JSON.stringify({ type: 'error', exit_code: code, ...data })}\n`);
  }
  io.err.write(`ledger-archive: ${isLedgerError(err) ? `${err.code}: ` : 'internal error: '}${message}\n`);
  if (!isLedgerError(err) && err instanceof Error && err.stack !== undefined && process.env.LEDGER_ARCHIVE_DEBUG === '1') {
    io.err.write(`${err.stack}\n`);
  }
  return code;
}

function processIo(): CliIo {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { out: process.stdout, err: process.stderr, signal: controller.signal };
}
