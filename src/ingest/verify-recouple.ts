/**
 * Re-coupling for `verify` (SPEC.md §10, §13.1). A v1.0/v1.3 stored block verifies only
 * with its `assets` (and `metadata`) rows put back, and a dump lists the bigchain table
 * before those rows. verify keeps nothing, so waiting blocks, the rows and the
 * elections already decided for waiting blocks go to a scratch LevelDB (a temporary
 * folder, removed at the end): memory holds only the ids of the waiting blocks and a
 * write buffer, however large the dump. At the end of the stream every waiting block is
 * re-coupled once (all rows are in by then, so an absent metadata row means null, as
 * v1.3 stores only non-null metadata) and given back as a full document to verify.
 */
import { finding, type Finding } from '../findings.js';
import { canonicalize } from '../model/canonical.js';
import { parseJson, type JsonValue } from '../model/json.js';
import { recoupleBlock, storedNeeds } from '../model/stored.js';
import type { Block } from '../model/types.js';
import type { RawDoc } from '../model/documents.js';
import type { LedgerDb } from '../store/archive.js';
import type { ScratchDb } from '../store/scratch.js';
import type { Decided } from '../verify/election-tracker.js';

/** A waiting block after the stream: a full document to verify, or the asset rows it lacks. */
export type Recoupled =
  | { id: string; raw: RawDoc; missing: null }
  | { id: string; raw: null; missing: Finding[] };

// Scratch keys: b!<block id> → {origin, doc}; a!/m!<tx id> → row text; e!<block id> → Decided.
const BLOCKS = { gt: 'b!', lt: 'b"' };
const FLUSH_AT = 1000;
const READ_AHEAD = 64;

/** Stored-layout blocks and rows set aside until the end of a verify stream. */
export class StoredStage {
  private scratch: ScratchDb | null = null;
  private readonly open: () => Promise<ScratchDb>;
  private readonly waiting = new Set<string>();
  /** Buffered writes; rows keep the first text received for an id (as ingest does). */
  private buffer = new Map<string, string>();
  private readonly conflicts: Finding[] = [];

  /** @param open opens the scratch database, on the first stored-layout document only */
  constructor(open: () => Promise<ScratchDb>) {
    this.open = open;
  }

  /** Whether a block is waiting here (its election goes to {@link saveElection}). */
  has(blockId: string): boolean {
    return this.waiting.has(blockId);
  }

  /** Blocks waiting. */
  get size(): number {
    return this.waiting.size;
  }

  /**
   * Set a stored-layout block aside (`text`: its canonical text, when the verdict carries it;
   * the block may then lack its transactions); false when it is already waiting.
   */
  addBlock(block: Block, origin: string, text?: string): boolean {
    if (this.waiting.has(block.id)) return false;
    this.waiting.add(block.id);
    this.buffer.set(`b!${block.id}`, JSON.stringify({ origin, doc: text ?? canonicalize(block) }));
    return true;
  }

  /** Set an `assets`/`metadata` row aside (the first row for an id is kept). */
  addRow(kind: 'asset' | 'metadata', id: string, row: Record<string, unknown>, origin: string): void {
    const k = `${kind === 'asset' ? 'a' : 'm'}!${id}`;
    const text = canonicalize(row);
    const held = this.buffer.get(k);
    if (held === undefined) this.buffer.set(k, text);
    else if (held !== text) this.conflicts.push(rowConflict(kind, id, origin));
  }

  /** Keep the election of a waiting block until the block itself is verified. */
  saveElection(d: Decided): void {
    this.buffer.set(`e!${d.blockId}`, JSON.stringify(d));
  }

  /** Write the buffer out when it is large (call between documents). */
  async maybeFlush(): Promise<void> {
    if (this.buffer.size >= FLUSH_AT) await this.flush();
  }

  /** Findings for different rows under one id seen so far (then forgotten). */
  takeConflicts(): Finding[] {
    return this.conflicts.splice(0);
  }

  /**
   * Every waiting block re-coupled with its rows, in block id order. Call after the
   * stream has ended (and its elections were saved).
   */
  async *recoupled(): AsyncGenerator<Recoupled> {
    if (this.waiting.size === 0) return;
    await this.flush();
    const db = this.scratch!.db;
    let chunk: Block[] = [];
    const origins = new Map<string, string>();
    const emit = async function* (blocks: Block[]): AsyncGenerator<Recoupled> {
      const needs = blocks.map((b) => storedNeeds(b));
      const keys = needs.flatMap((n) => [...n.assets.map((t) => `a!${t}`), ...n.metadata.map((t) => `m!${t}`)]);
      const values = keys.length > 0 ? await db.getMany(keys) : [];
      const rows = new Map<string, string>();
      keys.forEach((k, i) => { if (values[i] !== undefined) rows.set(k, values[i]!); });
      for (const block of blocks) yield recouple(block, origins.get(block.id)!, rows);
    };
    for await (const v of db.values(BLOCKS)) {
      const rec = JSON.parse(v) as { origin: string; doc: string };
      const block = parseJson(rec.doc) as unknown as Block;
      origins.set(block.id, rec.origin);
      chunk.push(block);
      if (chunk.length >= READ_AHEAD) { yield* emit(chunk); chunk = []; origins.clear(); }
    }
    yield* emit(chunk);
  }

  /** The election saved for a waiting block (null when none was decided). */
  async election(blockId: string): Promise<Decided | null> {
    const v = this.buffer.get(`e!${blockId}`) ?? (this.scratch === null ? undefined : await this.scratch.db.get(`e!${blockId}`));
    return v === undefined ? null : JSON.parse(v) as Decided;
  }

  /** Close and remove the scratch database. */
  async close(): Promise<void> {
    this.buffer.clear();
    await this.scratch?.close();
    this.scratch = null;
  }

  private async flush(): Promise<void> {
    if (this.buffer.size === 0) return;
    this.scratch ??= await this.open();
    const db: LedgerDb = this.scratch.db;
    const entries = [...this.buffer];
    this.buffer = new Map();
    // Rows already written by an earlier flush win: the first row received is kept.
    const rowKeys = entries.filter(([k]) => k[0] === 'a' || k[0] === 'm').map(([k]) => k);
    const held = rowKeys.length > 0 ? await db.getMany(rowKeys) : [];
    const heldBy = new Map(rowKeys.map((k, i) => [k, held[i]] as const));
    const ops: { type: 'put'; key: string; value: string }[] = [];
    for (const [k, value] of entries) {
      const before = heldBy.get(k);
      if (before !== undefined) {
        if (before !== value) this.conflicts.push(rowConflict(k[0] === 'a' ? 'asset' : 'metadata', k.slice(2), 'input'));
        continue;
      }
      ops.push({ type: 'put', key: k, value });
    }
    await db.batch(ops);
  }
}

function recouple(block: Block, origin: string, rows: ReadonlyMap<string, string>): Recoupled {
  const needs = storedNeeds(block);
  const assets = new Map<string, JsonValue>();
  const metadata = new Map<string, JsonValue>();
  for (const tx of needs.assets) {
    const text = rows.get(`a!${tx}`);
    if (text === undefined) continue;
    const { id: _id, ...asset } = parseJson(text) as Record<string, JsonValue>;
    assets.set(tx, asset);
  }
  for (const tx of needs.metadata) {
    const text = rows.get(`m!${tx}`);
    if (text !== undefined) metadata.set(tx, (parseJson(text) as { metadata: JsonValue }).metadata);
  }
  const { block: full, missingAssets } = recoupleBlock(block, assets, metadata);
  if (missingAssets.length > 0) {
    return { id: block.id, raw: null, missing: missingAssets.map((tx) => finding('BLOCK_MISSING_ASSET', 'block', block.id,
      `stored block ${block.id} lacks the assets row of transaction ${tx}`, { tx, where: origin })) };
  }
  // As text: the pool parses it (in a worker), exactly as a document read from a file.
  return { id: block.id, raw: { table: 'bigchain', doc: undefined, text: canonicalize(full), origin }, missing: null };
}

function rowConflict(kind: 'asset' | 'metadata', id: string, origin: string): Finding {
  return finding('STORE_CONFLICT', kind, id, `a different ${kind} row for transaction ${id} was given; the first is used`, { where: origin });
}
