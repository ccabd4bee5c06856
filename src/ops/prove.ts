/**
 * The `prove` operation (docs/spec-proof.md, SPEC.md §22): a proof that a transaction or a
 * block is in a block the federation's votes decide, built from what the archive stored as
 * verified (`b!` holds the full block, assets and metadata put back, exactly as its id and
 * signature verify; `v!`/`vd!` the votes). Every document is re-checked from its bytes on the
 * way out (check/gate, SPEC.md §15.11): a stored document that no longer verifies is named,
 * never put into a proof. Read-only.
 */
import type { Finding } from '../findings.js';
import { canonicalize } from '../model/canonical.js';
import { parseJson } from '../model/json.js';
import { federationToJson } from '../model/federation.js';
import type { Block, BlockStatus, Vote } from '../model/types.js';
import type { Archive, LedgerDb } from '../store/archive.js';
import { readElection, readTxBlocks } from '../store/read.js';
import { key, range } from '../store/schema.js';
import { StoredGate } from '../check/gate.js';
import { electBlock } from '../verify/election.js';
import { PROOF_FORMAT, PROOF_VERSION, type Proof, type ProofClaim } from '../proof/format.js';

/** What {@link prove} gives: a proof, nothing held, or stored damage (then no proof). */
export type ProveResult = { kind: 'proof'; proof: Proof } | { kind: 'absent' } | { kind: 'corrupt'; findings: Finding[] };

const RANK: Record<BlockStatus, number> = { valid: 2, undecided: 1, invalid: 0 };

/**
 * Build the proof for a block id, or for a transaction id (from the best-decided block holding it).
 * @example const r = await prove({ archive, kind: 'tx', id }); if (r.kind === 'proof') write(serializeProof(r.proof))
 */
export async function prove(opts: { archive: Archive; kind: 'tx' | 'block'; id: string }): Promise<ProveResult> {
  const { db } = opts.archive;
  let blockId = opts.id;
  if (opts.kind === 'tx') {
    // The block whose election is best (VALID first, reference §4): the one that proves most.
    let best: { id: string; rank: number } | null = null;
    for (const id of await readTxBlocks(db, opts.id)) {
      const rank = RANK[(await readElection(db, id))?.status ?? 'invalid'];
      if (best === null || rank > best.rank) best = { id, rank };
    }
    if (best === null) return { kind: 'absent' };
    blockId = best.id;
  }
  const gate = new StoredGate(opts.archive.federation);
  const text = await db.get(key('b', blockId));
  if (text === undefined) return { kind: 'absent' };
  if (!gate.pass(key('b', blockId), text)) return { kind: 'corrupt', findings: gate.findings };
  const block = parseJson(text) as unknown as Block;
  if (opts.kind === 'tx' && !block.block.transactions.some((t) => t.id === opts.id)) return { kind: 'absent' };
  const eligible = new Set(block.block.voters.filter((v) => opts.archive.federation.keySet.has(v)));
  const votes = [...await storedVotes(db, gate, 'v', blockId), ...await storedVotes(db, gate, 'vd', blockId)]
    .filter((v) => eligible.has(v.vote.node_pubkey))
    .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  if (!gate.complete) return { kind: 'corrupt', findings: gate.findings };
  const e = electBlock(blockId, block.block.voters, votes.map((v) => ({ vote: v.vote, signatureOk: true })), opts.archive.federation);
  const claim: ProofClaim = opts.kind === 'tx' ? { kind: 'tx', tx: opts.id, block: blockId } : { kind: 'block', block: blockId };
  const fed = federationToJson(opts.archive.federation);
  return {
    kind: 'proof',
    proof: {
      format: PROOF_FORMAT, version: PROOF_VERSION, claim, federation: { hash: fed.hash!, keys: fed.keys },
      block: text, votes: votes.map((v) => v.text),
      election: { status: e.status, nVoters: e.nVoters, nValid: e.nValid, nInvalid: e.nInvalid, previousBlock: e.previousBlock },
    },
  };
}

/** A block's stored votes of one namespace, re-checked from their bytes, with their sort key (voter, text). */
async function storedVotes(db: LedgerDb, gate: StoredGate, ns: 'v' | 'vd', blockId: string): Promise<{ vote: Vote; text: string; order: string }[]> {
  const out: { vote: Vote; text: string; order: string }[] = [];
  for await (const [k, text] of db.iterator(range(ns, blockId))) {
    if (!gate.pass(k, text)) continue;
    const vote = parseJson(text) as unknown as Vote;
    // Only the signed form goes into a proof: a RethinkDB row `id` is not signed, so no byte of it could be checked.
    const signed = vote.id === undefined ? text : canonicalize({ node_pubkey: vote.node_pubkey, signature: vote.signature, vote: vote.vote });
    out.push({ vote: signed === text ? vote : parseJson(signed) as unknown as Vote, text: signed, order: `${vote.node_pubkey}\n${signed}` });
  }
  return out;
}
