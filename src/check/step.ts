/**
 * check's post-step for the verification pool (verify/post-step.ts): beside the
 * verdict on a stored document, the worker decides whether the stored text is still
 * its canonical form and sums the digests of the index keys it implies, so check's
 * main thread receives flags and numbers, not documents (blocks come back slim).
 */
import { canonicalize } from '../model/canonical.js';
import { canonicalTextOf } from '../model/json.js';
import type { RawDoc } from '../model/documents.js';
import { blockIndexEntries, voteIndexEntries } from '../store/entries.js';
import type { CheckedDoc } from '../verify/document.js';
import { digestKeys, type DigestSum } from './digest.js';

/** What a stored document's verdict carries for check. */
export interface CheckPrepared { kind: 'check'; canonical: boolean; sums: DigestSum[] }

/** The post-step (module export the pool looks for). */
export function postStep(v: CheckedDoc, raw: RawDoc): CheckedDoc {
  if (v.kind === 'block' && v.needs === null) return { ...v, prepared: prepared(v.block, raw, blockIndexEntries(v.block)) };
  if (v.kind === 'vote') return { ...v, prepared: prepared(v.vote, raw, voteIndexEntries(v.vote)) };
  return v;
}

function prepared(doc: object, raw: RawDoc, entries: { key: string }[]): CheckPrepared {
  // Text the parser proved canonical is canonical; anything else is compared in full.
  const canonical = canonicalTextOf(doc) === raw.text || canonicalize(doc) === raw.text;
  return { kind: 'check', canonical, sums: digestKeys(entries.map((e) => e.key)) };
}

/** The post-step's URL, for `checkDocuments({ post })`. */
export const CHECK_STEP = new URL('./step.js', import.meta.url).href;

/** The check data of a verdict, when the post-step ran. */
export function checkPrepared(v: CheckedDoc): CheckPrepared | undefined {
  const p = v.prepared as CheckPrepared | undefined;
  return p?.kind === 'check' ? p : undefined;
}
