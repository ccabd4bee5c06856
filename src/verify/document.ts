/**
 * One untrusted document in, one compact verdict out (SPEC.md §7). Pure and
 * thread-agnostic: the worker pool (verify/pool.ts) runs it in parallel, and
 * whatever calls it gets everything later stages need without re-parsing.
 */
import { finding, type Finding } from '../findings.js';
import { parseJson } from '../model/json.js';
import { classifyDocument, docName, parseAssetRow, parseBlock, parseMetadataRow, parseTransaction, parseVote,
  voteName, voteSchemaProblem } from '../model/parse.js';
import { storedNeeds } from '../model/stored.js';
import type { Federation } from '../model/federation.js';
import type { Block, Vote } from '../model/types.js';
import type { RawDoc } from '../sources/source.js';
import { verifyBlock } from './block.js';
import { verifyVote } from './vote.js';
import { verifyTransaction } from './transaction.js';

/**
 * The verdict on one document. `findings` empty means it verified. `prepared` is
 * whatever a pool post-step (verify/pool.ts `post`) computed beside the verdict in
 * the worker; opaque here, read by the caller that asked for it.
 */
export type CheckedDoc = (
  | { kind: 'block'; origin: string; block: Block; needs: { assets: string[]; metadata: string[] } | null; findings: Finding[]; transactionCount?: number }
  | { kind: 'vote'; origin: string; vote: Vote; signatureOk: boolean; schemaOk: boolean; findings: Finding[] }
  | { kind: 'asset' | 'metadata'; origin: string; id: string; row: Record<string, unknown>; findings: Finding[] }
  | { kind: 'tx'; origin: string; id: string; findings: Finding[] }
  | { kind: 'invalid'; origin: string; name: string; findings: Finding[] }
) & { prepared?: unknown };

/**
 * Parse (when only text is given), classify, shape-check and verify one document.
 * A stored-layout block that still needs its assets/metadata rows is returned
 * unverified with `needs` set: recouple it (model/stored.ts) and check it again.
 */
export function checkDocument(raw: RawDoc, federation: Federation): CheckedDoc {
  let doc = raw.doc;
  if (raw.invalid !== undefined) {
    return invalid(raw.origin, raw.origin, finding('DOC_INVALID_JSON', 'document', raw.origin, `unreadable document: ${raw.invalid}`));
  }
  if (doc === undefined && raw.text !== undefined) {
    try {
      doc = parseJson(raw.text);
    } catch (err) {
      return invalid(raw.origin, raw.origin, finding('DOC_INVALID_JSON', 'document', raw.origin, `invalid JSON: ${(err as Error).message}`));
    }
  }
  const where = raw.origin;
  switch (classifyDocument(doc, raw.table)) {
    case 'block': return checkBlock(doc, where, federation);
    case 'vote': return checkVote(doc, where, federation);
    case 'asset': return row('asset', parseAssetRow(doc, where), where);
    case 'metadata': return row('metadata', parseMetadataRow(doc, where), where);
    case 'transaction': {
      const p = parseTransaction(doc, where);
      if (!p.ok) return invalid(where, docName(doc, where), ...p.findings);
      return { kind: 'tx', origin: where, id: p.value.id, findings: verifyTransaction(p.value, { hash: federation.hash }) };
    }
    default:
      return invalid(where, docName(doc, where), finding('DOC_UNKNOWN_KIND', 'document', docName(doc, where), undefined, { where }));
  }
}

function checkBlock(doc: unknown, where: string, federation: Federation): CheckedDoc {
  const p = parseBlock(doc, where);
  if (!p.ok) return invalid(where, docName(doc, where), ...p.findings);
  const needs = storedNeeds(p.value);
  if (needs.assets.length > 0 || needs.metadata.length > 0) {
    return { kind: 'block', origin: where, block: p.value, needs, findings: [] };
  }
  return { kind: 'block', origin: where, block: p.value, needs: null, findings: verifyBlock(p.value, federation) };
}

function checkVote(doc: unknown, where: string, federation: Federation): CheckedDoc {
  const p = parseVote(doc, where);
  if (!p.ok) return invalid(where, voteName(doc, where), ...p.findings);
  const vote = p.value;
  const findings = verifyVote(vote, federation);
  return {
    kind: 'vote', origin: where, vote, findings,
    signatureOk: !findings.some((f) => f.code === 'VOTE_BAD_SIGNATURE'),
    schemaOk: voteSchemaProblem(vote) === null,
  };
}

function row(kind: 'asset' | 'metadata', p: ReturnType<typeof parseAssetRow> | ReturnType<typeof parseMetadataRow>, where: string): CheckedDoc {
  if (!p.ok) return invalid(where, where, ...p.findings);
  const r = p.value as unknown as Record<string, unknown>;
  return { kind, origin: where, id: String(r.id), row: r, findings: [] };
}

function invalid(origin: string, name: string, ...findings: Finding[]): CheckedDoc {
  return { kind: 'invalid', origin, name, findings };
}
