/**
 * Streaming elections (SPEC.md §7.5): blocks and votes arrive in any order; a
 * block's election is decided as soon as every eligible voter has voted, and its
 * votes are then dropped, so memory follows the undecided frontier, not the ledger.
 * What is still open at the end is decided with the votes seen.
 */
import type { Finding } from '../findings.js';
import type { Federation } from '../model/federation.js';
import type { Vote } from '../model/types.js';
import { electBlock, type CheckedVote, type Election } from './election.js';

interface OpenBlock { voters: string[]; timestamp: string; votes: CheckedVote[] }

/** A decided election with the block it concerns. */
export interface Decided { blockId: string; timestamp: string; election: Election }

/** Collects blocks and votes; yields decided elections as they complete. */
export class ElectionTracker {
  private open = new Map<string, OpenBlock>();
  private orphans = new Map<string, CheckedVote[]>();
  // Voters already counted on decided blocks, to catch late duplicates (compact strings).
  private closed = new Map<string, string>();
  constructor(private readonly federation: Federation) {}

  /** Register a verified-shape block; returns its election if already complete. */
  addBlock(blockId: string, voters: string[], timestamp: string): Decided | null {
    if (this.open.has(blockId) || this.closed.has(blockId)) return null;
    const votes = this.orphans.get(blockId) ?? [];
    this.orphans.delete(blockId);
    this.open.set(blockId, { voters, timestamp, votes });
    return this.maybeDecide(blockId);
  }

  /** Register a vote; returns findings for late duplicates and a completed election if any. */
  addVote(vote: Vote, signatureOk: boolean): { decided: Decided | null; late: Finding[] } {
    const blockId = vote.vote.voting_for_block;
    const closedVoters = this.closed.get(blockId);
    if (closedVoters !== undefined) {
      const dup = signatureOk && closedVoters.split(',').includes(vote.node_pubkey);
      return { decided: null, late: dup ? [lateDuplicate(blockId, vote.node_pubkey)] : [] };
    }
    const entry = this.open.get(blockId);
    if (entry === undefined) {
      const list = this.orphans.get(blockId) ?? [];
      list.push({ vote, signatureOk });
      this.orphans.set(blockId, list);
      return { decided: null, late: [] };
    }
    entry.votes.push({ vote, signatureOk });
    return { decided: this.maybeDecide(blockId), late: [] };
  }

  /** Decide every block still open; votes for blocks never seen are returned by block id. */
  finish(): { decided: Decided[]; orphanVotes: Map<string, number> } {
    const decided = [...this.open.keys()].map((id) => this.decideNow(id));
    const orphanVotes = new Map([...this.orphans].map(([id, v]) => [id, v.length] as const));
    return { decided, orphanVotes };
  }

  private maybeDecide(blockId: string): Decided | null {
    const entry = this.open.get(blockId)!;
    const eligible = entry.voters.filter((v) => this.federation.keySet.has(v));
    const voted = new Set(entry.votes.filter((v) => v.signatureOk).map((v) => v.vote.node_pubkey));
    return eligible.every((v) => voted.has(v)) ? this.decideNow(blockId) : null;
  }

  private decideNow(blockId: string): Decided {
    const entry = this.open.get(blockId)!;
    this.open.delete(blockId);
    const election = electBlock(blockId, entry.voters, entry.votes, this.federation);
    const counted = entry.votes.filter((v) => v.signatureOk).map((v) => v.vote.node_pubkey);
    this.closed.set(blockId, [...new Set(counted)].join(','));
    return { blockId, timestamp: entry.timestamp, election };
  }
}

function lateDuplicate(blockId: string, voter: string): Finding {
  return { code: 'VOTE_DUPLICATE', kind: 'vote', doc: `${blockId}/${voter}`, message: `voter ${voter} cast more than one vote on block ${blockId}`, data: { voter, block: blockId } };
}
