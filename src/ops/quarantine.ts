/**
 * The `quarantine` operations (issue 11 §10, docs/spec-store.md): list what is held in
 * quarantine (`q!<sha256 of the document text>`), retry entries through ingest — the one
 * verified door — and drop entries. A retried entry leaves quarantine only when ingest
 * stores it (new or already held); otherwise it stays as it was. Entries quarantined by
 * an older version for a defect since fixed (issue 8: escaped backslashes) are released.
 */
import { LedgerError } from '../errors.js';
import type { Finding } from '../findings.js';
import { noopReporter, type Reporter } from '../report/reporter.js';
import type { TableName } from '../model/documents.js';
import type { Archive } from '../store/archive.js';
import { key, keyParts, range } from '../store/schema.js';
import { ingest } from './ingest.js';

/** One quarantined document. */
export interface QuarantineEntry {
  /** sha256 (hex) of the document's text: what `retry` and `drop` name. */
  hash: string;
  origin: string;
  table: TableName | null;
  kind: string;
  at: string;
  codes: string[];
  bytes: number;
}

interface Stored { origin: string; table: TableName | null; kind: string; doc: string; findings: Finding[]; at: string }

const HASH = /^[0-9a-f]{64}$/;

/** Every quarantined document, in hash order. */
export async function listQuarantine(archive: Archive): Promise<QuarantineEntry[]> {
  const out: QuarantineEntry[] = [];
  for await (const [k, v] of archive.db.iterator(range('q'))) {
    const s = JSON.parse(v) as Stored;
    out.push({ hash: keyParts(k)[0]!, origin: s.origin, table: s.table, kind: s.kind, at: s.at,
      codes: [...new Set(s.findings.map((f) => f.code))], bytes: Buffer.byteLength(s.doc, 'utf8') });
  }
  return out;
}

/**
 * The entries named (full hashes, or unique prefixes of at least 8 digits), or all.
 * @throws LedgerError LEDGER_USAGE for a name that matches no entry or several
 */
async function select(archive: Archive, names: readonly string[] | 'all'): Promise<QuarantineEntry[]> {
  const all = await listQuarantine(archive);
  if (names === 'all') return all;
  return names.map((n) => {
    const p = n.toLowerCase();
    if (!/^[0-9a-f]{8,64}$/.test(p)) throw new LedgerError('LEDGER_USAGE', `"${n}" is not a quarantine hash (8 to 64 hex digits, from \`quarantine list\`)`, { hash: n });
    const hits = all.filter((e) => e.hash.startsWith(p));
    if (hits.length !== 1) throw new LedgerError('LEDGER_USAGE', `${n} matches ${hits.length} quarantined documents`, { hash: n, matches: hits.length });
    return hits[0]!;
  });
}

/** Outcome of a retry. */
export interface RetryResult { retried: number; released: string[]; kept: { hash: string; codes: string[] }[] }

/**
 * Retry entries: each goes through ingest again on its own (so its outcome is known) and
 * leaves quarantine when it is now stored or already held.
 */
export async function retryQuarantine(opts: { archive: Archive; hashes: readonly string[] | 'all'; reporter?: Reporter; workers?: number; signal?: AbortSignal }): Promise<RetryResult> {
  const reporter = opts.reporter ?? noopReporter;
  const entries = await select(opts.archive, opts.hashes);
  const result: RetryResult = { retried: 0, released: [], kept: [] };
  for (const e of entries) {
    const raw = await opts.archive.db.get(key('q', e.hash));
    if (raw === undefined) continue;
    const s = JSON.parse(raw) as Stored;
    const summary = await ingest({ archive: opts.archive, docs: [{ table: s.table, doc: undefined, text: s.doc, origin: s.origin }],
      reporter, workers: opts.workers ?? 0, signal: opts.signal });
    result.retried++;
    reporter.progress({ phase: 'retry', done: result.retried, total: entries.length, unit: 'documents' });
    if (summary.new + summary.duplicate > 0 && summary.quarantined + summary.conflicts === 0) {
      await opts.archive.db.del(key('q', e.hash));
      result.released.push(e.hash);
    } else {
      result.kept.push({ hash: e.hash, codes: [...new Set(summary.findings.map((f) => f.code))] });
    }
  }
  reporter.done();
  return result;
}

/** Delete entries from quarantine (the documents are gone from the archive for good). */
export async function dropQuarantine(opts: { archive: Archive; hashes: readonly string[] | 'all' }): Promise<{ dropped: string[] }> {
  const entries = await select(opts.archive, opts.hashes);
  const batch = opts.archive.db.batch();
  for (const e of entries) batch.del(key('q', e.hash));
  await batch.write();
  return { dropped: entries.map((e) => e.hash) };
}

/** Whether a text is a full quarantine hash. */
export const isQuarantineHash = (s: string): boolean => HASH.test(s);
