/**
 * Pool post-steps (SPEC.md §7.6): work a caller wants done beside verification, in
 * the worker, so its main thread only receives results. Ingest computes canonical
 * bytes and index keys there (store/prepare.ts). A post-step is a module URL whose
 * `postStep` export maps a verdict (with its raw document) to a verdict, usually
 * setting `prepared`; a URL keeps verify free of imports from the layers above it.
 */
import type { RawDoc } from '../model/documents.js';
import type { CheckedDoc } from './document.js';

/** A post-step function. Pure and thread-agnostic. */
export type PostStep = (v: CheckedDoc, raw: RawDoc) => CheckedDoc;

const identity: PostStep = (v) => v;

/**
 * The `postStep` export of the module at `url` (identity when undefined).
 * @throws TypeError when the module has no `postStep` function
 */
export async function loadPostStep(url: string | undefined): Promise<PostStep> {
  if (url === undefined) return identity;
  const mod = await import(url) as { postStep?: unknown };
  if (typeof mod.postStep !== 'function') throw new TypeError(`${url} exports no postStep function`);
  return mod.postStep as PostStep;
}
