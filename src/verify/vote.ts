/**
 * Vote verification (SPEC.md §7.2): the signature is by `node_pubkey` over
 * canonical `vote.vote` only (a RethinkDB row `id` is not signed), and the voter
 * belongs to the federation. Whether the voter may vote on the block needs the
 * block: see {@link voteEligibility}.
 */
import { finding, type Finding } from '../findings.js';
import { tryCanonicalBytes } from '../model/canonical.js';
import { canonicalTextOf } from '../model/json.js';
import { voteName, voteSchemaProblem } from '../model/parse.js';
import type { Federation } from '../model/federation.js';
import type { Block, Vote } from '../model/types.js';
import { signatureOk } from './block.js';

/**
 * Verify a shape-checked vote on its own.
 * @returns findings (VOTE_BAD_SIGNATURE, VOTE_UNKNOWN_VOTER, VOTE_MALFORMED)
 */
export function verifyVote(vote: Vote, federation: Federation): Finding[] {
  const out: Finding[] = [];
  const name = voteName(vote, '');
  const body = canonicalVoteBytes(vote) ?? tryCanonicalBytes(vote.vote); // null: BigchainDB could not have signed it
  if (body === null || !signatureOk(vote.node_pubkey, body, vote.signature)) {
    out.push(finding('VOTE_BAD_SIGNATURE', 'vote', name, undefined, { voter: vote.node_pubkey }));
  }
  if (!federation.keySet.has(vote.node_pubkey)) {
    out.push(finding('VOTE_UNKNOWN_VOTER', 'vote', name, `vote by ${vote.node_pubkey}, which is not in the federation`, { voter: vote.node_pubkey }));
  }
  const problem = voteSchemaProblem(vote);
  if (problem !== null) out.push(finding('VOTE_MALFORMED', 'vote', name, `vote schema: ${problem} (counts as invalid)`));
  return out;
}

/**
 * `vote.vote` as canonical bytes cut from the document's text when parseJson proved
 * it canonical and it is `{["id":…,]"node_pubkey":…,"signature":…,"vote":<body>}`
 * (keys sort so); null otherwise. Verifies the vote as read (see verify/block.ts).
 */
function canonicalVoteBytes(vote: Vote): Buffer | null {
  const text = canonicalTextOf(vote);
  if (text === undefined) return null;
  const keys = Object.keys(vote);
  const withId = keys.length === 4 && keys[0] === 'id' && typeof vote.id === 'string';
  if (!withId && keys.length !== 3) return null;
  const k = withId ? 1 : 0;
  if (keys[k] !== 'node_pubkey' || keys[k + 1] !== 'signature' || keys[k + 2] !== 'vote') return null;
  const head = `{${withId ? `"id":${JSON.stringify(vote.id)},` : ''}"node_pubkey":${JSON.stringify(vote.node_pubkey)},"signature":${JSON.stringify(vote.signature)},"vote":`;
  return text.startsWith(head) ? Buffer.from(text.slice(head.length, text.length - 1), 'utf8') : null;
}

/** VOTE_INELIGIBLE when the voter is not among the block's voters; else none. */
export function voteEligibility(vote: Vote, block: Block): Finding[] {
  if (block.block.voters.includes(vote.node_pubkey)) return [];
  return [finding('VOTE_INELIGIBLE', 'vote', voteName(vote, ''), `voter ${vote.node_pubkey} is not among the voters of block ${block.id}`,
    { voter: vote.node_pubkey, block: block.id })];
}
