/**
 * Judging one vote against the rules (SPEC.md §24.4). A node votes on what its database
 * shows at that moment, and other blocks' statuses change while it votes, so a verdict is:
 * - `contradicted` (misbehaviour) — VALID although a rule is broken whatever the moment
 *   (amount, asset, condition, client GENESIS, a double spend or duplicate inside the block,
 *   an input in no VALID block — an INVALID or UNDECIDED block never was VALID), or although
 *   a block created before the vote and never INVALID spends the same output or holds the same
 *   transaction (get_spent/is_new_transaction count UNDECIDED blocks); INVALID although every
 *   transaction passes and no moment explains it: every input's block was decided VALID before
 *   the vote, no other block created by then spends the same outputs or holds the same
 *   transaction, the archive is not selective and every input is known;
 * - `timing` — disagrees with the final ledger in a way the moment of the vote explains;
 * - `agrees` — the verdict the rules give on the final ledger.
 * Times are the documents' own timestamps (block creator's and voters' clocks, in seconds).
 */
import type { BlockStatus } from '../model/types.js';
import type { Conflict, OtherBlock, TxAudit, TxProblem } from './check-tx.js';

/** A vote's judgement. */
export type Verdict = 'agrees' | 'timing' | 'contradicted';

/** What a block's audit tells the judge. */
export interface BlockAudit { id: string; status: BlockStatus; txs: TxAudit[]; selective: boolean; unreplayable: number }

/** The judgement of one vote, with the evidence. */
export interface VoteJudgement { verdict: Verdict; reason: string; evidence?: TxProblem | Conflict | OtherBlock }

/** True when the block breaks a rule on the final ledger (unknown inputs are not provable: they do not count). */
export const breaksRules = (b: BlockAudit): boolean => b.txs.some((t) => t.problems.some((p) => p.code !== 'AUDIT_UNKNOWN_INPUT'));

/** A rule broken at the time `t` whatever else happened: what a VALID vote at `t` contradicts. */
function brokenAt(b: BlockAudit, t: number): TxProblem | Conflict | null {
  for (const tx of b.txs) {
    const p = tx.problems.find((x) => x.code !== 'AUDIT_UNKNOWN_INPUT' && (x.always || (x.against !== undefined && x.against.ts < t && x.against.status !== 'invalid')));
    if (p !== undefined) return p;
    const c = tx.conflicts.find((x) => x.ts < t && x.status !== 'invalid');
    if (c !== undefined) return c;
  }
  return null;
}

/** What can explain an INVALID vote at `t` on a block that passes every rule, or null. */
function timingExplains(b: BlockAudit, t: number): { reason: string; evidence?: Conflict | OtherBlock } | null {
  if (b.selective) return { reason: 'the archive is selective: a block outside it may have conflicted' };
  if (b.unreplayable > 0) return { reason: 'a transaction of the block has a layout the audit cannot replay' };
  for (const tx of b.txs) {
    if (tx.problems.some((p) => p.code === 'AUDIT_UNKNOWN_INPUT')) return { reason: 'an input is not provable from this archive' };
    // Any other block created by then counts: while undecided it is counted by get_spent/is_new_transaction,
    // and once INVALID its transactions go back to the backlog, where get_transaction still finds them.
    const c = tx.conflicts.find((x) => x.ts <= t);
    if (c !== undefined) return { reason: `block ${c.block} (${c.status}, ${c.kind === 'spend' ? `spending ${c.output}` : `holding ${c.tx}`}) existed at the vote`, evidence: c };
    const i = tx.inputBlocks.find((x) => x.decidedAt === null || x.decidedAt >= t);
    if (i !== undefined) return { reason: `input block ${i.block} was decided VALID at ${String(i.decidedAt)}, not before the vote`, evidence: i };
  }
  return null;
}

/** Judge a vote `valid` cast at `t` on the audited block. */
export function judgeVote(b: BlockAudit, valid: boolean, t: number): VoteJudgement {
  const broken = breaksRules(b);
  if (valid) {
    const hit = brokenAt(b, t);
    if (hit !== null) return { verdict: 'contradicted', reason: 'code' in hit ? `VALID on ${hit.code}: ${hit.message}` : `VALID although block ${hit.block}, created before the vote and never INVALID, ${hit.kind === 'spend' ? `spends ${hit.output}` : `holds ${hit.tx}`}`, evidence: hit };
    return broken ? { verdict: 'timing', reason: 'VALID on a block that breaks a rule only given blocks decided after the vote' } : { verdict: 'agrees', reason: 'VALID' };
  }
  if (broken) return { verdict: 'agrees', reason: 'INVALID' };
  const why = timingExplains(b, t);
  if (why !== null) return { verdict: 'timing', reason: `INVALID: ${why.reason}`, ...(why.evidence !== undefined ? { evidence: why.evidence } : {}) };
  return { verdict: 'contradicted', reason: 'INVALID on a block whose every transaction is valid given blocks decided VALID before the vote, with no conflicting block undecided then' };
}
