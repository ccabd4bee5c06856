/**
 * Block elections (SPEC.md §7.4, reference §4, BigchainDB v0.10–v1.3 `voting.py`).
 * Pure: the caller says which votes' signatures verified.
 */
import { finding, type Finding } from '../findings.js';
import { voteName, voteSchemaProblem } from '../model/parse.js';
import type { Federation } from '../model/federation.js';
import type { BlockStatus, Vote } from '../model/types.js';

/** A vote with the outcome of its signature check. */
export interface CheckedVote { vote: Vote; signatureOk: boolean }

/** The outcome of one block's election. */
export interface Election {
  status: BlockStatus;
  nVoters: number;
  nValid: number;
  nInvalid: number;
  /** The previous_block the counted valid votes agree on, when any. */
  previousBlock: string | null;
  findings: Finding[];
}

/**
 * Elect a block from its votes.
 * - eligible voters = block.voters ∩ federation; n_voters is their number;
 * - a vote counts only when its voter is eligible and its signature verifies;
 *   others are reported VOTE_INELIGIBLE (signature failures are reported by verifyVote);
 * - a malformed counted vote counts as invalid;
 * - n_valid = the largest group of valid votes agreeing on previous_block;
 * - INVALID if 2·n_invalid ≥ n_voters, else VALID if 2·n_valid > n_voters, else UNDECIDED.
 * Duplicate votes (BigchainDB's CriticalDuplicateVote) are reported as VOTE_DUPLICATE;
 * such a voter is counted once, as valid only if all its votes are identical in
 * is_block_valid and previous_block and well-formed (SPEC §7.4).
 * Votes whose voting_for_block is another block are ignored: BigchainDB only ever
 * elected over the votes its block_and_voter index returned for this block.
 */
export function electBlock(blockId: string, voters: readonly string[], votes: readonly CheckedVote[],
  federation: Federation): Election {
  const eligible = new Set(voters.filter((v) => federation.keySet.has(v)));
  const findings: Finding[] = [];
  const byVoter = new Map<string, Vote[]>();
  for (const { vote, signatureOk } of votes) {
    if (vote.vote.voting_for_block !== blockId) continue;
    if (!eligible.has(vote.node_pubkey) || !signatureOk) {
      if (signatureOk) findings.push(finding('VOTE_INELIGIBLE', 'vote', voteName(vote, ''), `voter ${vote.node_pubkey} is not an eligible voter of block ${blockId}`, { voter: vote.node_pubkey, block: blockId }));
      continue;
    }
    const list = byVoter.get(vote.node_pubkey) ?? [];
    list.push(vote);
    byVoter.set(vote.node_pubkey, list);
  }
  const prevCounts = new Map<string, number>();
  for (const [voter, list] of byVoter) {
    if (list.length > 1) {
      findings.push(finding('VOTE_DUPLICATE', 'vote', `${blockId}/${voter}`, `voter ${voter} cast ${list.length} votes on block ${blockId}`, { voter, block: blockId, count: list.length }));
    }
    const prev = validPrevious(list);
    if (prev !== null) prevCounts.set(prev, (prevCounts.get(prev) ?? 0) + 1);
  }
  let previousBlock: string | null = null;
  let nValid = 0;
  for (const [prev, n] of prevCounts) if (n > nValid) { nValid = n; previousBlock = prev; }
  const nInvalid = byVoter.size - nValid;
  const nVoters = eligible.size;
  return { status: decide(nVoters, nValid, nInvalid), nVoters, nValid, nInvalid, previousBlock, findings };
}

/** The previous_block a voter's votes support as valid, or null if they count invalid. */
function validPrevious(list: Vote[]): string | null {
  const first = list[0]!;
  for (const v of list) {
    if (voteSchemaProblem(v) !== null || v.vote.is_block_valid !== true) return null;
    if (v.vote.previous_block !== first.vote.previous_block) return null;
  }
  return first.vote.previous_block;
}

/** BigchainDB's decision rule; a tie counts as INVALID. */
export function decide(nVoters: number, nValid: number, nInvalid: number): BlockStatus {
  if (nInvalid * 2 >= nVoters) return 'invalid';
  if (nValid * 2 > nVoters) return 'valid';
  return 'undecided';
}

const RANK: Record<BlockStatus, number> = { valid: 2, undecided: 1, invalid: 0 };

/** A transaction's status: the best status among the blocks holding it (reference §4). */
export function transactionStatus(blockStatuses: readonly BlockStatus[]): BlockStatus | null {
  let best: BlockStatus | null = null;
  for (const s of blockStatuses) if (best === null || RANK[s] > RANK[best]) best = s;
  return best;
}
