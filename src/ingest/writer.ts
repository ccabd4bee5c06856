/**
 * The write side of ingest (SPEC.md §12.4): documents are staged in an overlay and
 * written in one LevelDB batch, so each batch — and therefore each document in it —
 * is all-or-nothing. Reads during staging see the overlay first, so two copies of
 * one document in one batch behave as they would in two. At flush, the elections of
 * every block touched are recomputed from the stored and staged votes and written
 * in the same batch: derived statuses never lag behind the documents on disk. Every
 * new document also gets its `sq!` sequence entry, and `meta!seq` its new value, in
 * that batch, so incremental exports see exactly what is on disk even after a crash.
 */
import type { Federation } from '../model/federation.js';
import type { Vote } from '../model/types.js';
import { parseJson } from '../model/json.js';
import type { LedgerDb } from '../store/archive.js';
import { electStored, electionValue } from '../store/election.js';
import type { BlockMeta } from '../store/read.js';
import { META, isSequencedKey, key, range, seqKey } from '../store/schema.js';
import { commitBatch } from '../store/commit.js';
import { voteSignedBytes } from '../store/entries.js';

const PARSED_VOTES_MAX = 10_000;
const CACHE_MAX = 5_000;

/** Stages writes and flushes them atomically. */
export class BatchWriter {
  private readonly db: LedgerDb;
  private readonly federation: Federation;
  private staged = new Map<string, string | null>();
  // Document keys staged in this batch, in staging order: each gets the next sequence at flush.
  private newDocs: string[] = [];
  // Staged vote keys by block, so elections see votes not yet on disk.
  private stagedVotes = new Map<string, string[]>();
  private dirty = new Set<string>();
  // Values read ahead with one getMany (LevelDB point reads are the cost of ingest otherwise).
  private readonly cache = new Map<string, string | undefined>();
  // Votes of this run already parsed, by key, so elections need not parse them back
  // (votes are never overwritten, so an entry stays true). Bounded: cleared when full.
  private readonly parsedVotes = new Map<string, Vote>();
  // Blocks with a duplicate vote (vd!): only these need a range scan at election time.
  private dupBlocks: Set<string> | null = null;
  private bytes = 0;
  private docs = 0;
  private readonly maxDocs: number;
  private readonly maxBytes: number;

  /** `maxDocs`/`maxBytes` bound one batch (defaults 1000 documents, 8 MiB). */
  constructor(db: LedgerDb, federation: Federation, limits: { maxDocs?: number; maxBytes?: number } = {}) {
    this.db = db;
    this.federation = federation;
    this.maxDocs = limits.maxDocs ?? 1000;
    this.maxBytes = limits.maxBytes ?? 8 * 1024 * 1024;
  }

  /** Count one document handled (written, skipped or quarantined). */
  noteDoc(): void { this.docs++; }

  /** Flush when the batch is full. Call only between documents, never inside one. */
  async maybeFlush(): Promise<void> {
    if (this.docs >= this.maxDocs || this.bytes >= this.maxBytes) await this.flush();
  }

  /** Iterate the database itself (not the overlay), e.g. to retry spilled entries. */
  dbIterator(bounds: { gt: string; lt: string }): AsyncIterable<[string, string]> {
    return this.db.iterator(bounds);
  }

  /** True when a vote with these signed bytes is stored in `bounds` (database, not the overlay: callers check staged keys by key). */
  async hasSignedVote(bounds: { gt: string; lt: string }, signed: string): Promise<boolean> {
    for await (const v of this.db.values(bounds)) if (voteSignedBytes(parseJson(v) as unknown as Vote) === signed) return true;
    return false;
  }

  /** Read through the overlay (and the read-ahead cache). */
  async get(k: string): Promise<string | undefined> {
    if (this.staged.has(k)) return this.staged.get(k) ?? undefined;
    if (this.cache.has(k)) return this.cache.get(k);
    return this.db.get(k);
  }

  /** Read many keys ahead in one call, so the documents about to be handled need no single reads. */
  async prefetch(keys: string[]): Promise<void> {
    if (this.cache.size > CACHE_MAX) this.cache.clear(); // between chunks: what follows reads only its own keys
    const want = [...new Set(keys)].filter((k) => !this.staged.has(k) && !this.cache.has(k));
    if (want.length === 0) return;
    const values = await this.db.getMany(want);
    want.forEach((k, i) => this.cache.set(k, values[i]));
  }

  /**
   * Stage a put. Callers put a document key (`b!`, `v!`, `vd!`, `ra!`, `rm!`) only when it is
   * not stored yet (documents are never overwritten), so each such put is a new document.
   */
  put(k: string, value: string): void {
    if (isSequencedKey(k) && this.staged.get(k) == null) this.newDocs.push(k);
    this.staged.set(k, value);
    this.bytes += k.length + value.length;
  }

  /** Stage a delete. */
  del(k: string): void {
    this.staged.set(k, null);
  }

  /** Stage a vote (primary `v` or duplicate `vd`) and mark its block for re-election; `vote` is its parsed form. */
  putVote(blockId: string, k: string, value: string, vote?: Vote): void {
    this.put(k, value);
    if (vote !== undefined) {
      if (this.parsedVotes.size >= PARSED_VOTES_MAX) this.parsedVotes.clear();
      this.parsedVotes.set(k, vote);
    }
    if (k.startsWith('vd!')) this.dupBlocks?.add(blockId);
    const list = this.stagedVotes.get(blockId) ?? [];
    list.push(k);
    this.stagedVotes.set(blockId, list);
    this.dirty.add(blockId);
  }

  /** Mark a block whose election must be recomputed at flush. */
  markDirty(blockId: string): void {
    this.dirty.add(blockId);
  }

  /** Recompute touched elections, then write everything in one batch. */
  async flush(): Promise<void> {
    if (this.dirty.size > 0 && this.dupBlocks === null) await this.loadDupBlocks();
    const ids = [...this.dirty];
    await this.prefetch([...ids.map((id) => key('bm', id)), ...ids.flatMap((id) => this.federation.keys.map((v) => key('v', id, v)))]);
    for (const id of ids) await this.elect(id);
    await this.sequence();
    const ops = [...this.staged].map(([k, value]) => (value === null
      ? { type: 'del' as const, key: k } : { type: 'put' as const, key: k, value }));
    // With its commit record, then commit.json (SPEC.md §15.10).
    if (ops.length > 0) await commitBatch(this.db, ops);
    // The overlay is on disk now: cached reads of keys it wrote take its values, the rest stay
    // true (only this writer writes), so a chunk read ahead before a flush needs no reads after it.
    for (const k of this.cache.keys()) if (this.staged.has(k)) this.cache.set(k, this.staged.get(k) ?? undefined);
    this.staged.clear();
    this.newDocs = [];
    this.stagedVotes.clear();
    this.dirty.clear();
    this.bytes = 0;
    this.docs = 0;
  }

  /** Give this batch's new documents the next sequence numbers (read fresh: another writer may have run). */
  private async sequence(): Promise<void> {
    const docs = [...new Set(this.newDocs)].filter((k) => this.staged.get(k) != null);
    if (docs.length === 0) return;
    const text = await this.db.get(key('meta', META.seq));
    let seq = text === undefined ? 0 : JSON.parse(text) as number;
    for (const k of docs) this.put(seqKey(++seq, k), '');
    this.put(key('meta', META.seq), JSON.stringify(seq));
  }

  private async elect(blockId: string): Promise<void> {
    const metaText = await this.get(key('bm', blockId));
    if (metaText === undefined) return; // votes before their block: elected when it arrives
    const meta = JSON.parse(metaText) as BlockMeta;
    const votes = await this.votesOf(blockId);
    this.put(key('es', blockId), electionValue(electStored(blockId, meta.voters ?? [], votes, this.federation)));
  }

  private async loadDupBlocks(): Promise<void> {
    this.dupBlocks = new Set();
    for await (const k of this.db.keys(range('vd'))) this.dupBlocks.add(k.split('!')[1]!);
  }

  private async votesOf(blockId: string): Promise<Vote[]> {
    const found = new Map<string, string>();
    // Stored votes are by federation members only (others are quarantined), so point reads find them all.
    for (const voter of this.federation.keys) {
      const v = await this.get(key('v', blockId, voter));
      if (v !== undefined) found.set(key('v', blockId, voter), v);
    }
    if (this.dupBlocks?.has(blockId) === true) {
      for await (const [k, v] of this.db.iterator(range('vd', blockId))) found.set(k, v);
    }
    for (const k of this.stagedVotes.get(blockId) ?? []) {
      const v = this.staged.get(k);
      if (v !== undefined && v !== null) found.set(k, v);
    }
    // Primary votes first so electBlock sees them before duplicates.
    const keys = [...found.keys()].sort((a, b) => (a.startsWith('v!') ? 0 : 1) - (b.startsWith('v!') ? 0 : 1) || (a < b ? -1 : 1));
    return keys.map((k) => this.parsedVotes.get(k) ?? parseJson(found.get(k)!) as unknown as Vote);
  }
}
