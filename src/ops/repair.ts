/**
 * `check --repair` (SPEC.md §15.8): the explicit repair. It checks first, then
 * - moves every stored document that no longer verifies (`b!`, `v!`, `vd!` named by
 *   STORE_CORRUPT) to quarantine (`q!`, with its exact stored text and the finding), so
 *   nothing is deleted — a later ingest of the genuine document stores it again; one that
 *   only holds unsigned fields (SPEC.md §15.3.1) keeps its signed form, its text goes to quarantine;
 * - rebuilds indexes, block meta and elections from what remains (ops/repair-indexes.ts);
 * - when the completeness record shows lost or altered commits (already reported as
 *   such), starts it again from the database as it now is: one commit covering every
 *   sequence entry, and a new `commit.json`. Exports made before need a full export next.
 * Every action is returned, one line each, for the command to print.
 */
import { sha256 } from '../crypto/hash.js';
import type { Finding } from '../findings.js';
import type { Archive } from '../store/archive.js';
import { CHAIN_START, attachCommits, commitBatch, type BatchOp } from '../store/commit.js';
import { keyBatches } from '../store/scan.js';
import { key, range } from '../store/schema.js';
import { check, type CheckOptions } from './check.js';
import { repairIndexes } from './repair-indexes.js';
import { signedFormOf } from '../check/gate.js';

/** What a repair did. */
export interface RepairActions { quarantined: string[]; indexes: { deleted: number; written: number }; commitRecordRestarted: boolean; actions: string[] }

const isDocKey = (k: string): boolean => k.startsWith('b!') || k.startsWith('v!') || k.startsWith('vd!');

/** Repair an archive opened for writing (with `acceptIncomplete`). */
export async function repairArchive(opts: CheckOptions): Promise<RepairActions> {
  const { archive } = opts;
  const before = await check({ ...opts, reporter: undefined });
  const out: RepairActions = { quarantined: [], indexes: { deleted: 0, written: 0 }, commitRecordRestarted: false, actions: [] };
  const bad = new Map<string, Finding[]>();
  for (const f of before.findings) if (f.code === 'STORE_CORRUPT' && isDocKey(f.doc)) bad.set(f.doc, [...(bad.get(f.doc) ?? []), f]);
  const ops: BatchOp[] = [];
  for (const [k, findings] of bad) {
    const text = await archive.db.get(k);
    if (text === undefined) continue;
    const qk = key('q', sha256(Buffer.from(text, 'utf8')).toString('hex'));
    ops.push({ type: 'put', key: qk, value: JSON.stringify({ origin: `check --repair: ${k}`, table: k.startsWith('b!') ? 'bigchain' : 'votes', kind: k.startsWith('b!') ? 'block' : 'vote', doc: text, findings, at: new Date().toISOString() }) });
    const signed = signedFormOf(k, text, archive.federation);
    if (signed !== null) {
      // Only unsigned fields were wrong: the signed form verifies and stays; the row as it was is kept in quarantine.
      ops.push({ type: 'put', key: k, value: signed });
      out.actions.push(`kept the signed form of ${k} without its unsigned field(s); the stored text is in quarantine ${qk}`);
      continue;
    }
    ops.push({ type: 'del', key: k });
    ops.push({ type: 'put', key: `rq!${k}`, value: qk }); // its sequence entry stays: check knows where it went
    out.quarantined.push(k);
    out.actions.push(`moved ${k} to quarantine ${qk} (${findings[0]!.message})`);
  }
  if (archive.incomplete !== undefined) await restartRecord(archive, out);
  if (ops.length > 0) await commitBatch(archive.db, ops);
  out.indexes = await repairIndexes({ archive });
  out.actions.push(`rebuilt indexes, block meta and elections: ${out.indexes.deleted} derived entries removed, ${out.indexes.written} written`);
  return out;
}

/** Start the completeness record again from the database as it is (the damage was reported before). */
async function restartRecord(archive: Archive, out: RepairActions): Promise<void> {
  const dels: BatchOp[] = [];
  for await (const batch of keyBatches(archive.db, range('cm'))) for (const k of batch) dels.push({ type: 'del', key: k });
  const seqText = await archive.db.get(key('meta', 'seq'));
  const seq = seqText === undefined ? 0 : JSON.parse(seqText) as number;
  // One commit from sequence 0 that re-adds no entry: its `from` is the sequence as it is now.
  attachCommits(archive.db, archive.dir, false, { n: 0, seq, digest: CHAIN_START });
  await commitBatch(archive.db, [...dels, { type: 'put', key: key('meta', 'seq'), value: JSON.stringify(seq) }]);
  const lost = archive.incomplete!.lost.map((l) => `${l.commits[0]}–${l.commits[1]}`).join(', ');
  out.commitRecordRestarted = true;
  out.actions.push(`restarted the completeness record at document sequence ${seq}${lost !== '' ? ` (lost commits ${lost} stay lost: re-ingest their sources)` : ''}; the next incremental export must be a full export`);
  delete archive.incomplete;
}
