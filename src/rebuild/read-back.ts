/**
 * Read-back check of a rebuilt database (docs/spec-rebuild.md §4). While rows are
 * written, each table's rows are folded into a count and an order-independent digest
 * (the sum mod 2^128 of SHA-256 prefixes of each row's canonical JSON); reading the
 * table back folds what RethinkDB holds the same way. Equal counts and sums mean every
 * row is there, byte-equal in canonical form, in constant memory. When a table
 * differs, a second pass names the rows: missing, unexpected or different.
 *
 * Canonical form is taken of what RethinkDB can hold: numbers are doubles there, so both
 * sides are compared after the same conversion to plain JSON (rethinkdb-target.ts).
 */
import { sha256 } from '../crypto/hash.js';
import { canonicalize } from '../model/canonical.js';
import { toPlainJson } from '../sources/rethinkdb-target.js';
import type { RawDoc, TableName } from '../model/documents.js';

/** One named difference between what was written and what the target holds. */
export interface RowDifference { table: TableName; id: string; kind: 'missing' | 'unexpected' | 'different' }

/** Outcome of the check. */
export interface ReadBackCheck {
  equal: boolean;
  /** Rows per table: written and read back. */
  tables: Partial<Record<TableName, { written: number; read: number; equal: boolean }>>;
  /** The first differences (see `differencesTotal`). */
  differences: RowDifference[];
  differencesTotal: number;
}

const MOD = (1n << 128n) - 1n;

/** Count and order-independent digest of a multiset of rows. */
export class TableDigest {
  count = 0;
  sum = 0n;
  /** Fold one row; returns its canonical text. */
  add(row: unknown): string {
    const text = canonicalize(toPlainJson(row));
    this.count++;
    this.sum = (this.sum + BigInt(`0x${sha256(Buffer.from(text, 'utf8')).subarray(0, 16).toString('hex')}`)) & MOD;
    return text;
  }
  equals(o: TableDigest): boolean { return this.count === o.count && this.sum === o.sum; }
}

/** Tap an iterable of rows: each row is folded into `digest` as it passes. */
export async function* digesting<T>(rows: AsyncIterable<T>, digest: TableDigest): AsyncGenerator<T> {
  for await (const r of rows) { digest.add(r); yield r; }
}

/** What the detailed pass needs: the expected rows again, by id. */
export interface ExpectedRows { rows(table: TableName): AsyncIterable<Record<string, unknown>> }

/**
 * Compare each table read back with what was written.
 * @param written digests made while writing
 * @param readBack rows of a table as the target holds them
 * @param expected the written rows again, for naming differences
 */
export async function checkReadBack(tables: readonly TableName[], written: ReadonlyMap<TableName, TableDigest>,
  readBack: (t: TableName) => AsyncIterable<RawDoc>, expected: ExpectedRows, maxDifferences = 100): Promise<ReadBackCheck> {
  const out: ReadBackCheck = { equal: true, tables: {}, differences: [], differencesTotal: 0 };
  const note = (d: RowDifference): void => {
    out.differencesTotal++;
    if (out.differences.length < maxDifferences) out.differences.push(d);
  };
  for (const t of tables) {
    const w = written.get(t) ?? new TableDigest();
    const r = new TableDigest();
    for await (const d of readBack(t)) r.add(d.doc);
    const equal = w.equals(r);
    out.tables[t] = { written: w.count, read: r.count, equal };
    if (equal) continue;
    out.equal = false;
    await nameDifferences(t, readBack, expected, note);
  }
  return out;
}

/** Second pass over one table: index expected rows by id (hash of canonical text), then match the read-back rows. */
async function nameDifferences(t: TableName, readBack: (t: TableName) => AsyncIterable<RawDoc>, expected: ExpectedRows,
  note: (d: RowDifference) => void): Promise<void> {
  const want = new Map<string, string>();
  for await (const row of expected.rows(t)) want.set(String(row.id), digestOf(canonicalize(toPlainJson(row))));
  const seen = new Set<string>();
  for await (const d of readBack(t)) {
    const id = String((d.doc as { id?: unknown }).id);
    seen.add(id);
    const w = want.get(id);
    if (w === undefined) note({ table: t, id, kind: 'unexpected' });
    else if (w !== digestOf(canonicalize(d.doc))) note({ table: t, id, kind: 'different' });
  }
  for (const id of want.keys()) if (!seen.has(id)) note({ table: t, id, kind: 'missing' });
}

const digestOf = (text: string): string => sha256(Buffer.from(text, 'utf8')).subarray(0, 16).toString('base64');
