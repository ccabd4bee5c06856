/**
 * The `check` operation (SPEC.md §12.8): at-rest integrity, as `restic check` does
 * for its repository. Every stored block and vote is re-verified from its stored
 * bytes (id, signatures, federation, canonical form, key ↔ content); every index
 * entry is checked against the documents (missing and stray entries, by an
 * order-independent digest per namespace and, when one differs, an exact diff);
 * every election is recomputed. Read-only; `repairIndexes` is ops/repair-indexes.ts.
 */
import { finding, type Finding } from '../findings.js';
import { canonicalize } from '../model/canonical.js';
import { parseJson } from '../model/json.js';
import type { Block, Vote } from '../model/types.js';
import { noopReporter, type Reporter } from '../report/reporter.js';
import type { Archive, LedgerDb } from '../store/archive.js';
import { electStored, electionValue } from '../store/election.js';
import { blockIndexEntries, voteIndexEntries } from '../store/entries.js';
import type { BlockMeta } from '../store/read.js';
import { key, keyParts, range } from '../store/schema.js';
import { checkDocuments } from '../verify/pool.js';
import type { CheckedDoc } from '../verify/document.js';
import { FATAL_BLOCK_FINDINGS } from './ingest-stored.js';
import { IndexDigests, INDEX_NAMESPACES, type IndexNs } from './check-digest.js';

/** Options of {@link check}. */
export interface CheckOptions {
  archive: Archive;
  reporter?: Reporter;
  signal?: AbortSignal;
  /** Verification worker threads (default: cores, max 8; 0 = inline). */
  workers?: number;
}

/** What check found. `ok` is true when there are no findings. */
export interface CheckReport {
  ok: boolean;
  documents: { blocks: number; votes: number; duplicateVotes: number };
  indexEntries: number;
  findings: Finding[];
}

const FATAL_VOTE = new Set(['VOTE_BAD_SIGNATURE', 'VOTE_UNKNOWN_VOTER']);

const corrupt = (doc: string, message: string, data?: Record<string, unknown>): Finding => finding('STORE_CORRUPT', 'archive', doc, message, data);

/**
 * Check an archive without changing it.
 * @example const r = await check({ archive }); if (!r.ok) process.exitCode = 3
 */
export async function check(opts: CheckOptions): Promise<CheckReport> {
  const { db } = opts.archive;
  const reporter = opts.reporter ?? noopReporter;
  const report: CheckReport = { ok: true, documents: { blocks: 0, votes: 0, duplicateVotes: 0 }, indexEntries: 0, findings: [] };
  const add = (f: Finding): void => { report.findings.push(f); reporter.finding(f); };
  const expected = new IndexDigests();
  let blockIds = 0;
  for await (const d of storedDocs(opts, 'b')) {
    report.documents.blocks++;
    const block = checkStoredBlock(d, add);
    if (block === null) continue;
    blockIds++;
    for (const e of blockIndexEntries(block)) expected.add(e.key);
    await checkBlockDerived(opts.archive, block, add);
    if (report.documents.blocks % 1000 === 0) reporter.progress({ phase: 'check: blocks', done: report.documents.blocks, unit: 'blocks' });
  }
  for (const ns of ['v', 'vd'] as const) {
    for await (const d of storedDocs(opts, ns)) {
      if (ns === 'v') report.documents.votes++; else report.documents.duplicateVotes++;
      const vote = checkStoredVote(d, ns, add);
      if (vote !== null) for (const e of voteIndexEntries(vote)) expected.add(e.key);
    }
  }
  const actual = new IndexDigests();
  for (const ns of INDEX_NAMESPACES) {
    for await (const [k, v] of db.iterator(range(ns))) {
      actual.add(k);
      report.indexEntries++;
      if (v !== '') add(corrupt(k, `index entry ${k} has a value; index entries are empty`));
    }
    if (!actual.equal(expected, ns)) for (const f of await diffIndex(db, ns)) add(f);
  }
  for (const ns of ['es', 'bm'] as const) {
    for await (const k of db.keys(range(ns))) {
      if (await db.get(key('b', keyParts(k)[0]!)) === undefined) add(corrupt(k, `${k} belongs to no stored block`));
    }
  }
  report.ok = report.findings.length === 0 && blockIds === report.documents.blocks;
  reporter.done();
  return report;
}

/** Stored documents of one namespace as verification input, in key order. */
async function* storedDocs(opts: CheckOptions, ns: 'b' | 'v' | 'vd'): AsyncGenerator<Stored> {
  const keys: string[] = [];
  const texts: string[] = [];
  async function* source() {
    for await (const [k, text] of opts.archive.db.iterator(range(ns))) {
      keys.push(k);
      texts.push(text);
      yield { table: ns === 'b' ? 'bigchain' as const : 'votes' as const, doc: undefined, text, origin: k };
    }
  }
  for await (const verdict of checkDocuments(source(), { federation: opts.archive.federation, workers: opts.workers, keepDocs: true, signal: opts.signal })) {
    yield { key: keys.shift()!, text: texts.shift()!, verdict };
  }
}

type Stored = { key: string; text: string; verdict: CheckedDoc };

function checkStoredBlock(d: Stored, add: (f: Finding) => void): Block | null {
  const id = keyParts(d.key)[0]!;
  const v = d.verdict;
  if (v.kind !== 'block') { add(corrupt(d.key, `stored block ${id} no longer parses as a block`, { findings: v.findings })); return null; }
  if (v.block.id !== id) { add(corrupt(d.key, `stored block under ${id} has id ${v.block.id}`)); return null; }
  const fatal = v.findings.filter((f) => FATAL_BLOCK_FINDINGS.has(f.code));
  if (fatal.length > 0) { add(corrupt(d.key, `stored block ${id} no longer verifies (${fatal.map((f) => f.code).join(', ')})`, { findings: fatal })); return null; }
  if (canonicalize(v.block) !== d.text) { add(corrupt(d.key, `stored block ${id} is not in canonical form (changed at rest)`)); return null; }
  return v.block;
}

function checkStoredVote(d: Stored, ns: 'v' | 'vd', add: (f: Finding) => void): Vote | null {
  const [blockId, voter] = keyParts(d.key) as [string, string];
  const v = d.verdict;
  if (v.kind !== 'vote') { add(corrupt(d.key, `stored vote ${d.key} no longer parses as a vote`, { findings: v.findings })); return null; }
  if (v.vote.vote.voting_for_block !== blockId || v.vote.node_pubkey !== voter) { add(corrupt(d.key, `stored vote under ${d.key} is by ${v.vote.node_pubkey} on ${v.vote.vote.voting_for_block}`)); return null; }
  const fatal = v.findings.filter((f) => FATAL_VOTE.has(f.code));
  if (fatal.length > 0) { add(corrupt(d.key, `stored vote ${blockId}/${voter} no longer verifies (${fatal.map((f) => f.code).join(', ')})`, { findings: fatal })); return null; }
  if (canonicalize(v.vote) !== d.text) { add(corrupt(d.key, `stored vote ${blockId}/${voter} is not in canonical form (changed at rest)`)); return null; }
  return v.vote;
}

/** The block's meta record and election agree with the block and its stored votes. */
async function checkBlockDerived(archive: Archive, block: Block, add: (f: Finding) => void): Promise<void> {
  const { db } = archive;
  const metaText = await db.get(key('bm', block.id));
  const meta = metaText === undefined ? null : safeJson<BlockMeta>(metaText);
  if (meta === null || canonicalize(meta.voters ?? null) !== canonicalize(block.block.voters) || meta.timestamp !== block.block.timestamp) {
    add(corrupt(key('bm', block.id), `the meta record of block ${block.id} is missing or disagrees with the block`));
  }
  const votes: Vote[] = [];
  for (const ns of ['v', 'vd'] as const) for await (const v of db.values(range(ns, block.id))) votes.push(parseJson(v) as unknown as Vote);
  const want = electionValue(electStored(block.id, block.block.voters, votes, archive.federation));
  if (await db.get(key('es', block.id)) !== want) add(corrupt(key('es', block.id), `the stored election of block ${block.id} is missing or differs from its votes`));
}

/** Exact diff of one index namespace against the documents (only run when its digest differs). */
async function diffIndex(db: LedgerDb, ns: IndexNs): Promise<Finding[]> {
  const want = new Set<string>();
  if (ns === 'ch') {
    for (const vns of ['v', 'vd'] as const) {
      for await (const v of db.values(range(vns))) {
        const vote = safeJson<Vote>(v);
        if (vote !== null) for (const e of voteIndexEntries(vote)) want.add(e.key);
      }
    }
  } else {
    for await (const v of db.values(range('b'))) {
      const b = safeJson<Block>(v);
      if (b !== null) for (const e of blockIndexEntries(b)) if (e.key.startsWith(`${ns}!`)) want.add(e.key);
    }
  }
  const out: Finding[] = [];
  for await (const k of db.keys(range(ns))) {
    if (!want.delete(k)) out.push(corrupt(k, `index entry ${k} matches no stored document`));
  }
  for (const k of want) out.push(corrupt(k, `index entry ${k} is missing`));
  return out;
}

function safeJson<T>(text: string): T | null {
  try {
    return parseJson(text) as unknown as T;
  } catch {
    return null;
  }
}
