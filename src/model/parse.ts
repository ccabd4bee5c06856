/**
 * Shape checks of untrusted documents (SPEC.md §5). A document becomes a typed
 * value, or findings that name it (id when it has one, else its position) and say
 * what is wrong. Nothing here verifies hashes or signatures.
 */
import { finding, type Finding } from '../findings.js';
import { isHexId } from '../crypto/hash.js';
import type { AssetRow, Block, MetadataRow, Transaction, Vote } from './types.js';

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

/** Shape-check a block (reference §2). */
export function parseBlock(doc: unknown, where: string): Parsed<Block> {
  const name = docName(doc, where);
  const bad = (why: string): Parsed<Block> =>
    ({ ok: false, findings: [finding('DOC_MALFORMED', 'block', name, `block ${why}`, { where })] });
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

/** Why a vote fails BigchainDB's vote schema, or null when it passes. */
export function voteSchemaProblem(vote: Vote): string | null {
  const v = vote.vote as unknown as Obj;
  const allowed = new Set(['voting_for_block', 'previous_block', 'is_block_valid', 'invalid_reason', 'timestamp']);
  for (const k of Object.keys(v)) if (!allowed.has(k)) return `unexpected field "vote.${k}"`;
  if (!isHexId(v.previous_block)) return '"vote.previous_block" must be a block id';
  if (typeof v.is_block_valid !== 'boolean') return '"vote.is_block_valid" must be a boolean';
  if (v.invalid_reason !== null && typeof v.invalid_reason !== 'string') return '"vote.invalid_reason" must be null or a string';
  if (typeof v.timestamp !== 'string' || !TIMESTAMP.test(v.timestamp)) return '"vote.timestamp" must be a string of digits';
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

/** Shape-check a bare transaction enough to name it; full checks are in verify/transaction.ts. */
export function parseTransaction(doc: unknown, where: string): Parsed<Transaction> {
  if (isObj(doc) && typeof doc.id === 'string') return { ok: true, value: doc as unknown as Transaction };
  return { ok: false, findings: [finding('DOC_MALFORMED', 'tx', docName(doc, where), 'transaction must be an object with a string "id"', { where })] };
}
