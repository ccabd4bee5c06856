/**
 * The one catalogue of error codes (SPEC.md §9). Errors are for failures of the
 * tool or its environment (unreadable file, locked archive, unreachable source);
 * problems with ledger data are findings (src/findings.ts), never errors.
 * Branch on `err.code`, never on `instanceof` across module boundaries.
 */
export const ERROR_CODES = {
  LEDGER_USAGE: 'invalid arguments or options',
  LEDGER_INPUT: 'an input file is missing, unreadable or not in a known format',
  LEDGER_FEDERATION: 'the federation file is invalid',
  LEDGER_ARCHIVE_MISSING: 'no archive at the given path',
  LEDGER_ARCHIVE_FORMAT: 'the archive has another format version or is not an archive',
  LEDGER_ARCHIVE_FEDERATION: 'the archive is pinned to another federation',
  LEDGER_ARCHIVE_CORRUPT: 'the archive is damaged',
  LEDGER_STORE_LOCKED: 'the archive is locked by another process',
  LEDGER_SOURCE: 'the source failed (connection, protocol or HTTP error)',
  LEDGER_TARGET: 'the rebuild target failed or refused the operation',
  LEDGER_EXPORT_CORRUPT: 'an export file is truncated, changed or out of chain',
  LEDGER_EXPORT_KEY: 'an export could not be decrypted with the given key',
  LEDGER_ABORTED: 'the operation was interrupted',
} as const;

/** A stable error code from {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * An operational error with a stable code and optional structured data.
 * @example throw new LedgerError('LEDGER_INPUT', `cannot read ${path}`, { path }, err)
 */
export class LedgerError extends Error {
  readonly code: ErrorCode;
  readonly data: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, data: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'LedgerError';
    this.code = code;
    this.data = data;
  }
  /** Plain form for `--json` output. */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, data: this.data };
  }
}

/** True when `err` carries a code from the catalogue (works across realms). */
export function isLedgerError(err: unknown): err is LedgerError {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string'
    && (err as { code: string }).code in ERROR_CODES;
}
