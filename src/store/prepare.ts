/**
 * Ingest's post-step for the verification pool (verify/post-step.ts): beside each
 * verdict, the worker computes what storing the document needs — its canonical
 * bytes and its index keys — so ingest's main thread only decides and writes, and
 * complete blocks cross back without their transactions (verify/slim.ts).
 * The entries are exactly those of ./entries.ts, so ingest, check and repair agree.
 * Rows (`assets`/`metadata`) get their canonical text, which ingest stages as it is.
 */
import type { RawDoc } from '../model/documents.js';
import type { CheckedDoc } from '../verify/document.js';
import { canonicalTextOf } from '../model/json.js';
import { canonicalize } from '../model/canonical.js';
import { blockBytes, blockIndexEntries, isGenesisBlock, voteBytes, voteIndexEntries } from './entries.js';

/** What a complete block's verdict carries for storing. */
export interface PreparedBlock { kind: 'block'; bytes: string; index: string[]; genesis: boolean }
/** What a vote's verdict carries for storing. */
export interface PreparedVote { kind: 'vote'; bytes: string; index: string[] }

/** What an `assets`/`metadata` row's verdict carries: its canonical text, as staged (`ra!`/`rm!`). */
export interface PreparedRow { kind: 'row'; bytes: string }

/** Index entries are empty-valued (schema.ts), so keys say everything. */
const keysOf = (entries: { key: string; value: string }[]): string[] => entries.map((e) => e.key);

/** The post-step (module export the pool looks for). */
export function postStep(v: CheckedDoc, _raw: RawDoc): CheckedDoc {
  if (v.kind === 'block' && v.needs === null) {
    // A document whose text the parser proved canonical is its own canonical form.
    const prepared: PreparedBlock = { kind: 'block', bytes: canonicalTextOf(v.block) ?? blockBytes(v.block), index: keysOf(blockIndexEntries(v.block)), genesis: isGenesisBlock(v.block) };
    return { ...v, prepared };
  }
  if (v.kind === 'vote') {
    const prepared: PreparedVote = { kind: 'vote', bytes: canonicalTextOf(v.vote) ?? voteBytes(v.vote), index: keysOf(voteIndexEntries(v.vote)) };
    return { ...v, prepared };
  }
  if (v.kind === 'asset' || v.kind === 'metadata') {
    const prepared: PreparedRow = { kind: 'row', bytes: canonicalTextOf(v.row) ?? canonicalize(v.row) };
    return { ...v, prepared };
  }
  return v;
}

/** The post-step's URL, for `checkDocuments({ post })`. */
export const PREPARE_STEP = new URL('./prepare.js', import.meta.url).href;

/** The prepared block of a verdict, when the post-step ran. */
export function preparedBlock(v: CheckedDoc): PreparedBlock | undefined {
  const p = v.prepared as PreparedBlock | undefined;
  return p?.kind === 'block' ? p : undefined;
}

/** The canonical text of a row verdict, when the post-step ran. */
export function preparedRow(v: CheckedDoc): PreparedRow | undefined {
  const p = v.prepared as PreparedRow | undefined;
  return p?.kind === 'row' ? p : undefined;
}

/** The prepared vote of a verdict, when the post-step ran. */
export function preparedVote(v: CheckedDoc): PreparedVote | undefined {
  const p = v.prepared as PreparedVote | undefined;
  return p?.kind === 'vote' ? p : undefined;
}
