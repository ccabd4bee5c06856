/**
 * Gap detection over an archive (SPEC.md §12.5; the `gaps` operation is ops/gaps.ts):
 * stream the archive's block index and each
 * voter's chain (`ch!`, sorted by voter) into the pure detector (chain/gaps.ts).
 * Memory: the block index (id → number, ~150 bytes a block) plus one voter's chain
 * as two Int32Arrays at a time; keys are sliced, never split, so a link costs no
 * allocation that outlives it.
 */
import { GapDetector, inferGenesis, type GapReport, type IndexedLinks } from './gaps.js';
import { noopReporter, type Reporter } from '../report/reporter.js';
import type { Selection } from '../model/documents.js';
import type { Archive, LedgerDb } from '../store/archive.js';
import { META, key, keyParts, range } from '../store/schema.js';
import { keyBatches } from '../store/scan.js';

export type { GapReport } from './gaps.js';

/** Options of {@link findGaps}. */
export interface GapsOptions {
  archive: Archive;
  /** Treat the archive as selective (absent blocks are outside the selection). Default: from the stored selection. */
  selective?: boolean;
  reporter?: Reporter;
  signal?: AbortSignal;
}

/** Detect gaps in an archive (the `gaps` operation's work; see ops/gaps.ts). */
export async function scanArchiveGaps(opts: GapsOptions): Promise<GapReport> {
  const { db, federation } = opts.archive;
  const reporter = opts.reporter ?? noopReporter;
  const selective = opts.selective ?? await isSelective(db);
  const storedGenesis = await db.get(key('meta', META.genesis));
  const detector = new GapDetector({ genesis: null, selective });
  let n = 0;
  for await (const batch of keyBatches(db, range('ts'))) {
    for (const k of batch) {
      const [ts, id] = keyParts(k) as [string, string];
      detector.addBlock(id, ts.replace(/^0+(?=\d)/, ''));
    }
    n += batch.length;
    opts.signal?.throwIfAborted();
    if (n % 10_000 < batch.length) reporter.progress({ phase: 'gaps: blocks', done: n, unit: 'blocks' });
  }
  const genesis = storedGenesis !== undefined ? JSON.parse(storedGenesis) as string : await guessGenesis(db, detector);
  detector.setGenesis(genesis);
  const duplicates = await duplicateVotes(db);
  const seen = new Set<string>();
  for await (const { voter, links } of voterChains(db, detector)) {
    opts.signal?.throwIfAborted();
    seen.add(voter);
    detector.addVoterIndexed(voter, links, duplicates.get(voter) ?? []);
    reporter.progress({ phase: 'gaps: chains', done: seen.size, unit: 'voters' });
  }
  // Federation members without a single vote: their chains are empty, complete through genesis only.
  for (const voter of federation.keys) if (!seen.has(voter)) detector.addVoter(voter, [], duplicates.get(voter) ?? []);
  const report = detector.finish();
  report.findings.forEach((f) => reporter.finding(f));
  reporter.done();
  return report;
}

async function isSelective(db: LedgerDb): Promise<boolean> {
  const v = await db.get(key('meta', META.selection));
  if (v === undefined) return false;
  const sel = JSON.parse(v) as Selection;
  return sel.all !== true;
}

/** Each voter's chain links, interned, one voter at a time (ch! keys are sorted by voter). */
async function* voterChains(db: LedgerDb, detector: GapDetector): AsyncGenerator<{ voter: string; links: IndexedLinks }> {
  let voter: string | null = null;
  let prev: Int32Array = new Int32Array(1 << 16);
  let next: Int32Array = new Int32Array(1 << 16);
  let n = 0;
  for await (const batch of keyBatches(db, range('ch'))) for (const k of batch) {
    // ch!<voter>!<previous_block>!<voting_for_block>: no part holds '!'.
    const a = k.indexOf('!', 3);
    const b = k.indexOf('!', a + 1);
    if (a < 0 || b < 0) continue;
    if (voter === null || k.length - 3 < voter.length || !k.startsWith(voter, 3) || a !== 3 + voter.length) {
      if (voter !== null) yield { voter, links: { prev, next, n } };
      voter = k.slice(3, a);
      n = 0;
    }
    if (n === prev.length) { prev = growInts(prev); next = growInts(next); }
    prev[n] = detector.intern(k.slice(a + 1, b));
    next[n] = detector.intern(k.slice(b + 1));
    n++;
  }
  if (voter !== null) yield { voter, links: { prev, next, n } };
}

function growInts(a: Int32Array): Int32Array {
  const grown = new Int32Array(a.length * 2);
  grown.set(a);
  return grown;
}

/** Blocks with a second (third…) verified vote, by voter. */
async function duplicateVotes(db: LedgerDb): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for await (const k of db.keys(range('vd'))) {
    const [block, voter] = keyParts(k) as [string, string];
    const list = out.get(voter) ?? [];
    list.push(block);
    out.set(voter, list);
  }
  return out;
}

/** Genesis when the archive lacks the genesis block (reference §3: every chain starts there). */
async function guessGenesis(db: LedgerDb, blocks: GapDetector): Promise<string | null> {
  const orphans: string[][] = [];
  for await (const { links } of voterChains(db, blocks)) orphans.push(blocks.orphansOf(links));
  const voted = new Set<string>();
  for (const id of new Set(orphans.flat())) {
    for await (const _k of db.keys({ ...range('v', id), limit: 1 })) voted.add(id);
  }
  return inferGenesis(orphans, (id) => blocks.hasBlock(id) || voted.has(id));
}
