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
 * re-coupled body — tells). The id check is cheap: each transaction's canonical text
 * is kept and only the one a row changes is redone.
 *
 * At the end what still lacks an asset row is quarantined (BLOCK_MISSING_ASSET) and
 * also kept under `pq!`; a later ingest that brings rows retries those blocks at its
 * end, stores the ones that now verify and drops their quarantine entries.
 */
import { finding, type Finding } from '../findings.js';
import { canonicalize } from '../model/canonical.js';
import type { Federation } from '../model/federation.js';
import { parseJson, type JsonValue } from '../model/json.js';
import { hashHex } from '../crypto/hash.js';
import { recoupleBlock, storedNeeds } from '../model/stored.js';
import type { Block, Transaction } from '../model/types.js';
import type { Layout } from '../model/documents.js';
import { verifyBlock } from '../verify/block.js';
import { key, range } from '../store/schema.js';
import type { BatchWriter } from './writer.js';

/** Block findings that mean the document is not authentic: it is quarantined, never stored. */
export const FATAL_BLOCK_FINDINGS: ReadonlySet<string> = new Set(['BLOCK_ID_MISMATCH', 'BLOCK_BAD_SIGNATURE', 'BLOCK_UNKNOWN_CREATOR']);

/** Vote findings that mean the same: quarantined at ingest, STORE_CORRUPT when found at rest. */
export const FATAL_VOTE_FINDINGS: ReadonlySet<string> = new Set(['VOTE_BAD_SIGNATURE', 'VOTE_UNKNOWN_VOTER']);

/** What happens to a block once re-coupling is decided. */
export interface RecoupleSink {
  complete(block: Block, stored: Block, origin: string, layout: Layout, findings: Finding[]): Promise<void>;
  /** Quarantine; returns the quarantine key written (or already there). */
  failed(stored: Block, origin: string, findings: Finding[]): Promise<string>;
  rowConflict(f: Finding): void;
}

/** A block waiting for rows, with what it has so far. */
interface Waiting {
  block: Block;
  origin: string;
  layout: Layout;
  assets: Map<string, JsonValue>;
  metadata: Map<string, JsonValue>;
  needAssets: Set<string>;
  needMeta: Set<string>;
  /** Canonical text of each re-coupled transaction (built once no asset is missing). */
  parts: string[] | null;
}

/** The spilled form (`pb!`, `pq!`). */
interface Spilled { doc: string; origin: string; layout: Layout; quarantine?: string }

/** Holds stored-layout blocks until their rows are there. */
export class Recoupler {
  private pending = new Map<string, Waiting>();
  private byTx = new Map<string, Set<string>>();
  private rowsSeen = 0;
  private readonly writer: BatchWriter;
  private readonly federation: Federation;
  private readonly sink: RecoupleSink;
  private readonly limit: number;

  constructor(writer: BatchWriter, federation: Federation, sink: RecoupleSink, limit: number) {
    this.writer = writer;
    this.federation = federation;
    this.sink = sink;
    this.limit = limit;
  }

  /** Blocks waiting in memory. */
  get size(): number { return this.pending.size; }

  /** A stored-layout block arrived: complete it now, or keep it waiting. */
  async addBlock(block: Block, origin: string, layout: Layout): Promise<void> {
    if (this.pending.has(block.id)) return; // the same block again while waiting
    const w = await this.load(block, origin, layout);
    if (await this.decide(w, false)) return;
    this.pending.set(block.id, w);
    for (const tx of [...w.needAssets, ...w.needMeta]) {
      const set = this.byTx.get(tx) ?? new Set<string>();
      set.add(block.id);
      this.byTx.set(tx, set);
    }
    if (this.pending.size > this.limit) this.spill();
  }

  /** An assets/metadata row arrived: stage it, then hand it to the blocks waiting for it. */
  async addRow(kind: 'asset' | 'metadata', row: Record<string, unknown>, origin: string): Promise<'new' | 'duplicate' | 'conflict'> {
    this.rowsSeen++;
    const id = String(row.id);
    const k = key(kind === 'asset' ? 'ra' : 'rm', id);
    const text = canonicalize(row);
    const existing = await this.writer.get(k);
    let outcome: 'new' | 'duplicate' | 'conflict' = 'new';
    if (existing === text) outcome = 'duplicate';
    else if (existing !== undefined) {
      outcome = 'conflict';
      this.sink.rowConflict(finding('STORE_CONFLICT', kind, id, `a different ${kind} row for transaction ${id} was already received; the first is kept`, { where: origin }));
    } else this.writer.put(k, text);
    const waiting = this.byTx.get(id);
    if (waiting === undefined) return outcome;
    const value = rowValue(kind, existing ?? text); // the first row received is the one kept
    for (const blockId of [...waiting]) {
      const w = this.pending.get(blockId);
      if (w === undefined) continue;
      const need = kind === 'asset' ? w.needAssets : w.needMeta;
      if (!need.delete(id)) continue;
      (kind === 'asset' ? w.assets : w.metadata).set(id, value);
      if (w.parts !== null) refreshPart(w, id);
      if (await this.decide(w, false)) this.forget(blockId);
    }
    return outcome;
  }

  /** End of stream: decide every waiting block (memory, spilled to `pb!`, earlier quarantined `pq!`). */
  async finish(): Promise<void> {
    for (const w of [...this.pending.values()]) {
      await this.decide(w, true);
      this.forget(w.block.id);
    }
    await this.writer.flush(); // spilled entries and staged rows are now on disk
    await this.retry('pb');
    // Blocks quarantined for a missing row by an earlier ingest: only rows can complete them.
    if (this.rowsSeen > 0) await this.retry('pq');
  }

  private async retry(ns: 'pb' | 'pq'): Promise<void> {
    for await (const [k, v] of this.writer.dbIterator(range(ns))) {
      const rec = JSON.parse(v) as Spilled;
      const w = await this.load(parseJson(rec.doc) as unknown as Block, rec.origin, rec.layout);
      if (ns === 'pb' || w.needAssets.size === 0) {
        this.writer.del(k);
        if (rec.quarantine !== undefined) this.writer.del(rec.quarantine); // decided anew below
        await this.decide(w, true);
      }
      this.writer.noteDoc();
      await this.writer.maybeFlush();
    }
  }

  /** A waiting record for a block, with the rows the archive (or this batch) already holds. */
  private async load(block: Block, origin: string, layout: Layout): Promise<Waiting> {
    const needs = storedNeeds(block);
    const w: Waiting = { block, origin, layout, assets: new Map(), metadata: new Map(), needAssets: new Set(needs.assets), needMeta: new Set(needs.metadata), parts: null };
    const keys = [...needs.assets.map((tx) => key('ra', tx)), ...needs.metadata.map((tx) => key('rm', tx))];
    await this.writer.prefetch(keys);
    for (const tx of needs.assets) {
      const row = await this.writer.get(key('ra', tx));
      if (row !== undefined) { w.assets.set(tx, rowValue('asset', row)); w.needAssets.delete(tx); }
    }
    for (const tx of needs.metadata) {
      const row = await this.writer.get(key('rm', tx));
      if (row !== undefined) { w.metadata.set(tx, rowValue('metadata', row)); w.needMeta.delete(tx); }
    }
    return w;
  }

  private spill(): void {
    const [id, w] = this.pending.entries().next().value as [string, Waiting];
    this.writer.put(key('pb', id), JSON.stringify({ doc: canonicalize(w.block), origin: w.origin, layout: w.layout } satisfies Spilled));
    this.forget(id);
  }

  private forget(blockId: string): void {
    const w = this.pending.get(blockId);
    this.pending.delete(blockId);
    if (w === undefined) return;
    const needs = storedNeeds(w.block);
    for (const tx of [...needs.assets, ...needs.metadata]) {
      const set = this.byTx.get(tx);
      set?.delete(blockId);
      if (set !== undefined && set.size === 0) this.byTx.delete(tx);
    }
  }

  /**
   * Decide a block if it can be decided: true when it was stored or quarantined.
   * When `final`, it always is: a missing asset row quarantines it (kept under `pq!`).
   */
  private async decide(w: Waiting, final: boolean): Promise<boolean> {
    if (w.needAssets.size > 0) {
      if (!final) return false;
      const q = await this.sink.failed(w.block, w.origin, [...w.needAssets].map((tx) => finding('BLOCK_MISSING_ASSET', 'block', w.block.id,
        `stored block ${w.block.id} lacks the assets row of transaction ${tx}`, { tx, where: w.origin })));
      this.writer.put(key('pq', w.block.id), JSON.stringify({ doc: canonicalize(w.block), origin: w.origin, layout: w.layout, quarantine: q } satisfies Spilled));
      return true;
    }
    if (w.needMeta.size > 0 && !final && !this.idMatches(w)) return false;
    const { block: full } = recoupleBlock(w.block, w.assets, w.metadata);
    const findings = verifyBlock(full, this.federation);
    const fatal = findings.some((f) => FATAL_BLOCK_FINDINGS.has(f.code));
    // The id matched, yet it fails: more metadata rows cannot mend a signature, but an
    // id computed by the strict serializer may differ; wait for the rest as before.
    if (fatal && w.needMeta.size > 0 && !final && findings.some((f) => f.code === 'BLOCK_ID_MISMATCH')) return false;
    if (fatal) await this.sink.failed(w.block, w.origin, findings);
    else await this.sink.complete(full, w.block, w.origin, w.layout, findings);
    return true;
  }

  /** Whether the id is the hash of the body re-coupled with the rows so far (absent metadata as null). */
  private idMatches(w: Waiting): boolean {
    if (w.parts === null) w.parts = w.block.block.transactions.map((tx) => recoupledText(w, tx));
    const shell = canonicalize({ ...w.block.block, transactions: SENTINEL });
    const at = shell.split(SENTINEL_TEXT);
    if (at.length !== 2) return false; // a body quoting the sentinel: leave it to the final check
    const body = `${at[0]!}[${w.parts.join(',')}]${at[1]!}`;
    return hashHex(this.federation.hash, Buffer.from(body, 'utf8')) === w.block.id;
  }
}

const SENTINEL = '\u0000ledger-archive:transactions\u0000';
const SENTINEL_TEXT = canonicalize(SENTINEL);

/** Canonical text of one transaction re-coupled with the block's rows so far. */
function recoupledText(w: Waiting, tx: Transaction): string {
  const one = { ...w.block, block: { ...w.block.block, transactions: [tx] } };
  return canonicalize(recoupleBlock(one, w.assets, w.metadata).block.block.transactions[0]);
}

/** Redo the canonical text of the transactions a row for `txId` changes. */
function refreshPart(w: Waiting, txId: string): void {
  const txs = w.block.block.transactions;
  for (let i = 0; i < txs.length; i++) if (txs[i]!.id === txId) w.parts![i] = recoupledText(w, txs[i]!);
}

/** What a staged row puts back: the asset object without its `id`, or the metadata value. */
function rowValue(kind: 'asset' | 'metadata', text: string): JsonValue {
  if (kind === 'metadata') return (parseJson(text) as { metadata: JsonValue }).metadata;
  const { id: _id, ...asset } = parseJson(text) as Record<string, JsonValue>;
  return asset;
}
