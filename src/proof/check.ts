/**
 * Checking a proof offline (docs/spec-proof.md, SPEC.md §22) with the verification code of
 * src/verify (never a second implementation): the proof's federation must equal the pinned one;
 * the block and every vote must be in canonical form and verify under the pinned keys and hash;
 * every vote must be a counted vote on this block; the election recomputed from those votes must
 * equal the one recorded; and, for a transaction, the transaction must be in the block and verify.
 * The claim holds (exit 0) only when all of that passes and the election is VALID.
 */
import { finding, type Finding } from '../findings.js';
import type { Federation } from '../model/federation.js';
import { canonicalize } from '../model/canonical.js';
import { parseJson } from '../model/json.js';
import { parseBlock, parseVote } from '../model/parse.js';
import type { Block, BlockStatus, Vote } from '../model/types.js';
import { verifyBlock } from '../verify/block.js';
import { electBlock } from '../verify/election.js';
import { unsignedFields } from '../verify/signed-form.js';
import { verifyTransaction } from '../verify/transaction.js';
import { verifyVote } from '../verify/vote.js';
import type { Proof } from './format.js';

/** Block findings that make a block not the one BigchainDB signed (as at ingest). */
const FATAL_BLOCK = new Set(['BLOCK_ID_MISMATCH', 'BLOCK_BAD_SIGNATURE', 'BLOCK_UNKNOWN_CREATOR']);

/** The outcome of {@link checkProof}. `holds`: the claim is proven and the block is VALID. */
export interface ProofCheck { holds: boolean; status: BlockStatus | null; findings: Finding[] }

/** A document text parsed exactly, when it is its own canonical form; else null. */
function canonicalDoc(text: string): unknown {
  try {
    const doc = parseJson(text);
    return canonicalize(doc) === text ? doc : null;
  } catch { return null; }
}

/** True when the proof names exactly the pinned keys (any order) and the pinned hash. */
export function sameFederation(proof: Proof, pinned: Federation): boolean {
  const keys = proof.federation.keys;
  return proof.federation.hash === pinned.hash && keys.length === pinned.keySet.size
    && new Set(keys).size === keys.length && keys.every((k) => pinned.keySet.has(k));
}

/**
 * Check a parsed proof against the pinned federation.
 * @returns whether the claim holds, the recomputed status, and every reason it does not
 */
export function checkProof(proof: Proof, pinned: Federation): ProofCheck {
  const id = proof.claim.block;
  const fail = (code: Parameters<typeof finding>[0], kind: Parameters<typeof finding>[1], doc: string, why: string, status: BlockStatus | null = null): ProofCheck =>
    ({ holds: false, status, findings: [finding(code, kind, doc, why)] });
  if (!sameFederation(proof, pinned)) {
    return fail('PROOF_FEDERATION_MISMATCH', 'document', id, 'the proof names other keys or another hash function than the pinned federation; nothing in it is trusted');
  }
  const doc = canonicalDoc(proof.block);
  const parsed = doc === null ? null : parseBlock(doc, 'proof.block', pinned.keys.length);
  if (parsed === null || !parsed.ok || unsignedFields('block', doc as Record<string, unknown>).length > 0) {
    return fail('PROOF_MALFORMED', 'block', id, '"block" is not a block in canonical signed form');
  }
  const block: Block = parsed.value;
  if (block.id !== id) return fail('PROOF_MALFORMED', 'block', id, `"block" holds block ${block.id}, not the claimed ${id}`);
  const findings = verifyBlock(block, pinned, { transactions: false });
  if (findings.some((f) => FATAL_BLOCK.has(f.code))) return { holds: false, status: null, findings };
  const votes: Vote[] = [];
  let last = '';
  for (const [i, text] of proof.votes.entries()) {
    const v = canonicalDoc(text);
    const p = v === null ? null : parseVote(v, `proof.votes[${i}]`);
    if (p === null || !p.ok || Object.keys(v as object).length !== 3 || unsignedFields('vote', v as Record<string, unknown>).length > 0) {
      return fail('PROOF_MALFORMED', 'vote', `${id}/votes[${i}]`, `votes[${i}] is not a vote in canonical signed form (node_pubkey, signature, vote only)`);
    }
    const order = `${p.value.node_pubkey}\n${text}`;
    if (order <= last) return fail('PROOF_MALFORMED', 'vote', `${id}/votes[${i}]`, 'votes must be sorted by voter key, then text, each once');
    last = order;
    const bad = [...verifyVote(p.value, pinned), ...(p.value.vote.voting_for_block === id ? [] : [finding('VOTE_INELIGIBLE', 'vote', `${id}/votes[${i}]`, `votes[${i}] is on block ${p.value.vote.voting_for_block}`)])]
      .filter((f) => f.code !== 'VOTE_MALFORMED');
    if (bad.length > 0) return { holds: false, status: null, findings: [...bad, finding('PROOF_VOTE_REJECTED', 'vote', `${id}/${p.value.node_pubkey}`, `votes[${i}] does not verify as a counted vote on the block (${bad.map((f) => f.code).join(', ')})`)] };
    votes.push(p.value);
  }
  const e = electBlock(id, block.block.voters, votes.map((vote) => ({ vote, signatureOk: true })), pinned);
  if (e.findings.some((f) => f.code === 'VOTE_INELIGIBLE')) return { holds: false, status: null, findings: [...e.findings, finding('PROOF_VOTE_REJECTED', 'vote', id, 'a vote in the proof is not by an eligible voter of the block')] };
  const r = proof.election;
  if (r.status !== e.status || r.nVoters !== e.nVoters || r.nValid !== e.nValid || r.nInvalid !== e.nInvalid || r.previousBlock !== e.previousBlock) {
    return fail('PROOF_ELECTION_MISMATCH', 'block', id, `the votes give ${e.status} (${e.nValid} valid, ${e.nInvalid} invalid of ${e.nVoters}), the proof records ${r.status} (${r.nValid}, ${r.nInvalid} of ${r.nVoters})`, e.status);
  }
  if (proof.claim.kind === 'tx') {
    const txId = proof.claim.tx;
    const tx = block.block.transactions.find((t) => t.id === txId);
    if (tx === undefined) return fail('PROOF_TX_ABSENT', 'tx', txId, `transaction ${txId} is not in block ${id}`, e.status);
    const txFindings = verifyTransaction(tx, { hash: pinned.hash });
    if (txFindings.length > 0) return { holds: false, status: e.status, findings: [...txFindings, finding('PROOF_TX_ABSENT', 'tx', txId, `transaction ${txId} does not verify`)] };
  }
  const all = [...findings, ...e.findings];
  if (e.status !== 'valid') all.push(finding('PROOF_NOT_VALID', 'block', id, `the federation's votes decide block ${id} ${e.status.toUpperCase()}, not VALID`));
  return { holds: e.status === 'valid', status: e.status, findings: all };
}
