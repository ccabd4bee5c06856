/**
 * Re-coupling stored-layout blocks during ingest (SPEC.md §10, §12.4). BigchainDB
 * 1.0+ keeps assets (1.3: also metadata) in their own tables, so a block from a
 * dump or database verifies only with its rows put back, and rows may arrive before
 * or after the block. Rows are staged in the archive (`ra!`/`rm!`) as they come;
 * blocks still waiting wait in memory, up to `limit`, then spill to `pb!` on disk,
 * so memory stays bounded and a crash loses nothing (the next ingest retries `pb!`).
 * At the end what is still incomplete is quarantined (BLOCK_MISSING_ASSET).
 */
import { finding, type Finding } from '../findings.js';
import { canonicalize } from '../model/canonical.js';
import type { Federation } from '../model/federation.js';
import { parseJson, type JsonValue } from '../model/json.js';
import { recoupleBlock, storedNeeds } from '../model/stored.js';
import type { Block } from '../model/types.js';
import type { Layout } from '../sources/source.js';
import { verifyBlock } from '../verify/block.js';
import { key, range } from '../store/schema.js';
import type { BatchWriter } from './ingest-writer.js';

/** Block findings that mean the document is not authentic: it is quarantined, never stored. */
export const FATAL_BLOCK_FINDINGS: ReadonlySet<string> = new Set(['BLOCK_ID_MISMATCH', 'BLOCK_BAD_SIGNATURE', 'BLOCK_UNKNOWN_CREATOR']);

/** What happens to a block once re-coupling is decided. */
export interface RecoupleSink {
  complete(block: Block, stored: Block, origin: string, layout: Layout, findings: Finding[]): Promise<void>;
  failed(stored: Block, origin: string, findings: Finding[]): Promise<void>;
  rowConflict(f: Finding): void;
}

interface Waiting { block: Block; origin: string; layout: Layout }

type Attempt = { done: true } | { done: false; missingAssets: string[] };

/** Holds stored-layout blocks until their rows are there. */
export class Recoupler {
  private pending = new Map<string, Waiting>();
  private byTx = new Map<string, Set<string>>();
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
    const w: Waiting = { block, origin, layout };
    if ((await this.attempt(w, false)).done) return;
    this.pending.set(block.id, w);
    const needs = storedNeeds(block);
    for (const tx of [...needs.assets, ...needs.metadata]) {
      const set = this.byTx.get(tx) ?? new Set<string>();
      set.add(block.id);
      this.byTx.set(tx, set);
    }
    if (this.pending.size > this.limit) this.spill();
  }

  /** An assets/metadata row arrived: stage it, then retry the blocks waiting for it. */
  async addRow(kind: 'asset' | 'metadata', row: Record<string, unknown>, origin: string): Promise<'new' | 'duplicate' | 'conflict'> {
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
    for (const blockId of [...(this.byTx.get(id) ?? [])]) {
      const w = this.pending.get(blockId);
      if (w !== undefined && (await this.attempt(w, false)).done) this.forget(blockId);
    }
    return outcome;
  }

  /** End of stream: decide every waiting block (memory, then those spilled to `pb!`). */
  async finish(): Promise<void> {
    for (const w of [...this.pending.values()]) {
      await this.attempt(w, true);
      this.forget(w.block.id);
    }
    await this.writer.flush(); // spilled entries and staged rows are now on disk
    for await (const [k, v] of this.writer.dbIterator(range('pb'))) {
      const rec = JSON.parse(v) as { doc: string; origin: string; layout: Layout };
      await this.attempt({ block: parseJson(rec.doc) as unknown as Block, origin: rec.origin, layout: rec.layout }, true);
      this.writer.del(k);
      this.writer.noteDoc();
      await this.writer.maybeFlush();
    }
  }

  private spill(): void {
    const [id, w] = this.pending.entries().next().value as [string, Waiting];
    this.writer.put(key('pb', id), JSON.stringify({ doc: canonicalize(w.block), origin: w.origin, layout: w.layout }));
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

  /** Try to re-couple and verify; when `final`, an incomplete block is quarantined. */
  private async attempt(w: Waiting, final: boolean): Promise<Attempt> {
    const needs = storedNeeds(w.block);
    const assets = new Map<string, JsonValue>();
    const metadata = new Map<string, JsonValue>();
    for (const tx of needs.assets) {
      const row = await this.writer.get(key('ra', tx));
      if (row !== undefined) {
        const { id: _id, ...asset } = parseJson(row) as Record<string, JsonValue>;
        assets.set(tx, asset);
      }
    }
    let allMeta = true;
    for (const tx of needs.metadata) {
      const row = await this.writer.get(key('rm', tx));
      if (row === undefined) allMeta = false;
      else metadata.set(tx, (parseJson(row) as { metadata: JsonValue }).metadata);
    }
    const { block: full, missingAssets } = recoupleBlock(w.block, assets, metadata);
    if (missingAssets.length > 0) {
      if (!final) return { done: false, missingAssets };
      await this.sink.failed(w.block, w.origin, missingAssets.map((tx) => finding('BLOCK_MISSING_ASSET', 'block', w.block.id,
        `stored block ${w.block.id} lacks the assets row of transaction ${tx}`, { tx, where: w.origin })));
      return { done: true };
    }
    const findings = verifyBlock(full, this.federation);
    const fatal = findings.some((f) => FATAL_BLOCK_FINDINGS.has(f.code));
    // v1.3 stores only non-null metadata, so an absent row may be null or still to come.
    if (fatal && !allMeta && !final) return { done: false, missingAssets: [] };
    if (fatal) await this.sink.failed(w.block, w.origin, findings);
    else await this.sink.complete(full, w.block, w.origin, w.layout, findings);
    return { done: true };
  }
}
