/**
 * Chains of incremental exports (docs/spec-export.md §4): a full export has sequence 0
 * and no `previous`; each incremental has its predecessor's sequence + 1, names the
 * predecessor's digest in `previous` and starts at its `until` cursor.
 */
import { LedgerError } from '../errors.js';
import { canonicalize } from '../model/canonical.js';
import type { ExportHeader } from './format.js';

/** One export file in a chain: its header and its (verified) digest. */
export interface ChainLink { path: string; header: ExportHeader; digest: string }

function broken(why: string, data: Record<string, unknown>): LedgerError {
  return new LedgerError('LEDGER_EXPORT_CORRUPT', `export chain broken: ${why}`, data);
}

/**
 * Order export files by sequence and check that each links to the one before.
 * @param links the files, in any order
 * @param opts.after where the chain must start: null = with a full export, a digest = right
 *   after the export with that digest (for example the last one this archive imported);
 *   absent = anywhere
 * @returns the links in chain order
 * @throws LedgerError LEDGER_EXPORT_CORRUPT naming the missing, duplicated, reordered or foreign link
 */
export function checkChain(links: readonly ChainLink[], opts: { after?: string | null } = {}): ChainLink[] {
  const ordered = [...links].sort((a, b) => a.header.sequence - b.header.sequence);
  const first = ordered[0];
  if (first === undefined) return ordered;
  const fed = canonicalize(first.header.federation);
  if (opts.after === null && first.header.previous !== null) {
    throw broken(`${first.path} (sequence ${first.header.sequence}) is an incremental, but no full export (sequence 0) is among the files`,
      { path: first.path, sequence: first.header.sequence, missing: first.header.previous });
  }
  if (typeof opts.after === 'string' && first.header.previous !== opts.after) {
    throw broken(`${first.path} (sequence ${first.header.sequence}) follows export ${first.header.previous ?? '(none: a full export)'}, not ${opts.after}`,
      { path: first.path, sequence: first.header.sequence, expected: opts.after, found: first.header.previous });
  }
  for (let i = 1; i < ordered.length; i++) {
    const prev = ordered[i - 1]!;
    const cur = ordered[i]!;
    const data = { path: cur.path, sequence: cur.header.sequence, before: prev.path };
    if (canonicalize(cur.header.federation) !== fed) {
      throw broken(`${cur.path} belongs to another federation than ${first.path}`, data);
    }
    if (cur.header.sequence === prev.header.sequence) {
      throw broken(`${prev.path} and ${cur.path} both have sequence ${cur.header.sequence}`, data);
    }
    if (cur.header.sequence !== prev.header.sequence + 1) {
      throw broken(`missing link: no export with sequence ${prev.header.sequence + 1} between ${prev.path} and ${cur.path}`,
        { ...data, missing: prev.header.sequence + 1 });
    }
    if (cur.header.previous !== prev.digest) {
      throw broken(`${cur.path} (sequence ${cur.header.sequence}) follows export ${cur.header.previous}, but ${prev.path} `
        + `(sequence ${prev.header.sequence}) has digest ${prev.digest}: reordered, or from another chain`,
        { ...data, expected: prev.digest, found: cur.header.previous });
    }
    if (cur.header.since !== prev.header.until) {
      throw broken(`${cur.path} starts at cursor ${String(cur.header.since)}, but ${prev.path} ends at ${String(prev.header.until)}`, data);
    }
  }
  return ordered;
}
