/**
 * Nothing corrupt is passed on (SPEC.md §15.11): every command that hands stored
 * documents to the outside (export, rebuild, show; merge re-verifies through ingest)
 * re-checks each one from its stored bytes first — the checks `check` runs, without the
 * transactions (the block signature covers them): the key names the document, the
 * bytes are its canonical form and hold nothing unsigned, the block id is the hash of
 * its body, the signature verifies under a federation key. A document that fails is
 * left out and named (STORE_CORRUPT); the command then exits 1, so its output is never
 * presented as complete. Cost: one hash and one signature per document, as at ingest.
 */
import { finding, type Finding } from '../findings.js';
import { canonicalize } from '../model/canonical.js';
import { canonicalTextOf, parseJson } from '../model/json.js';
import type { Federation } from '../model/federation.js';
import { parseBlock, parseVote } from '../model/parse.js';
import type { Reporter } from '../report/reporter.js';
import { keyParts, range } from '../store/schema.js';
import { keyBatches } from '../store/scan.js';
import type { LedgerDb } from '../store/archive.js';
import { verifyBlock } from '../verify/block.js';
import { signedForm, unsignedFields } from '../verify/signed-form.js';
import { verifyVote } from '../verify/vote.js';
import { FATAL_BLOCK_FINDINGS, FATAL_VOTE_FINDINGS as FATAL_VOTE } from '../ingest/recouple.js';


/** Why a stored `b!`/`v!`/`vd!` value is not what was verified, or null when it is. */
export function storedProblem(k: string, text: string, federation: Federation): string | null {
  let doc: unknown;
  try { doc = parseJson(text); } catch (err) { return `does not parse (${(err as Error).message})`; }
  const canonical = canonicalTextOf(doc as object) === text || safeCanonical(doc) === text;
  if (k.startsWith('b!')) {
    const p = parseBlock(doc, k);
    if (!p.ok) return 'is not a block';
    if (p.value.id !== keyParts(k)[0]) return `holds block ${p.value.id}`;
    if (unsignedFields('block', p.value as unknown as Record<string, unknown>).length > 0) return 'holds fields outside the signed block';
    if (!canonical) return 'is not in canonical form';
    const bad = verifyBlock(p.value, federation, { transactions: false }).filter((f) => FATAL_BLOCK_FINDINGS.has(f.code));
    return bad.length === 0 ? null : `no longer verifies (${bad.map((f) => f.code).join(', ')})`;
  }
  const p = parseVote(doc, k);
  if (!p.ok) return 'is not a vote';
  const [blockId, voter] = keyParts(k) as [string, string];
  if (p.value.vote.voting_for_block !== blockId || p.value.node_pubkey !== voter) return `holds a vote by ${p.value.node_pubkey} on ${p.value.vote.voting_for_block}`;
  if (unsignedFields('vote', p.value as unknown as Record<string, unknown>).length > 0) return 'holds fields outside the signed vote';
  if (!canonical) return 'is not in canonical form';
  const bad = verifyVote(p.value, federation).filter((f) => FATAL_VOTE.has(f.code));
  return bad.length === 0 ? null : `no longer verifies (${bad.map((f) => f.code).join(', ')})`;
}

/**
 * The canonical signed form of a stored document that holds unsigned fields (stored by an older
 * version, or changed at rest), when that form verifies; else null. For `check --repair`.
 */
export function signedFormOf(k: string, text: string, federation: Federation): string | null {
  let doc: unknown;
  try { doc = parseJson(text); } catch { return null; }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return null;
  const { doc: kept, findings } = signedForm(k.startsWith('b!') ? 'block' : 'vote', doc, k, 'archive');
  if (findings.length === 0) return null; // nothing unsigned to drop
  const out = safeCanonical(kept);
  return out !== null && storedProblem(k, out, federation) === null ? out : null;
}

function safeCanonical(doc: unknown): string | null {
  try { return canonicalize(doc); } catch { return null; }
}

/** Re-checks stored documents on their way out and remembers (and reports, once each) those that fail. */
export class StoredGate {
  /** The documents left out, one finding each. */
  readonly findings: Finding[] = [];
  private readonly bad = new Set<string>();
  private readonly federation: Federation;
  private readonly reporter: Reporter | undefined;

  constructor(federation: Federation, reporter?: Reporter) {
    this.federation = federation;
    this.reporter = reporter;
  }

  /** True when the stored value `text` under `k` may be passed on; else it is named (once). */
  pass(k: string, text: string): boolean {
    if (this.bad.has(k)) return false;
    const why = storedProblem(k, text, this.federation);
    if (why === null) return true;
    this.bad.add(k);
    const f = finding('STORE_CORRUPT', 'archive', k, `stored ${k.startsWith('b!') ? 'block' : 'vote'} ${k} ${why}: left out (run "ledger-archive check")`, { key: k });
    this.findings.push(f);
    this.reporter?.finding(f);
    return false;
  }

  /** Name a problem that is not one document's bytes (e.g. a derived record without its block). */
  note(k: string, message: string): void {
    if (this.bad.has(k)) return;
    this.bad.add(k);
    const f = finding('STORE_CORRUPT', 'archive', k, message, { key: k });
    this.findings.push(f);
    this.reporter?.finding(f);
  }

  /** True when no document was left out. */
  get complete(): boolean { return this.findings.length === 0; }
}

/**
 * What a rebuild plans from (block meta `bm!`, elections `es!`) must be there for every stored
 * block and for no other: three key scans in step (no values read). A block whose meta record
 * was lost or changed would otherwise drop out of a rebuild without a word.
 */
export async function checkBlockKeys(db: LedgerDb, gate: StoredGate, signal?: AbortSignal): Promise<void> {
  const ids = (ns: 'b' | 'bm' | 'es'): AsyncIterator<string[]> => keyBatches(db, range(ns))[Symbol.asyncIterator]();
  const scans = (['b', 'bm', 'es'] as const).map((ns) => ({ ns, it: ids(ns), batch: [] as string[], i: 0, done: false }));
  const head = async (s: typeof scans[number]): Promise<string | null> => {
    while (s.i >= s.batch.length && !s.done) {
      const r = await s.it.next();
      if (r.done === true) s.done = true; else { s.batch = r.value; s.i = 0; }
    }
    return s.i < s.batch.length ? s.batch[s.i]!.slice(s.ns.length + 1) : null;
  };
  let n = 0;
  for (;;) {
    const heads = await Promise.all(scans.map(head));
    const live = heads.filter((h): h is string => h !== null);
    if (live.length === 0) return;
    const min = live.reduce((a, b) => (b < a ? b : a));
    const present = scans.filter((_s, j) => heads[j] === min);
    if (present.length < scans.length) {
      const where = present.map((p) => `${p.ns}!`).join(', ');
      const missing = scans.filter((sc) => !present.includes(sc)).map((p) => `${p.ns}!`).join(', ');
      gate.note(`${present[0]!.ns}!${min}`, `block ${min} has ${where} but no ${missing}: the archive's records of it are damaged (run "ledger-archive check")`);
    }
    for (const p of present) p.i++;
    if (++n % 10_000 === 0) signal?.throwIfAborted();
  }
}
