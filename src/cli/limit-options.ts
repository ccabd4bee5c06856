/**
 * The document limits as global options (SPEC.md §21): every command that reads
 * untrusted documents applies them, before anything is read.
 */
import { LedgerError } from '../errors.js';
import { DEFAULT_LIMITS, MAX_DEPTH_CEILING, setLimits, type Limits } from '../model/limits.js';
import { integerOption } from './options.js';

const OPTION_OF: Record<keyof Limits, string> = {
  maxDocumentBytes: 'max-document-bytes',
  maxDepth: 'max-depth',
  maxElements: 'max-elements',
  maxStringLength: 'max-string-length',
  maxBlockTransactions: 'max-block-txs',
  maxTxInputsOutputs: 'max-tx-io',
};

const d = DEFAULT_LIMITS;

/** A positive integer limit (typed in options.ts like every number: `1e3`, `1.5`, `abc` are usage errors naming the value). */
const limit = (option: string, max: number, describe: string) => ({ ...integerOption(option, 1, max, describe), group: 'Limits:' }) as const;

/** yargs option definitions, grouped under "Limits" in --help. */
export const LIMIT_OPTIONS = {
  'max-document-bytes': limit('max-document-bytes', Number.MAX_SAFE_INTEGER, `largest document / NDJSON line / HTTP body, bytes (default ${d.maxDocumentBytes})`),
  'max-depth': limit('max-depth', MAX_DEPTH_CEILING, `deepest nesting of a document (default ${d.maxDepth}, at most ${MAX_DEPTH_CEILING})`),
  'max-elements': limit('max-elements', Number.MAX_SAFE_INTEGER, `most elements of one array or object (default ${d.maxElements})`),
  'max-string-length': limit('max-string-length', Number.MAX_SAFE_INTEGER, `longest string in a document, characters (default ${d.maxStringLength})`),
  'max-block-txs': limit('max-block-txs', Number.MAX_SAFE_INTEGER, `most transactions in a block (default ${d.maxBlockTransactions}, BigchainDB's block size)`),
  'max-tx-io': limit('max-tx-io', Number.MAX_SAFE_INTEGER, `most inputs, and most outputs, of a transaction (default ${d.maxTxInputsOutputs})`),
} as const;

/**
 * Set the limits from parsed arguments.
 * @throws LedgerError LEDGER_USAGE on a value that is not a positive integer (or too deep)
 */
export function applyLimitOptions(args: Record<string, unknown>): void {
  const patch: Partial<Limits> = {};
  for (const [key, option] of Object.entries(OPTION_OF) as [keyof Limits, string][]) {
    const v = args[option];
    if (v !== undefined) patch[key] = v as number;
  }
  try {
    setLimits(patch);
  } catch (err) {
    const msg = (err as Error).message;
    const key = (Object.keys(OPTION_OF) as (keyof Limits)[]).find((k) => msg.startsWith(k));
    throw new LedgerError('LEDGER_USAGE', `--${key === undefined ? 'max-*' : OPTION_OF[key]}: ${msg}`);
  }
}
