/**
 * Shape checks of untrusted documents (SPEC.md §5). A document becomes a typed
 * value, or findings that name it (id when it has one, else its position) and say
 * what is wrong. Nothing here verifies hashes or signatures.
 */
import { finding, type Finding } from '../findings.js';
import { isHexId } from '../crypto/hash.js';
import type { AssetRow, Block, MetadataRow, Transaction, Vote } from './types.js';
import { limits } from './limits.js';

/** What a raw document is, judged by its shape. */
export type DocumentKind = 'block' | 'vote' | 'asset' | 'metadata' | 'transaction' | 'unknown';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const TIMESTAMP = /^\d{1,12}$/;

/**
 * Classify a document by shape. `table` (from a dump or database) wins over shape
 * for rows of `assets`/`metadata`, whose shape alone is ambiguous.
 */
export function classifyDocument(doc: unknown, table?: string | null): DocumentKind {
  if (table === 'assets') return 'asset';
  if (table === 'metadata') return 'metadata';
  if (!isObj(doc)) return 'unknown';
  if (table === 'bigchain' || isObj(doc.block)) return 'block';
  if (table === 'votes' || isObj(doc.vote)) return 'vote';
  const keys = Object.keys(doc).sort().join(',');
  if (keys === 'data,id') return 'asset';
  if (keys === 'id,metadata') return 'metadata';
  if ('version' in doc && ('operation' in doc || 'transaction' in doc)) return 'transaction';
  return 'unknown';
}

/** The id of a document for findings: its `id` when it is a string, else `where`. */
export function docName(doc: unknown, where: string): string {
  return isObj(doc) && typeof doc.id === 'string' && doc.id.length > 0 && doc.id.length <= 128 ? doc.id : where;
}

/** Result of a shape check: the typed value or the findings. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; findings: Finding[] };

/**
 * Shape-check a block (reference §2). Counts are checked before anything loops over
 * them (SPEC.md §21): at most `maxBlockTransactions` transactions, at most `maxVoters`
 * voters (the federation's size: every voter must be a distinct member), at most
 * `maxTxInputsOutputs` inputs and outputs per transaction.
 */
export function parseBlock(doc: unknown, where: string, maxVoters?: number): Parsed<Block> {
  const name = docName(doc, where);
  const bad = (why: string): Parsed<Block> =>
    ({ ok: false, findings: [finding('DOC_MALFORMED', 'block', name, `block ${why}`, { where })] });
  const over = (limit: string, max: number, why: string): Parsed<Block> =>
    ({ ok: false, findings: [finding('DOC_LIMIT', 'block', name, `block ${why} (limit ${limit} = ${max})`, { where, limit, max })] });
  const l = limits();
  if (isObj(doc) && isObj(doc.block)) {
    const { voters, transactions } = doc.block;
    if (Array.isArray(voters) && maxVoters !== undefined && voters.length > maxVoters) {
      return over('maxVoters', maxVoters, `lists ${voters.length} voters, more than the federation has members`);
    }
    if (Array.isArray(transactions) && transactions.length > l.maxBlockTransactions) {
      return over('maxBlockTransactions', l.maxBlockTransactions, `holds ${transactions.length} transactions`);
    }
    for (const [i, tx] of (Array.isArray(transactions) ? transactions : []).entries()) {
      const n = ioCount(tx);
      if (n > l.maxTxInputsOutputs) return over('maxTxInputsOutputs', l.maxTxInputsOutputs, `transaction [${i}] has ${n} inputs or outputs`);
    }
  }
  if (!isObj(doc)) return bad('is not an object');
  if (!isHexId(doc.id)) return bad('"id" must be 64 lowercase hex characters');
  if (typeof doc.signature !== 'string') return bad('"signature" must be a string');
  const b = doc.block;
  if (!isObj(b)) return bad('"block" must be an object');
  if (typeof b.timestamp !== 'string' || !TIMESTAMP.test(b.timestamp)) return bad('"block.timestamp" must be a string of digits');
  if (typeof b.node_pubkey !== 'string') return bad('"block.node_pubkey" must be a string');
  if (!Array.isArray(b.voters) || !b.voters.every((v) => typeof v === 'string')) return bad('"block.voters" must be an array of strings');
  if (!Array.isArray(b.transactions) || b.transactions.length === 0) return bad('"block.transactions" must be a non-empty array');
  for (let i = 0; i < b.transactions.length; i++) {
    const tx = b.transactions[i] as unknown;
    if (!isObj(tx) || typeof tx.id !== 'string') return bad(`"block.transactions[${i}]" must be an object with a string "id"`);
  }
  return { ok: true, value: doc as unknown as Block };
}

/**
 * Shape-check a vote (reference §3). Only what is needed to check its signature
 * and place it is required here; the full vote schema is {@link voteSchemaProblem}
 * because a counted vote that fails it still counts, as invalid (reference §4).
 */
export function parseVote(doc: unknown, where: string): Parsed<Vote> {
  const bad = (why: string): Parsed<Vote> =>
    ({ ok: false, findings: [finding('DOC_MALFORMED', 'vote', voteName(doc, where), `vote ${why}`, { where })] });
  if (!isObj(doc)) return bad('is not an object');
  if (typeof doc.node_pubkey !== 'string') return bad('"node_pubkey" must be a string');
  if (typeof doc.signature !== 'string') return bad('"signature" must be a string');
  if (!isObj(doc.vote)) return bad('"vote" must be an object');
  if (!isHexId(doc.vote.voting_for_block)) return bad('"vote.voting_for_block" must be a block id');
  if (doc.id !== undefined && typeof doc.id !== 'string') return bad('"id" must be a string when present');
  return { ok: true, value: doc as unknown as Vote };
}

// BigchainDB 1.3 common/schema/vote.yaml. BigchainDB takes rapidjson_schema's verdict
// (common/schema/__init__.py raises whenever it fails), and RapidJSON's regex search
// is unanchored and stops at U+0000: "[0-9]{10}" accepts any string holding ten
// digits in a row. `^` inside [...] (not first) is a literal, as in JavaScript.
const SCHEMA_KEY = /[1-9a-zA-Z^OIl]{43,44}/;
const SCHEMA_SIGNATURE = /[1-9a-zA-Z^OIl]{86,88}/;
const SCHEMA_HEX = /[0-9a-f]{64}/;
const SCHEMA_TIMESTAMP = /[0-9]{10}/;
const VOTE_FIELDS = new Set(['voting_for_block', 'previous_block', 'is_block_valid', 'invalid_reason', 'timestamp']);
const searchable = (s: string): string => { const nul = s.indexOf('\u0000'); return nul < 0 ? s : s.slice(0, nul); };
const matches = (re: RegExp, v: unknown): boolean => typeof v === 'string' && re.test(searchable(v));

/**
 * Why a vote fails BigchainDB's vote schema, or null when it passes. The RethinkDB
 * row `id` is ignored: BigchainDB reads votes `.without('id')` before the check.
 * Note the schema's own quirks, kept on purpose: a voter key whose base58 form is
 * shorter than 43 characters (about 1 key in 1000) fails it, and so every vote of
 * that voter counts as invalid, as it did in BigchainDB.
 */
export function voteSchemaProblem(vote: Vote): string | null {
  const top = vote as unknown as Obj;
  for (const k of Object.keys(top)) if (k !== 'id' && k !== 'node_pubkey' && k !== 'signature' && k !== 'vote') return `unexpected field "${k}"`;
  if (!matches(SCHEMA_KEY, top.node_pubkey)) return '"node_pubkey" does not match [1-9a-zA-Z^OIl]{43,44}';
  if (!matches(SCHEMA_SIGNATURE, top.signature)) return '"signature" does not match [1-9a-zA-Z^OIl]{86,88}';
  if (!isObj(top.vote)) return '"vote" must be an object';
  const v = top.vote;
  for (const k of Object.keys(v)) if (!VOTE_FIELDS.has(k)) return `unexpected field "vote.${k}"`;
  for (const k of VOTE_FIELDS) if (!(k in v)) return `"vote.${k}" is missing`;
  if (!matches(SCHEMA_HEX, v.voting_for_block)) return '"vote.voting_for_block" must be a block id';
  if (!matches(SCHEMA_HEX, v.previous_block)) return '"vote.previous_block" must be a block id';
  if (typeof v.is_block_valid !== 'boolean') return '"vote.is_block_valid" must be a boolean';
  if (v.invalid_reason !== null && typeof v.invalid_reason !== 'string') return '"vote.invalid_reason" must be null or a string';
  if (!matches(SCHEMA_TIMESTAMP, v.timestamp)) return '"vote.timestamp" must be a string holding 10 digits';
  return null;
}

/** The name findings use for a vote: `<block id>/<voter>` (votes have no signed id). */
export function voteName(doc: unknown, where: string): string {
  if (!isObj(doc) || !isObj(doc.vote)) return where;
  const b = doc.vote.voting_for_block, k = doc.node_pubkey;
  return typeof b === 'string' && typeof k === 'string' ? `${b.slice(0, 64)}/${k.slice(0, 64)}` : where;
}

/** Shape-check an `assets` row. */
export function parseAssetRow(doc: unknown, where: string): Parsed<AssetRow> {
  if (isObj(doc) && isHexId(doc.id) && 'data' in doc) return { ok: true, value: doc as unknown as AssetRow };
  return { ok: false, findings: [finding('DOC_MALFORMED', 'asset', docName(doc, where), 'assets row must be {"id": <tx id>, "data": ...}', { where })] };
}

/** Shape-check a `metadata` row. */
export function parseMetadataRow(doc: unknown, where: string): Parsed<MetadataRow> {
  if (isObj(doc) && isHexId(doc.id) && 'metadata' in doc) return { ok: true, value: doc as unknown as MetadataRow };
  return { ok: false, findings: [finding('DOC_MALFORMED', 'metadata', docName(doc, where), 'metadata row must be {"id": <tx id>, "metadata": ...}', { where })] };
}

/** The larger of a transaction's input and output counts (any version's field names). */
function ioCount(tx: unknown): number {
  if (!isObj(tx)) return 0;
  const inner = isObj(tx.transaction) ? tx.transaction : {};
  const len = (v: unknown): number => (Array.isArray(v) ? v.length : 0);
  return Math.max(len(tx.inputs), len(tx.outputs), len(inner.fulfillments), len(inner.conditions));
}

/** Shape-check a bare transaction enough to name it; full checks are in verify/transaction.ts. */
export function parseTransaction(doc: unknown, where: string): Parsed<Transaction> {
  const max = limits().maxTxInputsOutputs;
  if (ioCount(doc) > max) {
    return { ok: false, findings: [finding('DOC_LIMIT', 'tx', docName(doc, where),
      `transaction has ${ioCount(doc)} inputs or outputs (limit maxTxInputsOutputs = ${max})`, { where, limit: 'maxTxInputsOutputs', max })] };
  }
  if (isObj(doc) && typeof doc.id === 'string') return { ok: true, value: doc as unknown as Transaction };
  return { ok: false, findings: [finding('DOC_MALFORMED', 'tx', docName(doc, where), 'transaction must be an object with a string "id"', { where })] };
}
