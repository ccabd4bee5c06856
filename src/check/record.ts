/**
 * check's look at the bookkeeping that proves completeness (SPEC.md §15.8, §15.10):
 * the commit records (`cm!`) against `commit.json`, and every sequence entry (`sq!`):
 * numbers rise, stay within the last commit, name a document kind that is sequenced
 * and a document that is there, and the entries of each commit hash to the digest it
 * recorded — so a lost batch, a lost or stray sequence entry is named with its range.
 * Streams: one commit's entries at a time.
 */
import { createHash } from 'node:crypto';
import { finding, type Finding } from '../findings.js';
import type { Archive } from '../store/archive.js';
import type { CommitRecord } from '../store/commit.js';
import { assessCompleteness, describeLost } from '../store/completeness.js';
import { entryBatches, keyBatches } from '../store/scan.js';
import { isSequencedKey, range, seqDocKey } from '../store/schema.js';

/** What the record check counted. */
export interface RecordCounts { commits: number; sequenceEntries: number }

const corrupt = (doc: string, message: string, data?: Record<string, unknown>): Finding => finding('STORE_CORRUPT', 'archive', doc, message, data);

/** Check commit records and sequence entries; findings go to `add`. */
export async function checkRecords(archive: Archive, add: (f: Finding) => void, signal?: AbortSignal): Promise<RecordCounts> {
  const { db } = archive;
  if (archive.dir !== null) {
    const c = archive.incomplete ?? await assessCompleteness(db, archive.dir, archive.provenAgainst);
    for (const l of c.lost) add(finding('STORE_INCOMPLETE', 'archive', `cm!${l.commits[0]}-${l.commits[1]}`, `batches lost from the database: ${describeLost(l)}`, { ...l }));
    for (const n of c.broken) add(corrupt(`cm!${n}`, `the commit record does not chain at commit ${n}`, { commit: n }));
    if (c.fileMissing && c.state.n > 0) add(corrupt('commit.json', 'commit.json is missing: the archive cannot prove it is complete'));
  }
  // Commit ranges in order, walked in step with the sequence entries.
  const commits: { n: number; rec: CommitRecord }[] = [];
  let nCommits = 0;
  for await (const batch of entryBatches(db, range('cm'))) {
    for (const [k, v] of batch) {
      nCommits++;
      try { commits.push({ n: Number(k.slice(3)), rec: JSON.parse(v) as CommitRecord }); } catch { /* named by the scan above */ }
    }
  }
  const last = commits.at(-1)?.rec.seq ?? null;
  let ci = 0;
  let hash = createHash('sha256');
  let inCommit = 0;
  const close = (upTo: number): void => {
    // Finish every commit whose range ends at or below `upTo`.
    while (ci < commits.length && commits[ci]!.rec.seq <= upTo) {
      const c = commits[ci]!;
      const got = inCommit === 0 ? createHash('sha256').update('').digest('hex') : hash.digest('hex');
      if (got !== c.rec.docs) add(finding('STORE_INCOMPLETE', 'archive', `cm!${c.n}`, `the sequence entries of commit ${c.n} (documents ${c.rec.from + 1}–${c.rec.seq}) differ from what it recorded: entries lost or added`, { commit: c.n, sequences: [c.rec.from + 1, c.rec.seq] }));
      hash = createHash('sha256');
      inCommit = 0;
      ci++;
    }
  };
  let prev = 0;
  let entries = 0;
  for await (const batch of keyBatches(db, range('sq'))) {
    const docKeys = batch.map(seqDocKey);
    const present = await db.getMany(docKeys);
    // A document `check --repair` moved to quarantine keeps its sequence entry (rq! says where it went).
    const absent = docKeys.filter((_k, i) => present[i] === undefined);
    const moved = new Set<string>();
    if (absent.length > 0) (await db.getMany(absent.map((d) => `rq!${d}`))).forEach((q, i) => { if (q !== undefined) moved.add(absent[i]!); });
    batch.forEach((k, i) => {
      entries++;
      const n = Number(k.slice(3, 19));
      if (!(n > prev)) add(corrupt(k, `sequence entry ${k} repeats or goes back (after ${prev})`));
      if (last !== null && n > last) add(corrupt(k, `sequence entry ${k} is beyond the last commit (document ${last})`));
      if (!isSequencedKey(docKeys[i]!)) add(corrupt(k, `sequence entry ${k} names no sequenced document kind`));
      else if (present[i] === undefined && !moved.has(docKeys[i]!)) add(corrupt(k, `sequence entry ${k} names ${docKeys[i]!}, which is not stored`));
      prev = Math.max(prev, n);
      if (ci < commits.length && n > commits[ci]!.rec.from) {
        close(n - 1);
        if (ci < commits.length && n > commits[ci]!.rec.from && n <= commits[ci]!.rec.seq) {
          hash.update(inCommit === 0 ? k : `\n${k}`);
          inCommit++;
        }
      }
    });
    signal?.throwIfAborted();
  }
  close(Number.MAX_SAFE_INTEGER);
  return { commits: nCommits, sequenceEntries: entries };
}
