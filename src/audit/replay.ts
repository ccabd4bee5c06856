/**
 * The audit's second pass (SPEC.md §24): every block (in id order), each transaction checked
 * against the final ledger (check-tx.ts) and every vote on the block judged (judge-vote.ts).
 * Findings: every broken rule in a VALID block, every contradicted vote; blocks that are not
 * VALID get an explanation record (why the rules make them invalid), not findings.
 */
import type { Archive, LedgerDb } from '../store/archive.js';
import type { Block, Vote } from '../model/types.js';
import { parseJson } from '../model/json.js';
import { finding, type Finding } from '../findings.js';
import { storedBlocks, type BlockInfo } from './ledger-index.js';
import { checkTx, prefetchKeys, type BlockScope, type TxAudit } from './check-tx.js';
import { judgeVote, breaksRules, type BlockAudit, type Verdict } from './judge-vote.js';
import { txView, type TxView } from './tx-view.js';

/** Per voter: votes cast and how they were judged. */
export interface VoterTally { voter: string; cast: number; agrees: number; timing: number; contradicted: number }

/** A block that is not VALID, and what the rules say of it. */
export interface BlockExplanation { block: string; status: string; breaksRules: boolean; problems: string[] }

/** What the replay reports as it goes. */
export interface ReplaySink {
  finding(f: Finding): void;
  explained(e: BlockExplanation): void;
  vote(v: { block: string; voter: string; valid: boolean; verdict: Verdict; reason: string }): void;
  onBlock?(): void;
}

/** Counts of the replay. */
export interface ReplayCounts { blocks: number; transactions: number; unreplayable: number; invalidTxInValid: number; votes: number; voters: VoterTally[] }

/** Pass 2 over the ledger indexed in `scratch`. */
export async function replayLedger(archive: Archive, scratch: LedgerDb, sink: ReplaySink, opts: { selective: boolean; signal?: AbortSignal }): Promise<ReplayCounts> {
  const { db } = archive;
  const tallies = new Map<string, VoterTally>(archive.federation.keys.map((k) => [k, { voter: k, cast: 0, agrees: 0, timing: 0, contradicted: 0 }]));
  const counts: ReplayCounts = { blocks: 0, transactions: 0, unreplayable: 0, invalidTxInValid: 0, votes: 0, voters: [] };
  const cache = new Map<string, BlockInfo>();
  // Block by block in id order, as pass 1 (one merged scan, SPEC.md §21): each block is judged
  // against the ledger order pass 1 recorded, so the order blocks are read in changes no verdict.
  for await (const { id, text, votes, duplicates } of storedBlocks(db, opts.signal)) {
    const infoText = await scratch.get(`k!${id}`);
    if (infoText === undefined) continue;
    const block = parseJson(text) as unknown as Block;
    const info = JSON.parse(infoText) as BlockInfo;
    const views = block.block.transactions.map(txView);
    const replayable = views.filter((v): v is TxView => v !== null);
    const keys = prefetchKeys(replayable);
    const values = await scratch.getMany(keys);
    const scope: BlockScope = { id, info, spent: new Map(), seen: new Set(), cache, pre: new Map(keys.map((k, n) => [k, values[n]])) };
    const txs: TxAudit[] = [];
    const unreplayable = views.length - replayable.length;
    for (const view of replayable) {
      const a = await checkTx(scratch, scope, view);
      txs.push(a);
      if (info.s === 'valid') {
        if (a.problems.some((p) => p.code !== 'AUDIT_UNKNOWN_INPUT')) counts.invalidTxInValid++;
        for (const p of a.problems) sink.finding(finding(p.code, 'tx', p.tx, `${p.message} (in VALID block ${id})`, { block: id, ...p.evidence }));
      }
    }
    counts.blocks++;
    counts.transactions += block.block.transactions.length;
    counts.unreplayable += unreplayable;
    const audit: BlockAudit = { id, status: info.s, txs, selective: opts.selective, unreplayable };
    if (info.s !== 'valid' && !info.g) {
      sink.explained({ block: id, status: info.s, breaksRules: breaksRules(audit),
        problems: txs.flatMap((t) => t.problems.map((p) => `${p.code} ${p.tx}: ${p.message}`)) });
    }
    for (const v of [...votes, ...duplicates]) judge(audit, v, tallies, counts, sink);
    sink.onBlock?.();
  }
  counts.voters = [...tallies.values()];
  return counts;
}

function judge(audit: BlockAudit, v: Vote, tallies: Map<string, VoterTally>, counts: ReplayCounts, sink: ReplaySink): void {
  const t = Number(v.vote.timestamp);
  const valid = v.vote.is_block_valid === true;
  const j = judgeVote(audit, valid, Number.isFinite(t) ? t : Number.POSITIVE_INFINITY);
  const tally = tallies.get(v.node_pubkey) ?? { voter: v.node_pubkey, cast: 0, agrees: 0, timing: 0, contradicted: 0 };
  tallies.set(v.node_pubkey, tally);
  tally.cast++;
  tally[j.verdict]++;
  counts.votes++;
  sink.vote({ block: audit.id, voter: v.node_pubkey, valid, verdict: j.verdict, reason: j.reason });
  if (j.verdict === 'contradicted') {
    sink.finding(finding('AUDIT_VOTE_CONTRADICTED', 'vote', `${audit.id}/${v.node_pubkey}`, j.reason,
      { block: audit.id, voter: v.node_pubkey, valid, timestamp: v.vote.timestamp, ...(j.evidence !== undefined ? { evidence: j.evidence } : {}) }));
  }
}
