/**
 * CLI entry (SPEC.md §13): builds the yargs parser around the command modules,
 * runs one, and maps every outcome to an exit code (src/cli/exit-codes.ts).
 * `help CMD` is `CMD --help`; help text goes to the given stdout.
 */
import yargs from 'yargs';
import { LedgerError, isLedgerError } from '../errors.js';
import { commandName, type Command } from './command.js';
import { commands } from './commands/index.js';
import { EXIT, EXIT_CODES_HELP, commandExitHelp, exitCodeFor } from './exit-codes.js';
import type { CliIo } from './context.js';
import { closest, unknownOptions } from './suggest.js';
import { takeOptionError } from './options.js';
import { LIMIT_OPTIONS, applyLimitOptions } from './limit-options.js';
import { stopAllBars } from '../report/progress-bar.js';

const GLOBAL_OPTIONS = ['json', 'quiet', 'q', 'verbose', 'help', 'version', ...Object.keys(LIMIT_OPTIONS)];

/**
 * Run the CLI with `argv` (without node and script) and return the exit code.
 * @param io streams and abort signal; defaults to the process's
 */
export async function main(argv: string[], io?: CliIo): Promise<number> {
  const ownIo = io ?? processIo();
  argv = helpAlias(argv);
  let exitCode: number = EXIT.OK;
  let output = '';
  takeOptionError(); // nothing left over from an earlier in-process run
  const y = yargs(argv)
    .scriptName('ledger-archive')
    .usage('$0 <command> [options]\n\nKeep a verified copy of a BigchainDB ledger.\n'
      + '`ledger-archive help <command>` (or `<command> --help`) shows a command\'s options, examples and exit codes.')
    .option('json', { type: 'boolean', describe: 'machine output: NDJSON events on stdout' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'no progress or info on stderr' })
    .option('verbose', { type: 'boolean', describe: 'print the stack of an internal error (as LEDGER_ARCHIVE_DEBUG=1)' })
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
      throw takeOptionError() ?? err ?? usageError(msg, argv);
    });
  for (const c of commands) {
    y.command(c.command, c.describe, (b) => {
      c.builder(b);
      for (const [cmd, what] of c.examples) b.example(cmd, what);
      return b.epilogue(commandExitHelp(commandName(c), c.exits));
    }, async (args) => {
      exitCode = await c.run(args as never, ownIo);
    });
  }
  try {
    await y.parseAsync(argv, {}, (_err, _args, out) => { output = out; });
  } catch (err) {
    stopAllBars();
    return reportError(err, ownIo, argv.includes('--json'), argv.includes('--verbose'));
  }
  stopAllBars();
  if (output !== '') ownIo.out.write(output.endsWith('\n') ? output : `${output}\n`);
  return exitCode;
}

/** `help` → `--help`; `help CMD` → `CMD --help`. */
function helpAlias(argv: string[]): string[] {
  const i = argv.findIndex((a) => !a.startsWith('-'));
  if (i < 0 || argv[i] !== 'help') return argv;
  const rest = [...argv.slice(0, i), ...argv.slice(i + 1)];
  return [...rest, '--help'];
}

/** The command named in argv, if any. */
function commandIn(argv: readonly string[]): Command | undefined {
  const names = new Map(commands.map((c) => [commandName(c), c]));
  for (const a of argv) if (names.has(a)) return names.get(a);
  return undefined;
}

/** The options a command (or the top level) knows. */
function knownOptions(c: Command | undefined): Set<string> {
  const known = new Set(GLOBAL_OPTIONS);
  if (c !== undefined) {
    const o = (c.builder(yargs([])) as unknown as { getOptions(): unknown }).getOptions() as { key: Record<string, unknown>; alias: Record<string, string[]> };
    for (const k of Object.keys(o.key)) known.add(k);
    for (const a of Object.values(o.alias).flat()) known.add(a);
  }
  return known;
}

/** A usage error whose message names the real mistake: a misspelt option or command first. */
function usageError(msg: string, argv: readonly string[]): LedgerError {
  const c = commandIn(argv);
  const typos = unknownOptions(argv, knownOptions(c));
  const where = c === undefined ? 'ledger-archive --help' : `ledger-archive ${commandName(c)} --help`;
  if (typos.length > 0) {
    const t = typos.map((u) => `--${u.name}${u.suggestion !== undefined ? ` (did you mean --${u.suggestion}?)` : ''}`);
    return new LedgerError('LEDGER_USAGE', `unknown option ${t.join(', ')}\nRun '${where}' for usage.`,
      { options: typos.map((u) => u.name), suggestions: typos.map((u) => u.suggestion ?? null) });
  }
  if (c === undefined) {
    const word = argv.find((a) => !a.startsWith('-'));
    const s = word === undefined ? undefined : closest(word, commands.map(commandName));
    if (word !== undefined) {
      return new LedgerError('LEDGER_USAGE', `unknown command ${word}${s !== undefined ? ` (did you mean ${s}?)` : ''}\nRun '${where}' for usage.`, { command: word });
    }
  }
  return new LedgerError('LEDGER_USAGE', `${msg}\nRun '${where}' for usage.`);
}

function reportError(err: unknown, io: CliIo, json: boolean, verbose: boolean): number {
  const code = isLedgerError(err) ? exitCodeFor(err.code) : EXIT.INTERNAL;
  const message = err instanceof Error ? err.message : String(err);
  if (json) {
    const data = isLedgerError(err) ? err.toJSON() : { code: 'INTERNAL', message };
    io.out.write(`${JSON.stringify({ type: 'error', exit_code: code, ...data })}\n`);
  }
  io.err.write(`ledger-archive: ${isLedgerError(err) ? `${err.code}: ` : 'internal error: '}${message}\n`);
  if (!isLedgerError(err) && err instanceof Error && err.stack !== undefined && (verbose || process.env.LEDGER_ARCHIVE_DEBUG === '1')) {
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
