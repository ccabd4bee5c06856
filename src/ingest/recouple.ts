/**
 * Re-coupling stored-layout blocks during ingest (SPEC.md §10, §12.4). BigchainDB
 * 1.0+ keeps assets (1.3: also metadata) in their own tables, so a block from a
 * dump or database verifies only with its rows put back, and rows may arrive before
 * or after the block. Rows are staged in the archive (`ra!`/`rm!`) as they come;
 * blocks still waiting wait in memory, up to `limit`, then spill to `pb!` on disk,
 * so memory stays bounded and a crash loses nothing (the next ingest retries `pb!`).
 *
 * Cost: a waiting block is verified in full (every signature) once, when it is
 * complete — never once per arriving row, which made dumps (all blocks first, then
 * the rows) quadratic. Complete means: every asset row is there, and either every
 * metadata row is there or the id already matches (v1.3 stores only non-null
 * metadata, so an absent row may be a null that never comes; the id — a hash of the
 * re-coupled body — tells: ./recouple-id.ts). A block that arrives after its rows is
 * sent at once: its id is then checked with the signatures.
 *
 * The full check runs in the verification workers (./lane.ts, verify/recoupled.ts): the
 * stored block goes back with its row texts and returns as a verdict with its canonical
 * bytes and index entries, which {@link Recoupler.settle} applies between documents.
 *
 * At the end what still lacks an asset row is quarantined (BLOCK_MISSING_ASSET) and
 * also kept under `pq!`; a later ingest that brings rows retries those blocks at its
 * end, stores the ones that now verify and drops their quarantine entries.
 */
import { finding, type Finding } from '../findings.js';
import { canonicalize } from '../model/canonical.js';
import { parseJson } from '../model/json.js';
import { storedNeeds, type Needs } from '../model/stored.js';
import type { Federation } from '../model/federation.js';
import type { Block } from '../model/types.js';
import type { Layout } from '../model/documents.js';
import type { CheckedDoc } from '../verify/document.js';
import { key, range } from '../store/schema.js';
import { preparedBlock, type PreparedBlock } from '../store/prepare.js';
import type { BatchWriter } from './writer.js';
import type { CheckLane } from './lane.js';
import { idMatches, refreshPart, type RowsSoFar } from './recouple-id.js';

/** Block findings that mean the document is not authentic: it is quarantined, never stored. */
export const FATAL_BLOCK_FINDINGS: ReadonlySet<string> = new Set(['BLOCK_ID_MISMATCH', 'BLOCK_BAD_SIGNATURE', 'BLOCK_UNKNOWN_CREATOR']);

/** Vote findings that mean the same: quarantined at ingest, STORE_CORRUPT when found at rest. */
export const FATAL_VOTE_FINDINGS: ReadonlySet<string> = new Set(['VOTE_BAD_SIGNATURE', 'VOTE_UNKNOWN_VOTER']);

/** What happens to a block once re-coupling is decided. */
export interface RecoupleSink {
  /** Store the full block (`full` may lack its transactions when `prepared` carries its bytes and index). */
  complete(full: Block, origin: string, layout: Layout, findings: Finding[], prepared?: PreparedBlock): Promise<void>;
  /** Quarantine the stored block (its canonical text); returns the quarantine key written (or already there). */
  failed(stored: string, origin: string, findings: Finding[]): Promise<string>;
  rowConflict(f: Finding): void;
}

/** A block waiting for rows, with what it has so far. */
interface Waiting extends RowsSoFar {
  id: string;
  needs: Needs;
  origin: string;
  layout: Layout;
  needAssets: Set<string>;
  needMeta: Set<string>;
  /** Sent to the workers; a row that arrives meanwhile sets `changed`. */
  checking: boolean;
  changed: boolean;
  final: boolean;
  /** Keys to delete once the block is decided (its spilled or earlier quarantined record). */
  cleanup: string[];
}

/** The spilled form (`pb!`, `pq!`). */
interface Spilled { doc: string; origin: string; layout: Layout; quarantine?: string }

// Re-coupled blocks in the workers at most; past it, settle waits for the oldest.
const MAX_CHECKING = 256;

/** Holds stored-layout blocks until their rows are there. */
export class Recoupler {
  private pending = new Map<string, Waiting>();
  private byTx = new Map<string, Set<string>>();
  private rowsSeen = 0;
  private checking = 0;
  private readonly ready: Array<[Waiting, CheckedDoc | Error]> = [];
  private wake: (() => void) | null = null;
  private readonly writer: BatchWriter;
  private readonly federation: Federation;
  private readonly sink: RecoupleSink;
  private readonly limit: number;
  private readonly lane: CheckLane;

  constructor(writer: BatchWriter, federation: Federation, sink: RecoupleSink, limit: number, lane: CheckLane) {
    this.writer = writer;
    this.federation = federation;
    this.sink = sink;
    this.limit = limit;
    this.lane = lane;
  }

  /** Blocks waiting in memory (also those being checked). */
  get size(): number { return this.pending.size; }

  /**
   * A stored-layout block arrived (its id, canonical text and the rows it needs: the verdict's
   * `stored` and `needs`): check it now when its asset rows are there, or keep it waiting.
   */
  async addBlock(id: string, text: string, needs: Needs, origin: string, layout: Layout): Promise<void> {
    if (this.pending.has(id)) return; // the same block again while waiting
    const w = await this.load(id, text, needs, origin, layout);
    this.wait(w);
    if (w.needAssets.size === 0) this.send(w); // rows came first: the check tells whether absent metadata is null
    if (this.pending.size > this.limit) this.spill();
  }

  /** An assets/metadata row arrived (with its canonical text, when known): stage it, then hand it to the blocks waiting for it. */
  async addRow(kind: 'asset' | 'metadata', row: Record<string, unknown>, origin: string, canonical?: string): Promise<'new' | 'duplicate' | 'conflict'> {
    this.rowsSeen++;
    const id = String(row.id);
    const k = key(kind === 'asset' ? 'ra' : 'rm', id);
    const text = canonical ?? canonicalize(row); // prepared in the worker (store/prepare.ts)
    const existing = await this.writer.get(k);
    let outcome: 'new' | 'duplicate' | 'conflict' = 'new';
    if (existing === text) outcome = 'duplicate';
    else if (existing !== undefined) {
      outcome = 'conflict';
      this.sink.rowConflict(finding('STORE_CONFLICT', kind, id, `a different ${kind} row for transaction ${id} was already received; the first is kept`, { where: origin }));
    } else this.writer.put(k, text);
    const waiting = this.byTx.get(id);
    if (waiting === undefined) return outcome;
    for (const blockId of [...waiting]) {
      const w = this.pending.get(blockId);
      if (w === undefined) continue;
      const need = kind === 'asset' ? w.needAssets : w.needMeta;
      if (!need.delete(id)) continue;
      (kind === 'asset' ? w.assets : w.metadata).set(id, existing ?? text); // the first row received is the one kept
      refreshPart(w, id);
      if (w.checking) { w.changed = true; continue; }
      if (w.needAssets.size === 0 && (w.needMeta.size === 0 || idMatches(w, this.federation.hash))) this.send(w);
    }
    return outcome;
  }

  /**
   * Apply the verdicts that came back (store or quarantine); call between documents. With
   * `all`, wait for every block still being checked; otherwise only while too many are.
   */
  async settle(all = false): Promise<void> {
    this.lane.send();
    for (;;) {
      const next = this.ready.shift();
      if (next !== undefined) { await this.apply(next[0], next[1]); continue; }
      if (this.checking === 0 || (!all && this.checking <= MAX_CHECKING)) return;
      this.lane.send();
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }

  /** End of stream: decide every waiting block (memory, spilled to `pb!`, earlier quarantined `pq!`). */
  async finish(): Promise<void> {
    await this.settle(true);
    for (const w of [...this.pending.values()]) await this.decideFinal(w);
    await this.settle(true);
    await this.writer.flush(); // spilled entries and staged rows are now on disk
    await this.retry('pb');
    // Blocks quarantined for a missing row by an earlier ingest: only rows can complete them.
    if (this.rowsSeen > 0) await this.retry('pq');
  }

  private async retry(ns: 'pb' | 'pq'): Promise<void> {
    for await (const [k, v] of this.writer.dbIterator(range(ns))) {
      const rec = JSON.parse(v) as Spilled;
      const block = parseJson(rec.doc) as unknown as Block;
      if (this.pending.has(block.id)) continue;
      const w = await this.load(block.id, rec.doc, storedNeeds(block), rec.origin, rec.layout);
      w.block = block;
      if (ns === 'pb' || w.needAssets.size === 0) {
        // Deleted with the decision, in its batch: a crash before it leaves the record to retry.
        w.cleanup = rec.quarantine !== undefined ? [k, rec.quarantine] : [k];
        this.wait(w);
        await this.decideFinal(w);
      }
      this.writer.noteDoc();
      await this.settle();
      await this.writer.maybeFlush();
    }
    await this.settle(true);
  }

  /** A waiting record for a block, with the rows the archive (or this batch) already holds. */
  private async load(id: string, text: string, needs: Needs, origin: string, layout: Layout): Promise<Waiting> {
    const w: Waiting = { id, text, needs, block: null, origin, layout, assets: new Map(), metadata: new Map(), needAssets: new Set(needs.assets), needMeta: new Set(needs.metadata),
      parts: null, checking: false, changed: false, final: false, cleanup: [] };
    const keys = [...needs.assets.map((tx) => key('ra', tx)), ...needs.metadata.map((tx) => key('rm', tx))];
    await this.writer.prefetch(keys);
    for (const tx of needs.assets) {
      const row = await this.writer.get(key('ra', tx));
      if (row !== undefined) { w.assets.set(tx, row); w.needAssets.delete(tx); }
    }
    for (const tx of needs.metadata) {
      const row = await this.writer.get(key('rm', tx));
      if (row !== undefined) { w.metadata.set(tx, row); w.needMeta.delete(tx); }
    }
    return w;
  }

  private wait(w: Waiting): void {
    this.pending.set(w.id, w);
    for (const tx of [...w.needAssets, ...w.needMeta]) {
      const set = this.byTx.get(tx) ?? new Set<string>();
      set.add(w.id);
      this.byTx.set(tx, set);
    }
  }

  /** Spill the oldest block not being checked to `pb!` (memory stays bounded). */
  private spill(): void {
    for (const [id, w] of this.pending) {
      if (w.checking) continue;
      this.writer.put(key('pb', id), JSON.stringify({ doc: w.text, origin: w.origin, layout: w.layout } satisfies Spilled));
      this.forget(id);
      return;
    }
  }

  private forget(blockId: string): void {
    const w = this.pending.get(blockId);
    this.pending.delete(blockId);
    if (w === undefined) return;
    for (const tx of [...w.needs.assets, ...w.needs.metadata]) {
      const set = this.byTx.get(tx);
      set?.delete(blockId);
      if (set !== undefined && set.size === 0) this.byTx.delete(tx);
    }
  }

  /** The end for a waiting block: quarantined when an asset row is missing, else checked with absent metadata as null. */
  private async decideFinal(w: Waiting): Promise<void> {
    w.final = true;
    if (w.checking) return; // its verdict is final now
    if (w.needAssets.size === 0) { this.send(w); return; }
    const q = await this.sink.failed(w.text, w.origin, [...w.needAssets].map((tx) => finding('BLOCK_MISSING_ASSET', 'block', w.id,
      `stored block ${w.id} lacks the assets row of transaction ${tx}`, { tx, where: w.origin })));
    this.writer.put(key('pq', w.id), JSON.stringify({ doc: w.text, origin: w.origin, layout: w.layout, quarantine: q } satisfies Spilled));
    this.done(w);
  }

  /** Send a block with the rows it has to the workers. */
  private send(w: Waiting): void {
    w.checking = true;
    w.changed = false;
    this.checking++;
    const rows = { assets: [...w.assets], metadata: [...w.metadata] };
    this.lane.check({ table: 'bigchain', origin: w.origin, doc: undefined, text: w.text, rows }).then(
      (v) => this.arrived(w, v), (err: unknown) => this.arrived(w, err instanceof Error ? err : new Error(String(err))));
  }

  private arrived(w: Waiting, v: CheckedDoc | Error): void {
    this.ready.push([w, v]);
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Store, quarantine, or (the id may still change with a metadata row) keep waiting. */
  private async apply(w: Waiting, v: CheckedDoc | Error): Promise<void> {
    this.checking--;
    w.checking = false;
    if (v instanceof Error) throw v; // the pool closed under us: the run fails, what is stored stays whole
    const findings = v.findings;
    const fatal = v.kind !== 'block' || findings.some((f) => FATAL_BLOCK_FINDINGS.has(f.code));
    const idMismatch = fatal && v.kind === 'block' && findings.some((f) => f.code === 'BLOCK_ID_MISMATCH');
    if (idMismatch && w.changed) {
      // Metadata rows came while it was checked: check again with them, now or when the id matches.
      if (w.final || w.needMeta.size === 0 || idMatches(w, this.federation.hash)) this.send(w);
      return;
    }
    if (idMismatch && w.needMeta.size > 0 && !w.final) return; // a metadata row may still come: wait
    if (fatal) await this.sink.failed(w.text, w.origin, findings);
    else await this.sink.complete(v.block, w.origin, w.layout, findings, preparedBlock(v));
    this.done(w);
  }

  private done(w: Waiting): void {
    for (const k of w.cleanup) this.writer.del(k);
    this.forget(w.id);
  }
}
