/**
 * `npm run fixtures`: (re)write fixtures/sample and fixtures/damaged from the deterministic
 * ledger builder. Idempotent and byte-deterministic: the same code writes the same bytes,
 * the dump included (fixed member times, dump time in UTC, rows in primary-key order).
 *
 * Usage: node dist/scripts/make-fixtures.js [fixtures-dir]   (default ./fixtures)
 */
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { canonicalize, sortKeys } from '../src/model/canonical.js';
import { stripBlock } from '../src/model/stored.js';
import { buildLedger, voteRowId, type Ledger, type LedgerOptions } from '../test/helpers/ledger-builder.js';
import { damageAll, type Doc } from './fixtures/damage.js';
import { damagedReadme, sampleReadme } from './fixtures/readme.js';
import { dumpDifference } from './fixtures/tar-compare.js';

/** The shipped sample: a 4-node federation, 210 blocks of 1–50 transactions. */
export const SAMPLE_OPTIONS: LedgerOptions = {
  seed: 'sample', blocks: 210, txsPerBlock: [1, 50], federationSize: 4,
  nodeNames: ['Berlin (node-1)', 'Zürich (node-2)', '東京 (node-3)', 'São Paulo (node-4)'],
  invalidAt: [23, 88, 151, 203], undecided: [2, 1], reorderRate: 0.08,
};

/** The small good chain the damaged fixtures derive from. */
export const GOOD_OPTIONS: LedgerOptions = {
  seed: 'damaged', blocks: 12, txsPerBlock: [1, 3], federationSize: 4, invalidAt: [6], undecided: [2, 1], reorderRate: 0.12,
};

/**
 * The dump's file name. `rethinkdb dump` would call it `rethinkdb_dump_2017-11-06T10:00:00.tar.gz`,
 * but ':' cannot be in a file name on Windows (a checkout there fails), so the file name uses
 * '-'; the top folder INSIDE the archive keeps the tool's own name, which is all restore reads.
 */
export const DUMP_FILE = 'rethinkdb_dump_2017-11-06T10-00-00.tar.gz';
/** The dump's time: names the top folder (in UTC) and stamps every member. */
export const DUMP_DATE = new Date(Date.UTC(2017, 10, 6, 10, 0, 0));

const ndjson = (docs: readonly unknown[]): string => docs.map((d) => `${canonicalize(d)}\n`).join('');
const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

/**
 * Write every fixture under `root`.
 * @returns the paths written, relative to `root`
 */
export async function makeFixtures(root: string): Promise<string[]> {
  const written: string[] = [];
  const put = async (rel: string, text: string): Promise<void> => {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), text);
    written.push(rel);
  };

  const sample = buildLedger(SAMPLE_OPTIONS);
  await put('sample/federation.json', json(sample.federation));
  await put('sample/ledger.ndjson', ndjson(sample.events.map((e) => (e.kind === 'block' ? e.block : e.vote))));
  await put('sample/expected.json', json(expectedOf(sample)));
  const dump = await writeSampleDump(sample, join(root, 'sample', DUMP_FILE));
  written.push(`sample/${DUMP_FILE}`);
  await put('sample/README.md', sampleReadme(sample, SAMPLE_OPTIONS, DUMP_FILE, dump));

  const good = buildLedger(GOOD_OPTIONS);
  const docsOf = (d: Doc[]): unknown[] => d.map((x) => (x.kind === 'block' ? x.block : x.vote));
  await put('damaged/federation.json', json(good.federation));
  await put('damaged/good/ledger.ndjson', ndjson(good.events.map((e) => (e.kind === 'block' ? e.block : e.vote))));
  await put('damaged/good/expected.json', json({ finding: null, doc: null, statuses: expectedOf(good).statuses }));
  const damaged = damageAll(good);
  for (const d of damaged) {
    await put(`damaged/${d.name}/ledger.ndjson`, ndjson(docsOf(d.docs)));
    await put(`damaged/${d.name}/expected.json`, json(d.expected));
  }
  await put('damaged/README.md', damagedReadme(good, GOOD_OPTIONS, damaged));
  return written;
}

/** Counts and the intended status of every block, in height order. */
export function expectedOf(l: Ledger): { counts: Record<string, number>; statuses: Record<string, string> } {
  return { counts: { ...l.summary }, statuses: Object.fromEntries(l.blocks.map((b) => [b.id, l.statuses.get(b.id)!])) };
}

/** Row counts of the written dump, per table. */
export type DumpCounts = Record<string, number>;

/** The v1.3 stored layout (reference §6): stripped blocks, votes with row ids, assets, metadata. */
async function writeSampleDump(l: Ledger, path: string): Promise<DumpCounts> {
  const bigchain: unknown[] = [];
  const assets: unknown[] = [];
  const metadata: unknown[] = [];
  for (const b of l.blocks) {
    const s = stripBlock(b, '1.3');
    bigchain.push(s.block);
    assets.push(...s.assets);
    metadata.push(...s.metadata);
  }
  const votes = l.votes.map((v) => ({ ...v, id: voteRowId(v) }));
  // RethinkDB returns rows in primary-key order with their fields sorted (its objects are sorted maps).
  const rows = (docs: unknown[]): unknown[] => docs.map(sortDeep).sort((a, b) => cmp((a as { id: string }).id, (b as { id: string }).id));
  const tables = { bigchain: rows(bigchain), votes: rows(votes), assets: rows(dedupe(assets)), metadata: rows(dedupe(metadata)) };
  const { writeDump } = await import('../src/dump/write.js');
  const tz = process.env.TZ;
  process.env.TZ = 'UTC'; // the dump tool names the top folder in local time; make "local" UTC
  const fresh = `${path}.new`;
  try {
    await writeDump(fresh, { db: 'bigchain', date: DUMP_DATE, tables: Object.entries(tables).map(([name, docs]) => ({ name, docs })) });
  } finally {
    if (tz === undefined) delete process.env.TZ; else process.env.TZ = tz;
  }
  // The writer draws random .info ids; keep the committed archive when only those differ.
  const exists = await access(path).then(() => true, () => false);
  if (exists && (await dumpDifference(path, fresh)) === null) await rm(fresh);
  else await rename(fresh, path);
  return Object.fromEntries(Object.entries(tables).map(([k, v]) => [k, v.length]));
}

/** A transaction carried from an invalid block into the next one has one assets/metadata row, not two. */
function dedupe(rows: unknown[]): unknown[] {
  const seen = new Map<string, unknown>();
  for (const r of rows) seen.set((r as { id: string }).id, r);
  return [...seen.values()];
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (typeof v !== 'object' || v === null || v instanceof Number) return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(sortKeys(Object.keys(o)).map((k) => [k, sortDeep(o[k])]));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(process.argv[2] ?? 'fixtures');
  makeFixtures(root).then((files) => {
    process.stdout.write(`wrote ${files.length} files under ${root}\n`);
  }, (err: unknown) => {
    process.stderr.write(`make-fixtures: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
