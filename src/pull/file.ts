/**
 * Pulling from files (docs/spec-pull.md §4): a `rethinkdb dump` archive, a folder made
 * by `rethinkdb export`, or NDJSON/JSON documents — always streamed. `--all` (the
 * default for a file) ingests every document; a selection reads the file twice:
 * pass 1 finds the selected blocks, pass 2 delivers them with their votes and
 * their assets/metadata rows, so memory holds ids, never documents.
 */
import { openAnySource } from '../dump/documents.js';
import { LedgerError } from '../errors.js';
import { parseJson } from '../model/json.js';
import { stat } from 'node:fs/promises';
import { readDumpInfo } from '../dump/read.js';
import { readExportDirInfo } from '../dump/export-dir.js';
import type { RawDoc, Selection, TableName } from '../model/documents.js';
import type { PullRun } from './run.js';

/**
 * Documents of a path (dump archive, export folder or documents file; see
 * dump/documents.ts). A document the reader could not parse becomes a RawDoc whose
 * `text` is not JSON and names the error, so ingest quarantines it with
 * DOC_INVALID_JSON under a key of its own (origin included).
 * @throws LedgerError LEDGER_INPUT when the path cannot be read
 */
export async function* fileDocuments(path: string, tables?: readonly TableName[]): AsyncGenerator<RawDoc> {
  const { docs } = await openAnySource(path, tables === undefined ? {} : { tables });
  for await (const d of docs) {
    if (d.invalid === undefined) yield d;
    else yield { ...d, doc: undefined, text: `<unreadable document at ${d.origin}: ${d.invalid}>` }; // `invalid`/`limit` name the finding
  }
}

/** The parsed document (readers may deliver only its text); undefined when it does not parse. */
function docOf(d: RawDoc): unknown {
  if (d.doc !== undefined || d.text === undefined) return d.doc;
  try { return parseJson(d.text); } catch { return undefined; }
}

const field = (v: unknown, k: string): unknown =>
  (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** True when a raw block matches the selection (tx id; owner in outputs or inputs; asset CREATE or TRANSFER). */
export function blockMatches(doc: unknown, sel: Selection): boolean {
  const txs = field(field(doc, 'block'), 'transactions');
  if (!Array.isArray(txs)) return false;
  const tx = new Set(sel.tx ?? []); const owner = new Set(sel.owner ?? []); const asset = new Set(sel.asset ?? []);
  return txs.some((t) => {
    const id = field(t, 'id');
    if (typeof id === 'string' && (tx.has(id) || asset.has(id))) return true;
    const a = field(field(t, 'asset'), 'id');
    if (typeof a === 'string' && asset.has(a)) return true;
    if (owner.size === 0) return false;
    const outs = Array.isArray(field(t, 'outputs')) ? field(t, 'outputs') as unknown[] : [];
    const ins = Array.isArray(field(t, 'inputs')) ? field(t, 'inputs') as unknown[] : [];
    return outs.some((o) => strings(field(o, 'public_keys')).some((k) => owner.has(k)))
      || ins.some((i) => strings(field(i, 'owners_before')).some((k) => owner.has(k)));
  });
}

/**
 * The passes of an everything-pull: for a dump or export folder in a stored layout (1.0+),
 * the `assets`/`metadata` tables first, then `bigchain` and `votes`. `rethinkdb dump` tars
 * its tables in sorted order, `bigchain` before `metadata`, so in one pass every block
 * would wait for its rows — held in memory, then spilled to disk and retried at the end
 * (on a 100,000-block dump: peak RSS 800 MB, +40% CPU). Rows first, each block completes
 * on arrival. Costs one more decompression of the file. Otherwise one pass, as stored.
 */
export async function filePasses(path: string): Promise<(readonly TableName[] | undefined)[]> {
  let names: Set<string>;
  try {
    if ((await stat(path)).isDirectory()) names = new Set((await readExportDirInfo(path)).map((t) => t.table));
    else if (/\.(tar\.gz|tgz|tar)$/i.test(path)) names = new Set((await readDumpInfo(path)).tables.map((t) => t.table));
    else return [undefined];
  } catch {
    return [undefined]; // the one pass reports what is wrong with the path
  }
  const rows = (['assets', 'metadata'] as const).filter((t) => names.has(t));
  const rest = (['bigchain', 'votes'] as const).filter((t) => names.has(t));
  return rows.length === 0 || rest.length === 0 ? [undefined] : [rows, rest];
}

/** Ingest a file: everything (rows first, see {@link filePasses}), or the selection's blocks with their votes and rows. */
export async function pullFile(run: PullRun, path: string, sel: Selection): Promise<void> {
  if (sel.all === true || ((sel.tx ?? []).length === 0 && (sel.owner ?? []).length === 0 && (sel.asset ?? []).length === 0)) {
    // An empty file is not an empty ledger: refuse it before the pull is recorded (issue 11 §9).
    // Thrown inside the last stream, so ingest never records the pull as a good one.
    let n = 0;
    const passes = await filePasses(path);
    const counted = async function* (docs: AsyncIterable<RawDoc>, last: boolean): AsyncGenerator<RawDoc> {
      for await (const d of docs) { n++; yield d; }
      if (last && n === 0) throw new LedgerError('LEDGER_INPUT', `no documents in ${path}`, { path });
    };
    for (const [i, tables] of passes.entries()) await run.ingest(counted(fileDocuments(path, tables), i === passes.length - 1));
    return;
  }
  const blocks = new Set<string>();
  const txs = new Set<string>();
  for await (const d of fileDocuments(path)) {
    if (d.table !== null && d.table !== 'bigchain') continue;
    const doc = docOf(d);
    if (!blockMatches(doc, sel)) continue;
    const id = field(doc, 'id');
    if (typeof id === 'string') blocks.add(id);
    for (const t of field(field(doc, 'block'), 'transactions') as unknown[]) {
      const tid = field(t, 'id');
      if (typeof tid === 'string') txs.add(tid);
    }
  }
  await run.ingest((async function* (): AsyncGenerator<RawDoc> {
    for await (const d of fileDocuments(path)) {
      const doc = docOf(d);
      const id = field(doc, 'id');
      const voteFor = field(field(doc, 'vote'), 'voting_for_block');
      if (typeof voteFor === 'string') { if (blocks.has(voteFor)) yield d; continue; }
      if (typeof id !== 'string') continue;
      if (field(doc, 'block') !== undefined) { if (blocks.has(id)) yield d; continue; }
      if ((d.table === 'assets' || d.table === 'metadata' || d.table === null) && txs.has(id)) yield d;
    }
  })());
}
