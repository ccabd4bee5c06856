/**
 * Render the finding and error code tables of SPEC.md §8/§9 from the catalogues,
 * so the spec cannot drift from the code (test/spec.test.ts checks it).
 */
import { FINDING_CODES } from '../src/findings.js';
import { ERROR_CODES } from '../src/errors.js';

/** Markdown table rows for a catalogue. */
export function table(catalogue: Record<string, string>): string {
  return ['| code | meaning |', '|---|---|', ...Object.entries(catalogue).map(([c, m]) => `| \`${c}\` | ${m} |`)].join('\n');
}

/** The finding-code table. */
export const findingsTable = (): string => table(FINDING_CODES);
/** The error-code table. */
export const errorsTable = (): string => table(ERROR_CODES);
