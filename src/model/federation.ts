/**
 * The pinned federation (SPEC.md §6): the public keys whose blocks and votes count,
 * optional display names, and the ledger's hash function. Loaded from a federation
 * file or from a BigchainDB node config (its `keyring` plus `keypair.public`; the
 * private key is read past, never kept or printed).
 */
import { readFileSync } from 'node:fs';
import { LedgerError } from '../errors.js';
import { decodePublicKey } from '../crypto/base58.js';
import type { HashName } from '../crypto/hash.js';
import { HASH_NAMES } from '../crypto/hash.js';

/** A validated federation. `keys` keep file order; `keySet` answers membership. */
export interface Federation {
  keys: string[];
  keySet: ReadonlySet<string>;
  names: Record<string, string>;
  hash: HashName;
}

/** The JSON form written into archives and federation files. */
export interface FederationFile { keys: string[]; names?: Record<string, string>; hash?: HashName }

function bad(where: string, why: string): never {
  throw new LedgerError('LEDGER_FEDERATION', `${where}: ${why}`, { file: where });
}

/**
 * Validate a parsed federation file or BigchainDB node config.
 * @throws LedgerError LEDGER_FEDERATION naming the problem
 */
export function federationFromJson(json: unknown, where = 'federation'): Federation {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) bad(where, 'expected a JSON object');
  const o = json as Record<string, unknown>;
  if (!('keys' in o) && 'keyring' in o) return fromNodeConfig(o, where);
  if (!Array.isArray(o.keys) || o.keys.length === 0) bad(where, '"keys" must be a non-empty array of base58 public keys');
  const keys = o.keys as unknown[];
  keys.forEach((k, i) => {
    if (decodePublicKey(k) === null) bad(where, `keys[${i}] is not a base58 Ed25519 public key (32 bytes)`);
  });
  if (new Set(keys).size !== keys.length) bad(where, '"keys" lists a key twice');
  const names = o.names ?? {};
  if (typeof names !== 'object' || names === null || Array.isArray(names)) bad(where, '"names" must be an object');
  for (const [k, v] of Object.entries(names)) {
    if (!keys.includes(k)) bad(where, `"names" names a key that is not in "keys": ${k}`);
    if (typeof v !== 'string') bad(where, `"names"["${k}"] must be a string`);
  }
  const hash = o.hash ?? 'sha3-256';
  if (!HASH_NAMES.includes(hash as HashName)) bad(where, `"hash" must be one of ${HASH_NAMES.join(', ')}`);
  for (const k of Object.keys(o)) if (!['keys', 'names', 'hash'].includes(k)) bad(where, `unknown field "${k}"`);
  return make(keys as string[], names as Record<string, string>, hash as HashName);
}

function fromNodeConfig(o: Record<string, unknown>, where: string): Federation {
  const kp = o.keypair as Record<string, unknown> | undefined;
  const own = kp?.public;
  if (!Array.isArray(o.keyring)) bad(where, 'node config: "keyring" must be an array');
  if (typeof own !== 'string') bad(where, 'node config: "keypair.public" is missing');
  const keys = [own, ...(o.keyring as unknown[])];
  keys.forEach((k, i) => {
    if (decodePublicKey(k) === null) bad(where, `node config: key ${i} is not a base58 Ed25519 public key`);
  });
  return make([...new Set(keys as string[])], {}, 'sha3-256');
}

function make(keys: string[], names: Record<string, string>, hash: HashName): Federation {
  return { keys, keySet: new Set(keys), names, hash };
}

/**
 * Read and validate a federation file (or node config) from disk.
 * @throws LedgerError LEDGER_FEDERATION (invalid) or LEDGER_INPUT (unreadable)
 */
export function loadFederation(path: string, opts: { hash?: HashName } = {}): Federation {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new LedgerError('LEDGER_INPUT', `cannot read federation file ${path}: ${(err as Error).message}`, { path }, err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // V8's message quotes the text ('Unexpected token …, "{…}" is not valid JSON'),
    // which for a node config holds the private key: keep only the position.
    const at = /position (\d+)/.exec((err as Error).message);
    bad(path, `not valid JSON${at === null ? '' : ` (at position ${at[1]})`}`);
  }
  const fed = federationFromJson(json, path);
  return opts.hash === undefined ? fed : { ...fed, hash: opts.hash };
}

/** The JSON form of a federation (never includes any private key). */
export function federationToJson(f: Federation): FederationFile {
  const out: FederationFile = { keys: [...f.keys] };
  if (Object.keys(f.names).length > 0) out.names = { ...f.names };
  out.hash = f.hash;
  return out;
}

/** Display name of a key: its federation name, else a shortened key. */
export function voterName(f: Federation, key: string): string {
  return f.names[key] ?? `${key.slice(0, 8)}…`;
}
