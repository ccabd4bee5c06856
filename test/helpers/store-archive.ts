/**
 * Archives for tests: in memory (memory-level) or in a temp folder (classic-level),
 * and raw-document streams from built ledgers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLevel } from 'memory-level';
import type { Federation } from '../../src/model/federation.js';
import type { RawDoc, TableName } from '../../src/model/documents.js';
import { initArchive, openArchive, openMemoryArchive, type Archive, type LedgerDb } from '../../src/store/archive.js';

/** A fresh in-memory archive. */
export function memoryArchive(federation: Federation): Promise<Archive> {
  return openMemoryArchive(federation, new MemoryLevel<string, string>({ keyEncoding: 'utf8', valueEncoding: 'utf8' }) as unknown as LedgerDb);
}

/** A temp folder, removed by the returned cleanup. */
export function tempDir(prefix = 'la-store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Init and open an on-disk archive in a temp folder. */
export async function diskArchive(federation: Federation): Promise<{ archive: Archive; dir: string; cleanup: () => void }> {
  const t = tempDir();
  const dir = join(t.dir, 'archive');
  await initArchive({ dir, federation });
  return { archive: await openArchive({ dir }), dir, cleanup: t.cleanup };
}

/** Wrap documents as RawDocs (deep-copied through JSON so tests can mutate freely). */
export function raw(docs: unknown[], table: TableName | null = null, name = 'test'): RawDoc[] {
  return docs.map((d, i) => ({ table, doc: JSON.parse(JSON.stringify(d)) as unknown, origin: `${name}#${i}` }));
}

/**
 * All key/value pairs of a database (small test archives only), without the commit records
 * (`cm!`, SPEC.md §15.10): they say how batches were cut, which is no part of what is stored.
 */
export async function dumpDb(db: LedgerDb): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const [k, v] of db.iterator()) if (!k.startsWith('cm!')) out.set(k, v);
  return out;
}
