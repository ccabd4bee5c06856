/**
 * A pool post-step for tests (verify/post-step.ts): throws for a document whose origin is
 * `throw`, and ends its worker thread (as a crash would) for origin `die` — in a worker only.
 */
import { isMainThread } from 'node:worker_threads';
import type { RawDoc } from '../../src/model/documents.js';
import type { CheckedDoc } from '../../src/verify/document.js';

export function postStep(v: CheckedDoc, raw: RawDoc): CheckedDoc {
  if (raw.origin === 'throw') throw new RangeError('a check that throws');
  if (raw.origin === 'die' && !isMainThread) process.exit(7);
  return v;
}
