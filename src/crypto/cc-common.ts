/**
 * Shared pieces of the crypto-condition modules: the error value they return
 * instead of throwing, and strict unpadded base64url (RFC 4648 §5) as both
 * drafts write it.
 */

/** Why a fulfillment or condition could not be used; `unsupported` marks types this tool cannot verify. */
export interface CcError { error: string; unsupported?: boolean }

/** True when a crypto-condition result is an error. */
export function isCcError(x: unknown): x is CcError {
  return typeof x === 'object' && x !== null && typeof (x as CcError).error === 'string';
}

const B64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decode unpadded base64url strictly: only the URL-safe alphabet, no padding, and
 * the canonical encoding (unused trailing bits zero) — anything else is null.
 */
export function b64urlDecode(s: string): Uint8Array | null {
  if (!B64URL.test(s) || s.length % 4 === 1) return null;
  const bytes = Buffer.from(s, 'base64url');
  return b64urlEncode(bytes) === s ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) : null;
}

/** Encode bytes as unpadded base64url. */
export function b64urlEncode(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64url');
}
