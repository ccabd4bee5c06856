/**
 * Worker-thread body of the verification pool (SPEC.md §7.6): receives the
 * federation (and optionally a post-step module) once, then batches of raw
 * documents, and answers with verdicts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { federationFromJson } from '../model/federation.js';
import { setLimits } from '../model/limits.js';
import { noteDocumentHandled } from '../model/large-documents.js';
import { docSize, type RawDoc } from '../model/documents.js';
import { safeCheck } from './document.js';
import { loadPostStep } from './post-step.js';
import { slimVerdict } from './slim.js';

setLimits(workerData.limits); // the limits the parent was started with (SPEC.md §21)
const federation = federationFromJson(workerData.federation);
const keepDocs = workerData.keepDocs === true;
const post = await loadPostStep(workerData.post as string | undefined);

parentPort!.on('message', (msg: { seq: number; docs: RawDoc[] }) => {
  const out = msg.docs.map((raw) => slimVerdict(safeCheck(raw, federation, post), keepDocs));
  parentPort!.postMessage({ seq: msg.seq, out });
  for (const raw of msg.docs) noteDocumentHandled(docSize(raw)); // after: the batch is garbage now
});
