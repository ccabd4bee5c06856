/**
 * Turn command-line paths into one stream of raw documents: dump archives,
 * `rethinkdb export` folders and NDJSON/JSON files (see src/dump/documents.ts).
 * A path that holds no document at all is an input error (issue 11 §9): an empty
 * file must not pass for a good, empty ledger.
 */
import { LedgerError } from '../errors.js';
import type { RawDoc } from '../model/documents.js';
import { openAnySource } from '../dump/documents.js';
import type { ReadTablesOptions } from '../dump/tables.js';

/**
 * Documents of every path, in order.
 * @throws LedgerError LEDGER_INPUT "no documents in PATH" when a path yields none
 */
export async function* openDocuments(paths: readonly string[], opts: Pick<ReadTablesOptions, 'db'> = {}): AsyncGenerator<RawDoc> {
  for (const p of paths) {
    let n = 0;
    for await (const d of (await openAnySource(p, opts.db === undefined ? {} : { db: opts.db })).docs) { n++; yield d; }
    if (n === 0) throw noDocuments(p);
  }
}

/** The error for a path without documents (exit 3, SPEC.md §14). */
export const noDocuments = (path: string): LedgerError =>
  new LedgerError('LEDGER_INPUT', `no documents in ${path}`, { path });
