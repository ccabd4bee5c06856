/**
 * The exit-code table (SPEC.md §14), mapped in this one place and quoted in
 * every command's --help epilogue.
 */
import type { ErrorCode } from '../errors.js';

/** Stable exit codes. */
export const EXIT = {
  OK: 0,
  FINDINGS: 1,
  USAGE: 2,
  INPUT: 3,
  ARCHIVE: 4,
  LOCKED: 5,
  SOURCE: 6,
  TARGET: 7,
  EXPORT: 8,
  INTERNAL: 70,
  INTERRUPTED: 130,
} as const;

/** Exit code for an error code from the catalogue. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'LEDGER_USAGE': return EXIT.USAGE;
    case 'LEDGER_INPUT':
    case 'LEDGER_FEDERATION': return EXIT.INPUT;
    case 'LEDGER_ARCHIVE_MISSING':
    case 'LEDGER_ARCHIVE_FORMAT':
    case 'LEDGER_ARCHIVE_FEDERATION':
    case 'LEDGER_ARCHIVE_CORRUPT': return EXIT.ARCHIVE;
    case 'LEDGER_STORE_LOCKED': return EXIT.LOCKED;
    case 'LEDGER_SOURCE': return EXIT.SOURCE;
    case 'LEDGER_TARGET': return EXIT.TARGET;
    case 'LEDGER_EXPORT_CORRUPT':
    case 'LEDGER_EXPORT_KEY': return EXIT.EXPORT;
    case 'LEDGER_ABORTED': return EXIT.INTERRUPTED;
    default: return EXIT.INTERNAL;
  }
}

/** The table as text, for --help. */
export const EXIT_CODES_HELP = `Exit codes:
  0   success, nothing to report
  1   findings: documents that do not verify, gaps, check problems, --strict warnings,
      stored documents left out of an export/rebuild/show because they no longer verify
  2   usage error (unknown command or option, bad argument)
  3   input error: a file is missing or unreadable, a federation file is invalid
  4   archive error: not an archive, other format version or federation, damaged or incomplete
  5   the archive is locked by another process
  6   source error: connection, protocol or HTTP failure
  7   target error: the rebuild target failed or refused
  8   export error: truncated, changed, out of chain, or wrong key
  70  internal error (a bug: please report it)
  130 interrupted (SIGINT/SIGTERM)`;

/**
 * A command's --help epilogue: what its own exit codes mean, then the common table.
 * @param exits code → meaning for this command
 */
export function commandExitHelp(name: string, exits: Readonly<Record<number, string>>): string {
  const own = Object.entries(exits).map(([c, what]) => `  ${c.padEnd(3)} ${what}`).join('\n');
  return `Exit codes of ${name}:\n${own}\n\n${EXIT_CODES_HELP.replace('Exit codes:', 'All exit codes:')}`;
}
