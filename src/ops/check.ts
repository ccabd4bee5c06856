/**
 * The `check` operation (SPEC.md §12.8): at-rest integrity, as `restic check` does
 * for its repository. Every stored block and vote is re-verified from its stored
 * bytes (id, signatures, federation, canonical form, key ↔ content); every index
 * entry is checked against the documents (missing and stray entries, by an
 * order-independent digest per namespace and, when one differs, an exact diff);
 * every election is recomputed. Read-only; `repairIndexes` is ops/repair-indexes.ts.
 */
import { availableParallelism } from 'node:os';
import { finding, type Finding } from '../findings.js';
import { canonicalize } from '../model/canonical.js';
import { parseJson } from '../model/json.js';
import type { Federation } from '../model/federation.js';
import type { Block, Vote } from '../model/types.js';
import type { RawDoc } from '../model/documents.js';
import { noopReporter, type Reporter } from '../report/reporter.js';
import type { Archive, LedgerDb } from '../store/archive.js';
import { entryBatches } from '../store/scan.js';
import { groups, type Group } from '../store/groups.js';
import { recordActivity } from '../store/activity.js';
import { electStored, electionValue } from '../store/election.js';
import { blockIndexEntries, voteIndexEntries } from '../store/entries.js';
import type { BlockMeta } from '../store/read.js';
import { key, keyParts, range } from '../store/schema.js';
import { checkDocuments } from '../verify/pool.js';
import type { CheckedDoc } from '../verify/document.js';
import { FATAL_BLOCK_FINDINGS, FATAL_VOTE_FINDINGS as FATAL_VOTE } from '../ingest/recouple.js';
import { IndexDigests, INDEX_NAMESPACES, type DigestSum, type IndexNs } from '../check/digest.js';
import { CHECK_STEP, checkPrepared } from '../check/step.js';
import { checkRecords, type RecordCounts } from '../check/record.js';

/** Options of {@link check}. */
export interface CheckOptions {
  archive: Archive;
  reporter?: Reporter;
  signal?: AbortSignal;
  /** Verification worker threads (default: {@link checkWorkers}; 0 = inline). */
  workers?: number;
}

/** What check found. `ok` is true when there are no findings. */
export interface CheckReport {
  ok: boolean;
  documents: { blocks: number; votes: number; duplicateVotes: number };
  indexEntries: number;
  /** Commit records and sequence entries checked (SPEC.md §15.10). */
  records: RecordCounts;
  findings: Finding[];
}


/**
 * check's default worker count: one per core, at most 8 (SPEC.md §21.1). Measured on the 2-core
 * machine, 20,000-block archive: 2 workers 19.3 s CPU, peak anonymous memory 131 MB; 4 workers
 * (verify's default) 20.2 s, 205 MB — check's main thread reads and judges as much as the
 * workers verify, so more workers than cores only add heaps.
 */
export function checkWorkers(): number {
  return Math.min(8, Math.max(1, availableParallelism()));
}

const corrupt = (doc: string, message: string, data?: Record<string, unknown>): Finding => finding('STORE_CORRUPT', 'archive', doc, message, data);

/**
 * Check an archive without changing it.
 * @example const r = await check({ archive }); if (!r.ok) process.exitCode = 3
 */
export async function check(opts: CheckOptions): Promise<CheckReport> {
  const { db, federation } = opts.archive;
  const reporter = opts.reporter ?? noopReporter;
  const report: CheckReport = { ok: true, documents: { blocks: 0, votes: 0, duplicateVotes: 0 }, indexEntries: 0, records: { commits: 0, sequenceEntries: 0 }, findings: [] };
  const add = (f: Finding): void => { report.findings.push(f); reporter.finding(f); };
  const expected = new IndexDigests();
  let blockIds = 0;
  // Documents and what derives from them, one block id at a time: its block, meta, election
  // and votes come from five key-ordered scans merged by id (no point reads), the documents
  // are re-verified in the worker pool, which also sums the digests of their index keys.
  const queue: Group[] = [];
  async function* docs(): AsyncGenerator<RawDoc> {
    for await (const g of groups(db)) {
      queue.push(g);
      if (g.block !== undefined) yield { table: 'bigchain', doc: undefined, text: g.block[1], origin: g.block[0] };
      for (const [k, text] of g.votes) yield { table: 'votes', doc: undefined, text, origin: k };
      // Only a meta or election record: one placeholder keeps verdicts and groups in step.
      if (g.block === undefined && g.votes.length === 0) yield { table: null, doc: undefined, invalid: 'placeholder', origin: g.id };
    }
  }
  const verdicts = checkDocuments(docs(), { federation, workers: opts.workers ?? checkWorkers(), post: CHECK_STEP, signal: opts.signal })[Symbol.asyncIterator]();
  try {
    for (;;) {
      const first = await verdicts.next(); // a group's first verdict: docs() has queued the group
      if (first.done === true) break;
      const g = queue.shift()!;
      let held: CheckedDoc | null = first.value;
      const take = async (): Promise<CheckedDoc> => {
        if (held !== null) { const v = held; held = null; return v; }
        return (await verdicts.next()).value as CheckedDoc;
      };
      const blockVerdict = g.block !== undefined ? await take() : null;
      const votes: Vote[] = [];
      for (const [k, text] of g.votes) {
        const v = await take();
        if (k.startsWith('vd!')) report.documents.duplicateVotes++; else report.documents.votes++;
        const sums = checkStoredVote({ key: k, text, verdict: v }, add);
        if (sums !== null) for (const [n, a, b, c] of sums) expected.addSum(n, a, b, c);
        const parsed = v.kind === 'vote' ? v.vote : safeJson<Vote>(text);
        if (parsed !== null) votes.push(parsed);
      }
      if (held !== null) held = null; // the placeholder of a group with no documents
      if (g.block === undefined) {
        if (g.meta !== undefined) add(corrupt(key('bm', g.id), `${key('bm', g.id)} belongs to no stored block`));
        if (g.election !== undefined) add(corrupt(key('es', g.id), `${key('es', g.id)} belongs to no stored block`));
        continue;
      }
      report.documents.blocks++;
      const checked = checkStoredBlock({ key: g.block[0], text: g.block[1], verdict: blockVerdict! }, add);
      if (checked !== null) {
        blockIds++;
        for (const [n, a, b, c] of checked.sums) expected.addSum(n, a, b, c);
        checkBlockDerived(federation, checked.block, g, votes, add);
      }
      if (report.documents.blocks % 1000 === 0) reporter.progress({ phase: 'check: blocks', done: report.documents.blocks, unit: 'blocks' });
    }
  } finally {
    await verdicts.return(undefined); // stops the workers if this loop throws
  }
  const actual = new IndexDigests();
  for (const ns of INDEX_NAMESPACES) {
    for await (const batch of entryBatches(db, range(ns))) {
      for (const [k, v] of batch) {
        actual.add(k);
        if (v !== '') add(corrupt(k, `index entry ${k} has a value; index entries are empty`));
      }
      report.indexEntries += batch.length;
      opts.signal?.throwIfAborted();
    }
    if (!actual.equal(expected, ns)) for (const f of await diffIndex(db, ns)) add(f);
  }
  report.records = await checkRecords(opts.archive, add, opts.signal);
  report.ok = report.findings.length === 0 && blockIds === report.documents.blocks;
  // For `status` (SPEC.md §15.6.1): outside the store, so a read-only check stays read-only.
  if (opts.archive.dir !== null) {
    const why = recordActivity(opts.archive.dir, { lastCheck: { at: new Date().toISOString(), ok: report.ok, findings: report.findings.length } });
    if (why !== null) reporter.warn(`check: ${why}`);
  }
  reporter.done();
  return report;
}

type Stored = { key: string; text: string; verdict: CheckedDoc };

function checkStoredBlock(d: Stored, add: (f: Finding) => void): { block: Block; sums: DigestSum[] } | null {
  const id = keyParts(d.key)[0]!;
  const v = d.verdict;
  if (v.kind !== 'block') { add(corrupt(d.key, `stored block ${id} no longer parses as a block`, { findings: v.findings })); return null; }
  if (v.block.id !== id) { add(corrupt(d.key, `stored block under ${id} has id ${v.block.id}`)); return null; }
  if (v.needs !== null) { add(corrupt(d.key, `stored block ${id} lacks assets or metadata (a stored-layout block, changed at rest)`)); return null; }
  const fatal = v.findings.filter((f) => FATAL_BLOCK_FINDINGS.has(f.code) || f.code === 'DOC_UNSIGNED_FIELD');
  if (fatal.length > 0) { add(corrupt(d.key, `stored block ${id} no longer verifies (${fatal.map((f) => f.code).join(', ')})`, { findings: fatal })); return null; }
  const p = checkPrepared(v);
  if (p === undefined || !p.canonical) { add(corrupt(d.key, `stored block ${id} is not in canonical form (changed at rest)`)); return null; }
  return { block: v.block, sums: p.sums };
}

function checkStoredVote(d: Stored, add: (f: Finding) => void): DigestSum[] | null {
  const [blockId, voter] = keyParts(d.key) as [string, string];
  const v = d.verdict;
  if (v.kind !== 'vote') { add(corrupt(d.key, `stored vote ${d.key} no longer parses as a vote`, { findings: v.findings })); return null; }
  if (v.vote.vote.voting_for_block !== blockId || v.vote.node_pubkey !== voter) { add(corrupt(d.key, `stored vote under ${d.key} is by ${v.vote.node_pubkey} on ${v.vote.vote.voting_for_block}`)); return null; }
  const fatal = v.findings.filter((f) => FATAL_VOTE.has(f.code) || f.code === 'DOC_UNSIGNED_FIELD');
  if (fatal.length > 0) { add(corrupt(d.key, `stored vote ${blockId}/${voter} no longer verifies (${fatal.map((f) => f.code).join(', ')})`, { findings: fatal })); return null; }
  const p = checkPrepared(v);
  if (p === undefined || !p.canonical) { add(corrupt(d.key, `stored vote ${blockId}/${voter} is not in canonical form (changed at rest)`)); return null; }
  return p.sums;
}

/** The block's meta record and election agree with the block and its stored votes. */
function checkBlockDerived(federation: Federation, block: Block, g: Group, votes: readonly Vote[], add: (f: Finding) => void): void {
  const meta = g.meta === undefined ? null : safeJson<BlockMeta>(g.meta);
  if (meta === null || canonicalize(meta.voters ?? null) !== canonicalize(block.block.voters) || meta.timestamp !== block.block.timestamp) {
    add(corrupt(key('bm', block.id), `the meta record of block ${block.id} is missing or disagrees with the block`));
  }
  const want = electionValue(electStored(block.id, block.block.voters, votes, federation));
  if (g.election !== want) add(corrupt(key('es', block.id), `the stored election of block ${block.id} is missing or differs from its votes`));
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
