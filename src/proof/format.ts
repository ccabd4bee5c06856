/**
 * The proof file (docs/spec-proof.md, SPEC.md §22): a self-contained, versioned record that a
 * transaction (or a block) is in a block the federation's votes decide. It carries the block
 * and its votes as their canonical texts (exactly the bytes BigchainDB hashed and signed), the
 * election they give, and the federation's keys and hash function. The file is itself in one
 * canonical form (fixed key order, two-space indent, final newline): any other byte sequence,
 * even one that parses to the same values, is not a proof, so no byte of it is free.
 */
import { LedgerError } from '../errors.js';
import { HASH_NAMES, type HashName } from '../crypto/hash.js';
import type { BlockStatus } from '../model/types.js';

/** The `format` field of every proof. */
export const PROOF_FORMAT = 'ledger-archive/proof';
/** The version this tool writes and reads. */
export const PROOF_VERSION = 1;
/** A proof larger than this is refused before it is parsed (a block is at most 8 MiB, SPEC.md §21). */
export const MAX_PROOF_BYTES = 64 * 1024 * 1024;

/** What a proof claims. */
export type ProofClaim = { kind: 'tx'; tx: string; block: string } | { kind: 'block'; block: string };

/** The election a proof records (SPEC.md §7.4), recomputed and compared on verification. */
export interface ProofElection { status: BlockStatus; nVoters: number; nValid: number; nInvalid: number; previousBlock: string | null }

/** A parsed proof. `block` and `votes` are canonical JSON texts. */
export interface Proof {
  format: typeof PROOF_FORMAT;
  version: typeof PROOF_VERSION;
  claim: ProofClaim;
  federation: { hash: HashName; keys: string[] };
  block: string;
  votes: string[];
  election: ProofElection;
}

const STATUSES: readonly BlockStatus[] = ['valid', 'invalid', 'undecided'];
const HEX64 = /^[0-9a-f]{64}$/;

/** The proof in its one canonical text form (the key order is the interface's). */
export function serializeProof(p: Proof): string {
  const claim = p.claim.kind === 'tx' ? { kind: 'tx', tx: p.claim.tx, block: p.claim.block } : { kind: 'block', block: p.claim.block };
  const e = p.election;
  return `${JSON.stringify({
    format: p.format, version: p.version, claim,
    federation: { hash: p.federation.hash, keys: p.federation.keys },
    block: p.block, votes: p.votes,
    election: { status: e.status, nVoters: e.nVoters, nValid: e.nValid, nInvalid: e.nInvalid, previousBlock: e.previousBlock },
  }, null, 2)}\n`;
}

/**
 * Parse a proof file's bytes: strict UTF-8 (no replacement characters, a BOM is kept and so refused).
 * @throws LedgerError LEDGER_INPUT naming the file and the reason (exit 3)
 */
export function parseProofBytes(bytes: Uint8Array, where: string): Proof {
  if (bytes.length > MAX_PROOF_BYTES) throw new LedgerError('LEDGER_INPUT', `${where}: not a proof: larger than ${MAX_PROOF_BYTES} bytes`, { path: where });
  let text: string;
  try { text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes); } catch {
    throw new LedgerError('LEDGER_INPUT', `${where}: not a proof: not valid UTF-8`, { path: where });
  }
  return parseProof(text, where);
}

/**
 * Parse a proof file's text. Only the envelope is checked here; whether it proves anything is
 * checkProof's question.
 * @throws LedgerError LEDGER_INPUT naming the file and the reason (exit 3)
 */
export function parseProof(text: string, where: string): Proof {
  const bad = (why: string): never => { throw new LedgerError('LEDGER_INPUT', `${where}: not a proof: ${why}`, { path: where }); };
  if (text.length > MAX_PROOF_BYTES) bad(`larger than ${MAX_PROOF_BYTES} bytes`);
  let json: unknown;
  try { json = JSON.parse(text); } catch { bad('not valid JSON'); }
  const o = json as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) bad('expected a JSON object');
  if (o.format !== PROOF_FORMAT) bad(`"format" must be ${JSON.stringify(PROOF_FORMAT)}`);
  if (o.version !== PROOF_VERSION) bad(`"version" ${JSON.stringify(o.version)} is not supported (this tool reads ${PROOF_VERSION})`);
  const c = o.claim as Record<string, unknown> | null;
  if (typeof c !== 'object' || c === null) bad('"claim" must be an object');
  if (c!.kind !== 'tx' && c!.kind !== 'block') bad('"claim.kind" must be "tx" or "block"');
  if (typeof c!.block !== 'string' || !HEX64.test(c!.block)) bad('"claim.block" must be a block id');
  if (c!.kind === 'tx' && (typeof c!.tx !== 'string' || !HEX64.test(c!.tx))) bad('"claim.tx" must be a transaction id');
  const f = o.federation as Record<string, unknown> | null;
  if (typeof f !== 'object' || f === null || !HASH_NAMES.includes(f.hash as HashName)) bad(`"federation.hash" must be one of ${HASH_NAMES.join(', ')}`);
  if (!Array.isArray(f!.keys) || f!.keys.length === 0 || !f!.keys.every((k) => typeof k === 'string')) bad('"federation.keys" must be a non-empty array of keys');
  if (typeof o.block !== 'string') bad('"block" must be the block\'s canonical text');
  if (!Array.isArray(o.votes) || !o.votes.every((v) => typeof v === 'string')) bad('"votes" must be an array of the votes\' canonical texts');
  const e = o.election as Record<string, unknown> | null;
  if (typeof e !== 'object' || e === null || !STATUSES.includes(e.status as BlockStatus)) bad('"election.status" must be valid, invalid or undecided');
  for (const n of ['nVoters', 'nValid', 'nInvalid'] as const) if (!Number.isSafeInteger(e![n]) || (e![n] as number) < 0) bad(`"election.${n}" must be a count`);
  if (e!.previousBlock !== null && typeof e!.previousBlock !== 'string') bad('"election.previousBlock" must be a block id or null');
  const proof = o as unknown as Proof;
  // The one text form: a proof re-serialized must give back exactly the bytes read.
  if (serializeProof(proof) !== text) bad('not in the canonical proof form (fields, order, spacing or escapes differ from what "prove" writes)');
  return proof;
}
