/**
 * The stored-field policy (SPEC.md §15.3.1): what a stored document may hold, per
 * kind. A document is its signed part, the fields derived from it (checked against
 * it by verification), and the fields BigchainDB's storage itself adds (row
 * metadata: never verified, never used for identity). Anything else a source puts
 * around a document is unsigned content: it is named in a DOC_UNSIGNED_FIELD finding
 * and the document goes on WITHOUT it — the signed form is what is verified, stored
 * and counted. Dropping rather than quarantining is on purpose: a mirror that
 * appends a field to a genuine document must not be able to keep that genuine
 * document out of the archive (or out of an election).
 */
import { finding, type DocKind, type Finding } from '../findings.js';

type Obj = Record<string, unknown>;

/** Kinds with a fixed top-level field set. */
export type SignedKind = 'block' | 'vote' | 'asset' | 'metadata';

/**
 * Top-level fields kept, per kind (reference §2, §3, §6; BigchainDB 0.9–1.3 `Block.to_dict`,
 * `Voting.vote`, `backend/rethinkdb/query.py` write_assets/write_metadata):
 * - block: `block` (signed), `id` (its hash), `signature` (over it) — the `bigchain` row is exactly this;
 * - vote: `vote` (signed), `node_pubkey` (the key the signature verifies under), `signature`;
 *   plus row metadata `id` (the UUID RethinkDB gives every `votes` row; see {@link ROW_ID});
 * - assets row: `id` (the CREATE tx id) and `data` (bound by that tx's id once re-coupled);
 * - metadata row: `id` (tx id) and `metadata` (likewise).
 */
export const STORED_FIELDS: Readonly<Record<SignedKind, readonly string[]>> = {
  block: ['block', 'id', 'signature'],
  vote: ['node_pubkey', 'signature', 'vote'],
  asset: ['data', 'id'],
  metadata: ['id', 'metadata'],
};

/** RethinkDB's generated primary key (a version-4 UUID in lowercase hex): the only row metadata kept. */
export const ROW_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Fields of `doc` that are neither stored fields nor row metadata of `kind`. */
export function unsignedFields(kind: SignedKind, doc: Obj): string[] {
  const keep = STORED_FIELDS[kind];
  return Object.keys(doc).filter((k) => !keep.includes(k) && !(kind === 'vote' && k === 'id' && typeof doc[k] === 'string' && ROW_ID.test(doc[k] as string)));
}

/**
 * The signed form of a shape-checked document: the same object when it holds nothing
 * else (so the parser's canonical-text proof still applies), else a copy without the
 * other fields, with one finding naming them.
 */
export function signedForm<T extends object>(kind: SignedKind, doc: T, name: string, where: string): { doc: T; findings: Finding[] } {
  const extra = unsignedFields(kind, doc as Obj);
  if (extra.length === 0) return { doc, findings: [] };
  const copy: Obj = {};
  for (const [k, v] of Object.entries(doc as Obj)) if (!extra.includes(k)) copy[k] = v;
  const shown = extra.map((k) => JSON.stringify(k.length > 64 ? `${k.slice(0, 64)}…` : k)).slice(0, 8).join(', ');
  const f = finding('DOC_UNSIGNED_FIELD', kind as DocKind, name,
    `${kind} ${name} carries field(s) ${shown}${extra.length > 8 ? ` and ${extra.length - 8} more` : ''} outside what BigchainDB signed or stores; ignored, the signed form is used`,
    { fields: extra.slice(0, 64), where });
  return { doc: copy as T, findings: [f] };
}
