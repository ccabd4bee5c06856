/**
 * Worker-thread body of the verification pool (SPEC.md §7.6): receives the
 * federation once, then batches of raw documents, and answers with verdicts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { federationFromJson } from '../model/federation.js';
import type { RawDoc } from '../sources/source.js';
import { checkDocument } from './document.js';
import { slimVerdict } from './slim.js';

const federation = federationFromJson(workerData.federation);
const keepDocs = workerData.keepDocs === true;

parentPort!.on('message', (msg: { seq: number; docs: RawDoc[] }) => {
  const out = msg.docs.map((raw) => slimVerdict(checkDocument(raw, federation), keepDocs));
  parentPort!.postMessage({ seq: msg.seq, out });
});
