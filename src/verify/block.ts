/**
 * Block verification (SPEC.md §7.1): the id is the hash of canonical `block`, the
 * signature is by `node_pubkey` over the same bytes, the creator and every voter
 * belong to the pinned federation, and every transaction verifies.
 */
import { finding, type Finding } from '../findings.js';
import { tryCanonicalBytes } from '../model/canonical.js';
import { canonicalTextOf } from '../model/json.js';
import { hashHex } from '../crypto/hash.js';
import { decodePublicKey, decodeSignature } from '../crypto/base58.js';
import { verifyEd25519 } from '../crypto/ed25519.js';
import type { Federation } from '../model/federation.js';
import type { Block } from '../model/types.js';
import { verifyTransaction, verifyTransactionOfCanonical } from './transaction.js';

/** Options of {@link verifyBlock}. */
export interface BlockCheckOptions {
  /** Check every transaction too (default true). */
  transactions?: boolean;
}

/**
 * Verify one shape-checked block against the federation.
 * @returns findings; empty when the block verifies
 * @example verifyBlock(block, federation) // [] or [{code: 'BLOCK_BAD_SIGNATURE', ...}]
 */
export function verifyBlock(block: Block, federation: Federation, opts: BlockCheckOptions = {}): Finding[] {
  const out: Finding[] = [];
  const text = canonicalBodyText(block);
  const body = text !== null ? Buffer.from(text, 'utf8') : tryCanonicalBytes(block.block);
  if (body === null) {
    // A lone surrogate, non-finite float or keys equal up to a U+0000: BigchainDB could not have hashed or signed it.
    out.push(finding('BLOCK_ID_MISMATCH', 'block', block.id, 'the block holds a value BigchainDB cannot serialize (lone surrogate, non-finite number, or keys equal up to a U+0000)', { computed: null }));
  } else {
    const computed = hashHex(federation.hash, body);
    if (computed !== block.id) out.push(finding('BLOCK_ID_MISMATCH', 'block', block.id, undefined, { computed }));
  }
  if (body === null || !signatureOk(block.block.node_pubkey, body, block.signature)) {
    out.push(finding('BLOCK_BAD_SIGNATURE', 'block', block.id, undefined, { node_pubkey: block.block.node_pubkey }));
  }
  if (!federation.keySet.has(block.block.node_pubkey)) {
    out.push(finding('BLOCK_UNKNOWN_CREATOR', 'block', block.id, undefined, { node_pubkey: block.block.node_pubkey }));
  }
  for (const voter of new Set(block.block.voters)) {
    if (!federation.keySet.has(voter)) {
      out.push(finding('BLOCK_UNKNOWN_VOTER', 'block', block.id, `block.voters lists ${voter}, which is not in the federation`, { voter }));
    }
  }
  if (opts.transactions !== false) {
    const check = text !== null ? verifyTransactionOfCanonical : verifyTransaction;
    for (const tx of block.block.transactions) {
      for (const f of check(tx, { hash: federation.hash })) out.push({ ...f, data: { ...f.data, block: block.id } });
    }
  }
  return out;
}

/**
 * The canonical text of `block.block` cut from the document's own text, when
 * parseJson proved that text canonical (SPEC.md §2.1) and it is exactly
 * `{"block":<body>,"id":<id>,"signature":<signature>}`; null otherwise (then the body
 * is serialized). This verifies the document as it was read: a tree changed in
 * memory must be copied first (copies are not canonical-known).
 */
function canonicalBodyText(block: Block): string | null {
  const text = canonicalTextOf(block);
  if (text === undefined || !text.startsWith('{"block":')) return null;
  const keys = Object.keys(block);
  if (keys.length !== 3 || keys[0] !== 'block' || keys[1] !== 'id' || keys[2] !== 'signature') return null;
  const tail = `,"id":${JSON.stringify(block.id)},"signature":${JSON.stringify(block.signature)}}`;
  return text.endsWith(tail) ? text.slice(9, text.length - tail.length) : null;
}

/** Verify a base58 signature by a base58 key; malformed key or signature → false. */
export function signatureOk(publicKey: string, message: Uint8Array, signature: string): boolean {
  const pk = decodePublicKey(publicKey);
  const sig = decodeSignature(signature);
  return pk !== null && sig !== null && verifyEd25519(pk, message, sig);
}
