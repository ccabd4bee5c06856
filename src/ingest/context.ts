/**
 * Per-document decisions of ingest (SPEC.md §12.4): store a verified document with
 * its index entries, skip an identical one, refuse a different one under the same
 * id (STORE_CONFLICT, never overwrite), or quarantine it with its findings.
 * Every write goes through the BatchWriter, so each document is one unit in a batch.
 */
import { finding, type Finding } from '../findings.js';
import { canonicalize } from '../model/canonical.js';
import { parseJson } from '../model/json.js';
import type { Block, Vote } from '../model/types.js';
import { sha256 } from '../crypto/hash.js';
import type { Reporter } from '../report/reporter.js';
import type { Layout, RawDoc } from '../model/documents.js';
import type { PreparedBlock, PreparedVote } from '../store/prepare.js';
import { blockBytes, blockDocEntries, blockIndexEntries, isGenesisBlock, voteBytes, voteIndexEntries, voteSignedBytes } from '../store/entries.js';
import type { BlockMeta } from '../store/read.js';
import { META, key, range } from '../store/schema.js';
import { syncKey } from '../store/sync.js';
import type { BatchWriter } from './writer.js';
import type { RecoupleSink } from './recouple.js';

/** Document kinds ingest counts. */
export type IngestKind = 'block' | 'vote' | 'asset' | 'metadata' | 'tx' | 'document';

/** Outcomes per kind. `new` were stored; `duplicate` were already there; `ignored` are not archived (backlog txs). */
export interface KindTally { new: number; duplicate: number; quarantined: number; conflicts: number; ignored: number }

/** What an ingest did. */
export interface IngestSummary extends KindTally {
  byKind: Record<IngestKind, KindTally>;
  /** The first findings (see `findingsTotal` for how many there were). */
  findings: Finding[];
  findingsTotal: number;
}

const zero = (): KindTally => ({ new: 0, duplicate: 0, quarantined: 0, conflicts: 0, ignored: 0 });

/** A summary with every count at zero. */
export function emptySummary(): IngestSummary {
  return { ...zero(), byKind: { block: zero(), vote: zero(), asset: zero(), metadata: zero(), tx: zero(), document: zero() }, findings: [], findingsTotal: 0 };
}

/** Text of a raw document for quarantine: its exact text when known, else canonical JSON. */
function rawText(raw: RawDoc): string {
  if (raw.text !== undefined) return raw.text;
  try {
    return canonicalize(raw.doc);
  } catch {
    return String(raw.doc);
  }
}

/** Holds the state one ingest run shares between documents. */
export class IngestContext {
  private readonly writer: BatchWriter;
  private readonly summary: IngestSummary;
  private readonly reporter: Reporter;
  private readonly maxFindings: number;
  private readonly now: () => Date;

  constructor(writer: BatchWriter, summary: IngestSummary, reporter: Reporter, maxFindings: number, now: () => Date) {
    this.writer = writer;
    this.summary = summary;
    this.reporter = reporter;
    this.maxFindings = maxFindings;
    this.now = now;
  }

  /** Count one outcome. */
  tally(kind: IngestKind, outcome: 'new' | 'duplicate' | 'quarantined' | 'conflict' | 'ignored'): void {
    const field = outcome === 'conflict' ? 'conflicts' : outcome;
    this.summary[field]++;
    this.summary.byKind[kind][field]++;
  }

  /** Report a finding (reporter always; summary up to the limit). */
  report(f: Finding): void {
    this.summary.findingsTotal++;
    if (this.summary.findings.length < this.maxFindings) this.summary.findings.push(f);
    this.reporter.finding(f);
  }

  /** Quarantine a raw document with its findings (idempotent: keyed by the hash of its text). */
  async quarantine(raw: RawDoc, kind: IngestKind, findings: Finding[]): Promise<void> {
    findings.forEach((f) => this.report(f));
    this.tally(kind, 'quarantined');
    await this.putQuarantine(rawText(raw), raw.origin, raw.table, kind, findings);
  }

  /** Stage a quarantine entry unless one is there; returns its key. */
  private async putQuarantine(text: string, origin: string, table: string | null, kind: IngestKind, findings: Finding[]): Promise<string> {
    const k = key('q', sha256(Buffer.from(text, 'utf8')).toString('hex'));
    if (await this.writer.get(k) !== undefined) return k;
    this.writer.put(k, JSON.stringify({ origin, table, kind, doc: text, findings, at: this.now().toISOString() }));
    return k;
  }

  /**
   * Store a verified, complete block (or skip/refuse it when its id is taken).
   * `prepared` (from the worker, store/prepare.ts) saves canonicalising it here; without
   * it `block` must be whole.
   */
  async storeBlock(block: Block, origin: string, layout: Layout | null, findings: Finding[], raw: RawDoc | null, prepared?: PreparedBlock): Promise<void> {
    const bytes = prepared?.bytes ?? blockBytes(block);
    const existing = await this.writer.get(key('b', block.id));
    if (existing === bytes) { this.tally('block', 'duplicate'); return; }
    if (existing !== undefined) {
      const f = finding('STORE_CONFLICT', 'block', block.id, `a different block under id ${block.id} is already stored; kept the stored one`, { where: origin });
      this.report(f);
      this.tally('block', 'conflict');
      await this.putQuarantine(raw !== null ? rawText(raw) : bytes, origin, raw?.table ?? 'bigchain', 'block', [f, ...findings]);
      return;
    }
    findings.forEach((f) => this.report(f)); // non-fatal: unknown voters, bad transactions (the block is still authentic)
    for (const e of blockDocEntries(block, bytes, layout, origin)) this.writer.put(e.key, e.value);
    if (prepared !== undefined) for (const k of prepared.index) this.writer.put(k, '');
    else for (const e of blockIndexEntries(block)) this.writer.put(e.key, e.value);
    if ((prepared?.genesis ?? isGenesisBlock(block)) && await this.writer.get(key('meta', META.genesis)) === undefined) {
      this.writer.put(key('meta', META.genesis), JSON.stringify(block.id));
    }
    this.writer.markDirty(block.id);
    this.tally('block', 'new');
  }

  /** Store a vote whose signature and voter verified (or skip it / record a second vote by the same voter: VOTE_DUPLICATE). */
  async storeVote(vote: Vote, origin: string, findings: Finding[], raw: RawDoc, prepared?: PreparedVote): Promise<void> {
    const blockId = vote.vote.voting_for_block;
    const k = key('v', blockId, vote.node_pubkey);
    const bytes = prepared?.bytes ?? voteBytes(vote);
    const existing = await this.writer.get(k);
    if (existing !== undefined) {
      // The same signed vote, with or without RethinkDB's unsigned row id, is the same vote.
      if (existing === bytes || voteSignedBytes(parseJson(existing) as unknown as Vote) === voteSignedBytes(vote)) {
        this.tally('vote', 'duplicate');
        return;
      }
      // A second authentic vote by one voter on one block is ledger history, BigchainDB's
      // CriticalDuplicateVote: report it here, once, as VOTE_DUPLICATE (not a storage conflict:
      // both documents are genuine) and keep it in `vd!` as evidence. gaps lists `vd!` entries
      // but does not report them again.
      // Keyed by the signed content (SPEC.md §15.3.1: a vote's identity), so the same second vote
      // with another row id or none is the same evidence; entries keyed by the whole row (archives
      // written before) are compared by their signed content too.
      const signed = voteSignedBytes(vote);
      const dk = key('vd', blockId, vote.node_pubkey, sha256(Buffer.from(signed, 'utf8')).toString('hex').slice(0, 16));
      if (await this.writer.get(dk) !== undefined || await this.writer.hasSignedVote(range('vd', blockId, vote.node_pubkey), signed)) {
        this.tally('vote', 'duplicate');
        return;
      }
      this.report(finding('VOTE_DUPLICATE', 'vote', `${blockId}/${vote.node_pubkey}`,
        `voter ${vote.node_pubkey} cast another vote on block ${blockId}; both are kept`,
        { voter: vote.node_pubkey, block: blockId, where: origin, rowId: raw.table === 'votes' ? vote.id ?? null : null }));
      this.writer.putVote(blockId, dk, bytes, vote);
      for (const e of voteIndexEntries(vote)) this.writer.put(e.key, e.value); // its chain link shows a fork, if it makes one
      this.tally('vote', 'new');
      return;
    }
    findings.forEach((f) => this.report(f)); // VOTE_MALFORMED: stored, counts as invalid
    this.writer.putVote(blockId, k, bytes, vote);
    if (prepared !== undefined) for (const c of prepared.index) this.writer.put(c, '');
    else for (const e of voteIndexEntries(vote)) this.writer.put(e.key, e.value);
    const meta = await this.writer.get(key('bm', blockId));
    if (meta !== undefined && !((JSON.parse(meta) as BlockMeta).voters ?? []).includes(vote.node_pubkey)) {
      this.report(finding('VOTE_INELIGIBLE', 'vote', `${blockId}/${vote.node_pubkey}`, `voter ${vote.node_pubkey} is not among the voters of block ${blockId}; stored, not counted`,
        { voter: vote.node_pubkey, block: blockId }));
    }
    this.tally('vote', 'new');
  }

  /** The callbacks the re-coupler uses. */
  sink(): RecoupleSink {
    return {
      complete: (full, origin, layout, findings, prepared) => this.storeBlock(full, origin, layout, findings, null, prepared),
      failed: async (stored, origin, findings) => {
        findings.forEach((f) => this.report(f));
        this.tally('block', 'quarantined');
        return this.putQuarantine(stored, origin, 'bigchain', 'block', findings);
      },
      rowConflict: (f) => this.report(f),
    };
  }

  /** Stage the sync record of a successful run. */
  recordSync(name: string, cursor: unknown): void {
    const counts = { new: this.summary.new, duplicate: this.summary.duplicate, quarantined: this.summary.quarantined, conflicts: this.summary.conflicts };
    this.writer.put(syncKey(name), JSON.stringify({ name, lastPullAt: this.now().toISOString(), cursor, counts }));
  }
}
