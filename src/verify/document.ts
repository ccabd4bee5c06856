/**
 * One untrusted document in, one compact verdict out (SPEC.md §7). Pure and
 * thread-agnostic: the worker pool (verify/pool.ts) runs it in parallel, and
 * whatever calls it gets everything later stages need without re-parsing.
 */
import { finding, type Finding } from '../findings.js';
import { adoptCanonical, canonicalTextOf, parseJson } from '../model/json.js';
import { canonicalize } from '../model/canonical.js';
import { isLimitError, jsonValueProblem } from '../model/limits.js';
import { classifyDocument, docName, parseAssetRow, parseBlock, parseMetadataRow, parseTransaction, parseVote,
  voteName, voteSchemaProblem } from '../model/parse.js';
import { storedNeeds } from '../model/stored.js';
import type { Federation } from '../model/federation.js';
import type { Block, Vote } from '../model/types.js';
import type { RawDoc } from '../model/documents.js';
import { verifyBlock } from './block.js';
import { verifyVote } from './vote.js';
import { verifyTransaction } from './transaction.js';
import { signedForm } from './signed-form.js';
import { withRowsPutBack } from './recoupled.js';

/**
 * The verdict on one document. `findings` empty means it verified. `prepared` is
 * whatever a pool post-step (verify/pool.ts `post`) computed beside the verdict in
 * the worker; opaque here, read by the caller that asked for it.
 */
export type CheckedDoc = (
  | { kind: 'block'; origin: string; block: Block; needs: { assets: string[]; metadata: string[] } | null; findings: Finding[]; transactionCount?: number;
      /** With `needs`: the canonical text of the stored block (its signed form), what re-coupling sends back and spills. */
      stored?: string }
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
    return invalid(raw.origin, raw.origin, raw.limit !== undefined
      ? finding('DOC_LIMIT', 'document', raw.origin, `document over a limit: ${raw.invalid}`, { limit: raw.limit })
      : finding('DOC_INVALID_JSON', 'document', raw.origin, `unreadable document: ${raw.invalid}`));
  }
  if (doc === undefined && raw.text !== undefined) {
    try {
      doc = parseJson(raw.text);
    } catch (err) {
      return invalid(raw.origin, raw.origin, isLimitError(err)
        ? finding('DOC_LIMIT', 'document', raw.origin, `document over a limit: ${err.message}`, { limit: err.problem.limit, max: err.problem.max })
        : finding('DOC_INVALID_JSON', 'document', raw.origin, `invalid JSON: ${(err as Error).message}`));
    }
  } else {
    // A value parsed by someone else (a driver): walk it iteratively before anything recursive does.
    const p = jsonValueProblem(doc);
    if (p !== null) return invalid(raw.origin, raw.origin, finding('DOC_LIMIT', 'document', raw.origin, `document over a limit: ${p.message}`, { limit: p.limit, max: p.max }));
    // Its JSON.stringify text proven canonical lets the checks hash that text (SPEC.md §2.1).
    doc = adoptCanonical(doc) ?? doc;
  }
  const where = raw.origin;
  switch (classifyDocument(doc, raw.table)) {
    case 'block': return checkBlock(doc, where, federation);
    case 'vote': return checkVote(doc, where, federation);
    case 'asset': return row('asset', parseAssetRow(doc, where), docName(doc, where), where);
    case 'metadata': return row('metadata', parseMetadataRow(doc, where), docName(doc, where), where);
    case 'transaction': {
      const p = parseTransaction(doc, where);
      if (!p.ok) return invalid(where, docName(doc, where), ...p.findings);
      return { kind: 'tx', origin: where, id: p.value.id, findings: verifyTransaction(p.value, { hash: federation.hash }) };
    }
    default:
      return invalid(where, docName(doc, where), finding('DOC_UNKNOWN_KIND', 'document', docName(doc, where), undefined, { where }));
  }
}

/**
 * {@link checkDocument} and a post-step, never throwing: hostile bytes that make a check
 * throw (a bug, or input beyond what a check expects) give a DOC_MALFORMED verdict naming
 * the document, so no worker dies on data (SPEC.md §7.6).
 */
export function safeCheck(raw: RawDoc, federation: Federation, post: (v: CheckedDoc, raw: RawDoc) => CheckedDoc): CheckedDoc {
  try {
    const full = withRowsPutBack(raw); // a stored block sent back with its rows (verify/recoupled.ts)
    return post(checkDocument(full, federation), full);
  } catch (err) {
    return invalid(raw.origin, raw.origin, finding('DOC_MALFORMED', 'document', raw.origin, `the document could not be checked: ${(err as Error).message}`, { where: raw.origin }));
  }
}

function checkBlock(doc: unknown, where: string, federation: Federation): CheckedDoc {
  const p = parseBlock(doc, where, federation.keys.length);
  if (!p.ok) return invalid(where, docName(doc, where), ...p.findings);
  // Only the signed form goes on (SPEC.md §15.3.1): verified, stored and counted as such.
  const s = signedForm('block', p.value, p.value.id, where);
  const needs = storedNeeds(s.doc);
  if (needs.assets.length > 0 || needs.metadata.length > 0) {
    return { kind: 'block', origin: where, block: s.doc, needs, findings: s.findings, stored: canonicalTextOf(s.doc) ?? canonicalize(s.doc) };
  }
  return { kind: 'block', origin: where, block: s.doc, needs: null, findings: [...s.findings, ...verifyBlock(s.doc, federation)] };
}

function checkVote(doc: unknown, where: string, federation: Federation): CheckedDoc {
  const p = parseVote(doc, where);
  if (!p.ok) return invalid(where, voteName(doc, where), ...p.findings);
  const s = signedForm('vote', p.value, voteName(p.value, where), where);
  const vote = s.doc;
  const findings = verifyVote(vote, federation);
  return {
    kind: 'vote', origin: where, vote, findings: [...s.findings, ...findings],
    signatureOk: !findings.some((f) => f.code === 'VOTE_BAD_SIGNATURE'),
    schemaOk: voteSchemaProblem(vote) === null,
  };
}

function row(kind: 'asset' | 'metadata', p: ReturnType<typeof parseAssetRow> | ReturnType<typeof parseMetadataRow>, name: string, where: string): CheckedDoc {
  if (!p.ok) return invalid(where, where, ...p.findings);
  const s = signedForm(kind, p.value as unknown as Record<string, unknown>, name, where);
  return { kind, origin: where, id: String(s.doc.id), row: s.doc, findings: s.findings };
}

function invalid(origin: string, name: string, ...findings: Finding[]): CheckedDoc {
  return { kind: 'invalid', origin, name, findings };
}
