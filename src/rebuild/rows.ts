/**
 * The rows a rebuild writes, table by table (docs/spec-rebuild.md §3), streamed from the
 * archive: kept blocks stripped into the layout's stored form (model/stored.ts), their
 * assets/metadata rows, and the kept votes with a RethinkDB row `id`. One pass over the
 * archive per table, so memory stays flat whatever the archive's size.
 */
import { sha256 } from '../crypto/hash.js';
import { parseJson } from '../model/json.js';
import { stripBlock } from '../model/stored.js';
import type { Block, Vote } from '../model/types.js';
import { voteSignedBytes } from '../store/entries.js';
import type { TableName } from '../model/documents.js';
import type { Archive } from '../store/archive.js';
import { keyParts, range } from '../store/schema.js';
import type { RebuildPlan } from './plan-types.js';
import { voteWithin } from './select.js';
import { StoredGate } from '../check/gate.js';

const gates = new WeakMap<RebuildPlan, StoredGate>();

/**
 * The re-check every stored document passes on its way into a rebuild (SPEC.md §15.11),
 * one per plan so each corrupt document is named once whatever the number of passes.
 */
export function rebuildGate(archive: Archive, plan: RebuildPlan): StoredGate {
  let g = gates.get(plan);
  if (g === undefined) { g = new StoredGate(archive.federation); gates.set(plan, g); }
  return g;
}

/** One row of a table. */
export type Row = Record<string, unknown>;

/**
 * The RethinkDB row id of a vote that has none (votes from the HTTP API or NDJSON files):
 * a UUID laid out as version 4 (RethinkDB's own ids are v4) from the first 16 bytes of
 * SHA-256 over `ledger-archive vote row\n` + the vote's signed canonical bytes. The same
 * vote always gets the same id, so rebuilding twice gives the same rows.
 * @example voteRowId(vote) // 'b3c9…-…'
 */
export function voteRowId(vote: Vote): string {
  const h = sha256(Buffer.from(`ledger-archive vote row\n${voteSignedBytes(vote)}`, 'utf8'));
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** A stored vote as a `votes` row: the id it had, else {@link voteRowId}. */
export function voteRow(vote: Vote): Row {
  const { id, ...rest } = vote;
  return { id: typeof id === 'string' ? id : voteRowId(vote), ...rest };
}

/** Kept blocks in id order (the primary-key order `rethinkdb dump` writes). */
async function* keptBlocks(archive: Archive, plan: RebuildPlan, signal?: AbortSignal): AsyncGenerator<Block> {
  let n = 0;
  for await (const [k, v] of archive.db.iterator(range('b'))) {
    if (!plan.keep.has(keyParts(k)[0]!)) continue;
    if (++n % 1000 === 0) signal?.throwIfAborted();
    if (!rebuildGate(archive, plan).pass(k, v)) continue;
    yield parseJson(v) as unknown as Block;
  }
}

/** Kept votes (primary, then second votes by one voter), as rows. */
async function* keptVotes(archive: Archive, plan: RebuildPlan, signal?: AbortSignal): AsyncGenerator<Row> {
  let n = 0;
  for (const ns of ['v', 'vd'] as const) {
    for await (const [k, v] of archive.db.iterator(range(ns))) {
      if (!plan.keep.has(keyParts(k)[0]!)) continue;
      if (plan.voteCutoff !== null && !voteWithin(v, plan.voteCutoff)) continue;
      if (++n % 1000 === 0) signal?.throwIfAborted();
      if (!rebuildGate(archive, plan).pass(k, v)) continue;
      yield voteRow(parseJson(v) as unknown as Vote);
    }
  }
}

/**
 * The rows of one table of the plan's layout (`backlog` is always empty: BigchainDB's
 * restore guidance empties it, and the archive keeps no backlog).
 * @example for await (const row of tableRows(archive, plan, 'assets')) ...
 */
export async function* tableRows(archive: Archive, plan: RebuildPlan, table: TableName, signal?: AbortSignal): AsyncGenerator<Row> {
  switch (table) {
    case 'backlog': return;
    case 'votes': yield* keptVotes(archive, plan, signal); return;
    case 'bigchain':
      for await (const b of keptBlocks(archive, plan, signal)) yield stripBlock(b, plan.layout).block as unknown as Row;
      return;
    case 'assets': case 'metadata': {
      // A transaction in two kept blocks (re-blocked after an invalid block) has one row, as in BigchainDB.
      const shared = await sharedTransactions(archive, plan);
      const done = new Set<string>();
      for await (const b of keptBlocks(archive, plan, signal)) {
        const s = stripBlock(b, plan.layout);
        for (const row of table === 'assets' ? s.assets : s.metadata) {
          if (shared.has(row.id)) {
            if (done.has(row.id)) continue;
            done.add(row.id);
          }
          yield row as unknown as Row;
        }
      }
      return;
    }
  }
}

const sharedCache = new WeakMap<RebuildPlan, Set<string>>();

/** Transaction ids held by more than one kept block (from the `tx!` index; keys only). */
export async function sharedTransactions(archive: Archive, plan: RebuildPlan): Promise<Set<string>> {
  const cached = sharedCache.get(plan);
  if (cached !== undefined) return cached;
  const out = new Set<string>();
  let last = '';
  let count = 0;
  for await (const k of archive.db.keys(range('tx'))) {
    const [tx, block] = keyParts(k) as [string, string];
    if (!plan.keep.has(block)) continue;
    if (tx !== last) { last = tx; count = 0; }
    if (++count === 2) out.add(tx);
  }
  sharedCache.set(plan, out);
  return out;
}
