/**
 * The `audit` operation (SPEC.md §24): replay the archive's ledger under BigchainDB's rules
 * and judge every vote. Two streaming passes over the blocks in ledger order (audit/
 * ledger-index.ts, audit/replay.ts); outputs, holdings and spends live in a scratch LevelDB
 * removed at the end, so memory stays flat. The archive is only read.
 */
import type { Archive, LedgerDb } from '../store/archive.js';
import type { Reporter } from '../report/reporter.js';
import { openScratchDb } from '../store/scratch.js';
import { key, META } from '../store/schema.js';
import { indexLedger } from '../audit/ledger-index.js';
import type { Finding } from '../findings.js';
import { replayLedger, type BlockExplanation, type VoterTally } from '../audit/replay.js';

/** Options of {@link audit}. */
export interface AuditOptions { archive: Archive; reporter: Reporter; signal?: AbortSignal; scratchDir?: string }

/** What an audit found. */
export interface AuditReport {
  blocks: number;
  transactions: number;
  /** Transactions the audit cannot replay (nested version-1 layouts). */
  unreplayable: number;
  /** Transactions of VALID blocks that break a rule. */
  invalidTransactions: number;
  /** Inputs not provable from this (selective) archive. */
  unknownInputs: number;
  votes: number;
  contradictedVotes: number;
  selective: boolean;
  voters: VoterTally[];
  /** Blocks that are not VALID: how many the rules explain (break a rule). */
  notValid: { total: number; explained: number };
  findings: number;
}

/** True when the archive holds a selection, not the whole ledger (SPEC.md §16.2). */
async function isSelective(db: LedgerDb): Promise<boolean> {
  const v = await db.get(key('meta', META.selection));
  if (v === undefined) return false;
  const m = JSON.parse(v) as { all?: boolean; sources?: Record<string, { selection?: { all?: boolean } }> };
  if (m.sources !== undefined) return Object.keys(m.sources).length > 0 && !Object.values(m.sources).some((s) => s.selection?.all === true);
  return m.all !== true;
}

/**
 * Audit an archive.
 * @returns the counts; findings and per-vote records go to the reporter
 * @example const r = await audit({ archive, reporter }); r.invalidTransactions + r.contradictedVotes === 0
 */
export async function audit(opts: AuditOptions): Promise<AuditReport> {
  const { archive, reporter, signal } = opts;
  const selective = await isSelective(archive.db);
  const scratch = await openScratchDb(opts.scratchDir);
  let countFindings = 0;
  let unknownInputs = 0;
  let contradictedVotes = 0;
  const notValid = { total: 0, explained: 0 };
  try {
    let done = 0;
    await indexLedger(archive, scratch.db, { signal, onBlock: () => { if (++done % 1000 === 0) reporter.progress({ phase: 'audit: index', done, unit: 'blocks' }); } });
    done = 0;
    const counts = await replayLedger(archive, scratch.db, {
      finding(f: Finding) {
        if (f.code === 'AUDIT_UNKNOWN_INPUT') unknownInputs++;
        if (f.code === 'AUDIT_VOTE_CONTRADICTED') contradictedVotes++;
        countFindings++;
        reporter.finding(f);
      },
      explained(e: BlockExplanation) {
        notValid.total++;
        if (e.breaksRules) notValid.explained++;
        reporter.record('audit-block', { ...e });
      },
      vote(v) { if (v.verdict === 'timing') reporter.record('audit-vote', { ...v }); },
      onBlock() { if (++done % 1000 === 0) reporter.progress({ phase: 'audit: replay', done, unit: 'blocks' }); },
    }, { selective, signal });
    reporter.done();
    return { blocks: counts.blocks, transactions: counts.transactions, unreplayable: counts.unreplayable,
      invalidTransactions: counts.invalidTxInValid, unknownInputs, votes: counts.votes, contradictedVotes, selective,
      voters: counts.voters, notValid, findings: countFindings };
  } finally {
    await scratch.close();
  }
}
