/**
 * The catalogue of finding codes (SPEC.md §8). A finding is a problem in ledger
 * data: verification returns findings and never throws on bad data.
 */
export const FINDING_CODES = {
  // documents (SPEC §8.1)
  DOC_INVALID_JSON: 'the text is not valid JSON',
  DOC_MALFORMED: 'a field is missing, of the wrong type or of the wrong length',
  DOC_UNKNOWN_KIND: 'the document is neither a block, a vote nor an assets/metadata row',
  DOC_UNSIGNED_FIELD: 'a field outside what BigchainDB signed or stores; dropped, the signed form is used',
  DOC_LIMIT: 'the document breaks a limit (size, nesting, elements, string length, transactions, voters, inputs/outputs)',
  // blocks (SPEC §8.2)
  BLOCK_ID_MISMATCH: 'the block id is not the hash of its canonical `block`',
  BLOCK_BAD_SIGNATURE: 'the block signature does not verify under node_pubkey',
  BLOCK_UNKNOWN_CREATOR: 'node_pubkey is not a member of the pinned federation',
  BLOCK_UNKNOWN_VOTER: 'a key in block.voters is not a member of the pinned federation',
  BLOCK_MISSING_ASSET: 'a stored (v1.0+) block lacks the assets row of one of its transactions',
  // votes (SPEC §8.3)
  VOTE_BAD_SIGNATURE: 'the vote signature does not verify under node_pubkey',
  VOTE_UNKNOWN_VOTER: 'the voter is not a member of the pinned federation',
  VOTE_INELIGIBLE: 'the voter is not among the voters of the block it votes on',
  VOTE_DUPLICATE: 'a voter cast more than one counted vote on one block',
  VOTE_MALFORMED: 'a counted vote does not match the vote schema (counts as invalid)',
  // transactions (SPEC §8.4)
  TX_ID_MISMATCH: 'the transaction id is not the hash of its canonical form',
  TX_BAD_FULFILLMENT: 'an input fulfillment does not verify',
  TX_UNSUPPORTED_CONDITION: 'a fulfillment or condition type this tool cannot verify',
  TX_CONDITION_MISMATCH: 'an output condition URI does not match its details',
  TX_MALFORMED: 'the transaction does not match its version schema',
  // chains and gaps (SPEC §8.5)
  GAP_MISSING_BLOCK: 'a vote chain names a block the archive does not hold',
  GAP_MISSING_VOTE: 'a voter chain passes through a block that voter has no vote on',
  GAP_FORK: 'two votes by one voter name the same previous_block',
  GAP_UNREACHABLE_BLOCK: 'no voter chain reaches this block',
  GAP_OUTSIDE_SELECTION: 'a referenced block lies outside a selective archive (informational)',
  // archive (SPEC §8.6)
  STORE_CONFLICT: 'a different document arrived under an id the archive already holds',
  STORE_CORRUPT: 'a stored value no longer verifies or an index entry is wrong',
  STORE_INCOMPLETE: 'committed batches are missing from the database (completeness record)',
  // proofs (SPEC §22)
  PROOF_MALFORMED: 'a proof\'s block or vote is not a document in canonical signed form, or not the one claimed',
  PROOF_FEDERATION_MISMATCH: 'the keys or hash function inside a proof differ from the pinned federation',
  PROOF_VOTE_REJECTED: 'a vote in a proof does not verify as a counted vote on its block',
  PROOF_ELECTION_MISMATCH: 'the election recomputed from a proof\'s votes differs from the one it records',
  PROOF_TX_ABSENT: 'the claimed transaction is not in the proof\'s block, or does not verify',
  PROOF_NOT_VALID: 'the federation\'s votes do not decide the proof\'s block VALID',
  // audit: the ledger replayed (SPEC §24)
  AUDIT_DOUBLE_SPEND: 'a transaction of a VALID block spends an output already spent in an earlier VALID block, its own block or itself',
  AUDIT_AMOUNT_MISMATCH: 'a TRANSFER in a VALID block gives other amounts than its inputs hold',
  AUDIT_ASSET_MISMATCH: 'a TRANSFER in a VALID block names another asset than the outputs it spends',
  AUDIT_CONDITION_MISMATCH: 'an input in a VALID block fulfils another condition than the output it spends',
  AUDIT_INPUT_NOT_VALID: 'a transaction of a VALID block spends an output of a transaction in no earlier VALID block',
  AUDIT_UNKNOWN_INPUT: 'an input spends a transaction no block of this archive holds: not provable from this archive (informational)',
  AUDIT_DUPLICATE_TX: 'a transaction of a VALID block is twice in it or already in an earlier VALID block',
  AUDIT_CLIENT_GENESIS: 'a GENESIS transaction outside the genesis block',
  AUDIT_VOTE_CONTRADICTED: 'a vote contradicted by the rules whatever the timing (misbehaviour)',
} as const;

/** A stable finding code from {@link FINDING_CODES}. */
export type FindingCode = keyof typeof FINDING_CODES;

/** The kind of document a finding concerns. */
export type DocKind = 'block' | 'vote' | 'tx' | 'asset' | 'metadata' | 'chain' | 'document' | 'archive';

/**
 * One problem, naming the document it concerns.
 * `doc` is the document id when known, else its position (`file:line`).
 */
export interface Finding {
  code: FindingCode;
  kind: DocKind;
  doc: string;
  message: string;
  data?: Record<string, unknown>;
}

/** Build a finding; the message defaults to the catalogue text. */
export function finding(code: FindingCode, kind: DocKind, doc: string, message?: string,
  data?: Record<string, unknown>): Finding {
  const f: Finding = { code, kind, doc, message: message ?? FINDING_CODES[code] };
  if (data !== undefined) f.data = data;
  return f;
}
