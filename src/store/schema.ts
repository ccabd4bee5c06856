/**
 * The archive's LevelDB key layout (SPEC.md §12, docs/spec-store.md). One database,
 * string keys `<ns>!<part>!<part>...`, utf8 values. Every part is a 64-hex id, a
 * base58 key, a zero-padded decimal or a hex digest: all use characters above `!`
 * (0x21), so `<ns>!<a>!` is a clean range prefix and lexicographic order is the
 * order of the parts (timestamps are zero-padded to 12 digits, BigchainDB's limit).
 * Namespaces are fixed here and nowhere else.
 */

/** Archive format version written into `archive.json` and `meta!format`. */
export const FORMAT_VERSION = 1;
/** The `format` marker of `archive.json`. */
export const FORMAT_NAME = 'ledger-archive';

/** Namespace prefixes. Documents: b, bm, v, vd. Indexes: derived from documents. */
export const NS = {
  /** b!<block id> → canonical bytes of the full block (assets/metadata put back). */
  block: 'b',
  /** bm!<block id> → JSON {layout, origin}: how the source stored it (for rebuilds). */
  blockMeta: 'bm',
  /** v!<block id>!<voter> → canonical bytes of the vote (with its RethinkDB `id` when known). */
  vote: 'v',
  /** vd!<block id>!<voter>!<sha256 16 hex> → another verified vote by that voter on that block. */
  dupVote: 'vd',
  /** ch!<voter>!<previous_block>!<voting_for_block> → '' : each voter's chain. */
  chain: 'ch',
  /** tx!<tx id>!<block id> → '' : blocks holding a transaction. */
  tx: 'tx',
  /** ow!<public key>!<tx id>!<block id> → '' : transactions naming an owner (outputs and inputs). */
  owner: 'ow',
  /** as!<asset id>!<tx id>!<block id> → '' : transactions of an asset. */
  asset: 'as',
  /** ts!<timestamp 12 digits>!<block id> → '' : blocks by time. */
  time: 'ts',
  /** es!<block id> → JSON election {status, nVoters, nValid, nInvalid, previousBlock}: derived. */
  election: 'es',
  /** ra!<tx id> / rm!<tx id> → stored-layout assets/metadata rows as received (staging for re-coupling). */
  rowAsset: 'ra',
  rowMeta: 'rm',
  /** pb!<block id> → JSON {doc, origin, layout}: a stored-layout block still waiting for its rows. */
  pending: 'pb',
  /** pq!<block id> → JSON {doc, origin, layout, quarantine}: quarantined for a missing row; retried when rows arrive. */
  pendingQuarantined: 'pq',
  /** q!<sha256 of canonical raw doc> → JSON {origin, table, kind, doc, findings, at}. */
  quarantine: 'q',
  /** sy!<source name> → JSON {lastPullAt, cursor, ...}: per-source sync cursors. */
  sync: 'sy',
  /** sq!<seq, 16 digits>!<document key> → '' : the order documents arrived in (incremental exports). */
  sequence: 'sq',
  /** ex!<export digest> → JSON {sequence, until}: an export this archive wrote (so `--since` can trust it). */
  exported: 'ex',
  /** rq!<document key> → quarantine key: a document `check --repair` moved to quarantine (its `sq!` entry stays). */
  repaired: 'rq',
  /** cm!<commit n, 16 digits> → JSON {from, seq, docs, digest}: one per committed batch (completeness record, ./commit.ts). */
  commit: 'cm',
  /** meta!<name> → JSON: format, genesis, selection, seq, ... */
  meta: 'meta',
} as const;

/** A namespace prefix from {@link NS}. */
export type Namespace = (typeof NS)[keyof typeof NS];

const SEP = '!';

/** Build a key from its namespace and parts. */
export function key(ns: Namespace, ...parts: string[]): string {
  let k: string = ns;
  for (const p of parts) k += SEP + p; // no array spread: ingest builds millions of keys
  return k;
}

/** Split a key into its parts after the namespace. */
export function keyParts(k: string): string[] {
  return k.split(SEP).slice(1);
}

/** Iterator bounds for every key starting with `<ns>!<parts...>!`. */
export function range(ns: Namespace, ...parts: string[]): { gt: string; lt: string } {
  const p = [ns, ...parts].join(SEP) + SEP;
  // '~' (0x7e) is above every character a part can hold (hex, base58, digits).
  return { gt: p, lt: `${p}~` };
}

/** Zero-padded timestamp so lexicographic order is numeric order. */
export function tsPart(timestamp: string): string {
  return timestamp.padStart(12, '0');
}

/** Meta keys in use. */
export const META = {
  format: 'format',
  genesis: 'genesis',
  selection: 'selection',
  /** The last sequence number given to a document (`sq!`); absent = 0. */
  seq: 'seq',
} as const;

/** Key prefixes of the documents that get a sequence entry (`sq!`) when first stored: what an export holds. */
export const SEQUENCED_PREFIXES = ['b!', 'v!', 'vd!', 'ra!', 'rm!'] as const;

/** True when `k` is a document key that gets a sequence entry. */
export function isSequencedKey(k: string): boolean {
  return SEQUENCED_PREFIXES.some((p) => k.startsWith(p));
}

const SEQ_DIGITS = 16;

/** The `sq!` key of document `docKey` with sequence `n` (zero-padded so key order is numeric order). */
export function seqKey(n: number, docKey: string): string {
  return `sq${SEP}${String(n).padStart(SEQ_DIGITS, '0')}${SEP}${docKey}`;
}

/** Iterator bounds for the `sq!` entries with `after < seq <= upTo`. */
export function seqRange(after: number, upTo: number): { gte: string; lt: string } {
  return { gte: `sq${SEP}${String(after + 1).padStart(SEQ_DIGITS, '0')}`, lt: `sq${SEP}${String(upTo + 1).padStart(SEQ_DIGITS, '0')}` };
}

/** The document key an `sq!` key points to. */
export function seqDocKey(k: string): string {
  return k.slice(3 + SEQ_DIGITS + 1);
}
