/**
 * A block's election from the votes the archive holds (SPEC.md §7.4, §12.3). Every
 * stored vote passed its signature check at ingest, so all count as signature-ok;
 * eligibility, duplicates and malformed votes are decided by electBlock.
 */
import type { Federation } from '../model/federation.js';
import type { Vote } from '../model/types.js';
import { electBlock } from '../verify/election.js';
import type { StoredElection } from './read.js';

/**
 * Elect a stored block.
 * @param voters the block's `block.voters`
 * @param votes primary votes on the block, then duplicates (other verified votes by the same voters)
 */
export function electStored(blockId: string, voters: readonly string[], votes: readonly Vote[], federation: Federation): StoredElection {
  const e = electBlock(blockId, voters, votes.map((vote) => ({ vote, signatureOk: true })), federation);
  return { status: e.status, nVoters: e.nVoters, nValid: e.nValid, nInvalid: e.nInvalid, previousBlock: e.previousBlock, findings: e.findings };
}

/** The stored form of an election (one canonical JSON text, so check can compare bytes). */
export function electionValue(e: StoredElection): string {
  return JSON.stringify({ status: e.status, nVoters: e.nVoters, nValid: e.nValid, nInvalid: e.nInvalid, previousBlock: e.previousBlock, findings: e.findings });
}
