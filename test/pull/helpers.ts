/**
 * Shared setup of the pull tests: a signed ledger (ledger-builder), loaded into the
 * RethinkDB double in a storage layout through the product's own target, and
 * archives to pull into; comparisons of archive contents without run-specific keys.
 */
import { stripBlock } from '../../src/model/stored.js';
import { federationFromJson, type Federation } from '../../src/model/federation.js';
import { openRethinkTarget, parseRethinkUrl } from '../../src/sources/rethinkdb.js';
import { tablesFor } from '../../src/sources/rethinkdb-schema.js';
import type { Layout, TableName } from '../../src/model/documents.js';
import type { LedgerDb } from '../../src/store/archive.js';
import type { Block, Vote } from '../../src/model/types.js';
import type { RethinkDouble } from '../doubles/rethinkdb-server.js';
import type { TestServer } from '../helpers/rethink-servers.js';
import { buildLedger, voteRowId, type Ledger, type LedgerOptions } from '../helpers/ledger-builder.js';
import { dumpDb } from '../helpers/store-archive.js';

/** A small signed ledger with plain payloads (RethinkDB stores numbers as doubles). */
export function smallLedger(opts: LedgerOptions = {}): Ledger {
  return buildLedger({ blocks: 10, txsPerBlock: [1, 3], richData: false, federationSize: 3, undecided: [1, 0], ...opts });
}

/** The ledger's federation. */
export function federationOf(l: Ledger): Federation {
  return federationFromJson(l.federation);
}

/** The double, or a server of rethink-servers.ts (double or real). */
export type AnyServer = RethinkDouble | TestServer;

/** The `rethinkdb://` address of a database on the server (password: {@link serverEnv}). */
export function rethinkUrl(d: AnyServer, db: string): string {
  return 'kind' in d ? d.url(db) : `rethinkdb://admin@${d.host}:${d.port}/${db}`;
}

/** The environment that gives the product the server's admin password. */
export function serverEnv(d: AnyServer): Record<string, string> {
  return 'kind' in d ? d.env() : {};
}

/** Rows of each table for blocks and votes in `layout` (blocks stripped; votes with row ids). */
export function rowsFor(layout: Layout, blocks: readonly Block[], votes: readonly Vote[]): Record<'bigchain' | 'votes' | 'assets' | 'metadata', unknown[]> {
  const out = { bigchain: [] as unknown[], votes: votes.map((v) => ({ id: voteRowId(v), ...v })) as unknown[], assets: [] as unknown[], metadata: [] as unknown[] };
  for (const b of blocks) {
    const s = stripBlock(b, layout);
    out.bigchain.push(s.block);
    out.assets.push(...s.assets);
    out.metadata.push(...s.metadata);
  }
  // A transaction of an invalid block lands again in a later block; BigchainDB's second
  // insert of its row fails quietly (RethinkDB reports, does not raise), so one row stays.
  const once = (rows: unknown[]): unknown[] => [...new Map(rows.map((r) => [(r as { id: string }).id, r])).values()];
  out.assets = once(out.assets.reverse()).reverse();
  out.metadata = once(out.metadata.reverse()).reverse();
  return out;
}

/** Create BigchainDB's schema for `layout` in `db` (double or real server), then insert the rows. */
export async function createLedgerDb(d: AnyServer, db: string, layout: Layout, blocks: readonly Block[], votes: readonly Vote[]): Promise<void> {
  const t = await openRethinkTarget({ url: parseRethinkUrl(rethinkUrl(d, db), { env: serverEnv(d) }) });
  try {
    await t.createDatabase(layout);
    await insertRows(d, db, layout, blocks, votes, t);
  } finally { await t.close(); }
}

/** Insert more blocks/votes (with their rows) into an existing database. */
export async function insertRows(d: AnyServer, db: string, layout: Layout, blocks: readonly Block[], votes: readonly Vote[],
  target?: Awaited<ReturnType<typeof openRethinkTarget>>): Promise<void> {
  const t = target ?? await openRethinkTarget({ url: parseRethinkUrl(rethinkUrl(d, db), { env: serverEnv(d) }) });
  try {
    const rows = rowsFor(layout, blocks, votes);
    // BigchainDB writes assets and metadata before the block that needs them.
    for (const table of ['assets', 'metadata', 'bigchain', 'votes'] as const) {
      if (tablesFor(layout).includes(table as TableName) && rows[table].length > 0) await t.insert(table, rows[table]);
    }
  } finally { if (target === undefined) await t.close(); }
}

/** Archive contents without what differs between equal pulls (sync records, selections, quarantine times). */
export async function archiveContents(db: LedgerDb): Promise<Map<string, string>> {
  const all = await dumpDb(db);
  for (const k of [...all.keys()]) {
    // sq!/meta!seq/ex!: arrival order and exports made, bookkeeping like sync records.
    if (k.startsWith('sy!') || k === 'meta!selection' || k === 'meta!format' || k.startsWith('sq!') || k.startsWith('ex!') || k === 'meta!seq') all.delete(k);
    else if (k.startsWith('q!')) all.set(k, JSON.stringify({ ...JSON.parse(all.get(k)!) as object, at: null }));
  }
  return all;
}

/** Count keys with a prefix. */
export async function countPrefix(db: LedgerDb, prefix: string): Promise<number> {
  let n = 0;
  for await (const _k of db.keys({ gt: prefix, lt: `${prefix}~` })) n++;
  return n;
}
