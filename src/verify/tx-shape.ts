/**
 * Transaction shape checks per version (reference §5), following BigchainDB's own
 * JSON schemas (common/schema/transaction*.yaml at v0.9–v1.3) and the type checks
 * in common/transaction.py. Each problem names the field, so a TX_MALFORMED
 * finding says exactly what is wrong. Pure; never throws.
 */
import { isJsonFloat } from '../model/json.js';
import { isHexId } from '../crypto/hash.js';

/** Transaction format versions: "1.0" (BigchainDB 1.x), "0.9"/"0.10", 1 (≤ 0.8). */
export type TxVersion = '1.0' | '0.9' | '0.10' | 1;

/** One shape problem: a dotted field path and what is wrong with it. */
export interface ShapeProblem { field: string; reason: string }

type Obj = Record<string, unknown>;

const OPERATIONS = new Set(['CREATE', 'TRANSFER', 'GENESIS']);
const MAX_AMOUNT = 9n * 10n ** 18n;
const TOP_KEYS = new Set(['id', 'version', 'operation', 'asset', 'metadata', 'inputs', 'outputs']);

/** True for a plain JSON object (not null, not an array, not a JsonFloat). */
export function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !isJsonFloat(x);
}

/** The transaction's version when it is one this tool knows, else null. */
export function txVersion(tx: Obj): TxVersion | null {
  const v = tx.version;
  return v === '1.0' || v === '0.9' || v === '0.10' || v === 1 ? v : null;
}

/**
 * Check the shape of a transaction.
 * @returns its version (null when unknown: nothing else can be checked) and the problems found
 */
export function shapeProblems(tx: Obj): { version: TxVersion | null; problems: ShapeProblem[] } {
  const problems: ShapeProblem[] = [];
  const bad = (field: string, reason: string): void => { problems.push({ field, reason }); };
  const version = txVersion(tx);
  if (!isHexId(tx.id)) bad('id', 'must be 64 lowercase hex digits');
  if (version === null) {
    bad('version', `unknown transaction version ${JSON.stringify(tx.version) ?? 'undefined'}`);
    return { version, problems };
  }
  if (version === 1) checkV1(tx, bad);
  else checkFlat(tx, version, bad);
  return { version, problems };
}

type Bad = (field: string, reason: string) => void;

function checkFlat(tx: Obj, version: '1.0' | '0.9' | '0.10', bad: Bad): void {
  for (const k of Object.keys(tx)) if (!TOP_KEYS.has(k)) bad(k, 'unexpected field');
  const op = tx.operation;
  if (typeof op !== 'string' || !OPERATIONS.has(op)) bad('operation', 'must be CREATE, TRANSFER or GENESIS');
  const transfer = op === 'TRANSFER';
  checkAsset(tx.asset, transfer, bad);
  if (!('metadata' in tx)) bad('metadata', 'missing');
  else if (tx.metadata !== null && !(isObj(tx.metadata) && Object.keys(tx.metadata).length > 0)) bad('metadata', 'must be a non-empty object or null');
  const linkKeys = version === '1.0' ? ['transaction_id', 'output_index'] as const : ['txid', 'output'] as const;
  if (!Array.isArray(tx.inputs) || tx.inputs.length === 0) bad('inputs', 'must be a non-empty array');
  else {
    // transaction_create.yaml (from v0.10): a CREATE/GENESIS has one input (several signers share it as a threshold).
    if (version !== '0.9' && !transfer && tx.inputs.length !== 1) bad('inputs', `a ${String(op)} has exactly one input`);
    tx.inputs.forEach((inp: unknown, i) => {
      const f = `inputs[${i}]`;
      if (!isObj(inp)) { bad(f, 'must be an object'); return; }
      onlyKeys(inp, ['owners_before', 'fulfillment', 'fulfills'], f, bad);
      keyList(inp.owners_before, `${f}.owners_before`, bad);
      if (typeof inp.fulfillment !== 'string') bad(`${f}.fulfillment`, 'must be a fulfillment string (unsigned inputs cannot be in a ledger)');
      const link = inp.fulfills;
      if (link === null || link === undefined) {
        if (transfer) bad(`${f}.fulfills`, 'a TRANSFER input must name the output it spends');
      } else if (!isObj(link)) bad(`${f}.fulfills`, 'must be an object or null');
      else {
        if (!transfer) bad(`${f}.fulfills`, `must be null in a ${String(op)}`);
        onlyKeys(link, linkKeys, `${f}.fulfills`, bad);
        if (!isHexId(link[linkKeys[0]])) bad(`${f}.fulfills.${linkKeys[0]}`, 'must be 64 lowercase hex digits');
        if (!isUint(link[linkKeys[1]])) bad(`${f}.fulfills.${linkKeys[1]}`, 'must be a non-negative integer');
      }
    });
  }
  if (!Array.isArray(tx.outputs)) { bad('outputs', 'must be an array'); return; }
  tx.outputs.forEach((out: unknown, i) => {
    const f = `outputs[${i}]`;
    if (!isObj(out)) { bad(f, 'must be an object'); return; }
    onlyKeys(out, ['public_keys', 'amount', 'condition'], f, bad);
    keyList(out.public_keys, `${f}.public_keys`, bad, true);
    const why = version === '1.0' ? amountProblem10(out.amount) : integerAmountProblem(out.amount);
    if (why !== null) bad(`${f}.amount`, why);
    conditionShape(out.condition, `${f}.condition`, bad);
  });
}

function checkAsset(asset: unknown, transfer: boolean, bad: Bad): void {
  if (!isObj(asset)) { bad('asset', 'must be an object'); return; }
  onlyKeys(asset, transfer ? ['id'] : ['data'], 'asset', bad);
  if (transfer && !isHexId(asset.id)) bad('asset.id', 'a TRANSFER names its asset by a 64-hex CREATE id');
  if (!transfer && !('data' in asset)) bad('asset.data', 'missing');
  else if (!transfer && asset.data !== null && !isObj(asset.data)) bad('asset.data', 'must be an object or null');
}

function checkV1(tx: Obj, bad: Bad): void {
  for (const k of Object.keys(tx)) if (!['id', 'version', 'transaction'].includes(k)) bad(k, 'unexpected field');
  const t = tx.transaction;
  if (!isObj(t)) { bad('transaction', 'must be an object'); return; }
  if (typeof t.operation !== 'string' || !OPERATIONS.has(t.operation)) bad('transaction.operation', 'must be CREATE, TRANSFER or GENESIS');
  if (!Array.isArray(t.fulfillments) || t.fulfillments.length === 0) bad('transaction.fulfillments', 'must be a non-empty array');
  else {
    t.fulfillments.forEach((ff: unknown, i) => {
      const f = `transaction.fulfillments[${i}]`;
      if (!isObj(ff)) { bad(f, 'must be an object'); return; }
      keyList(ff.owners_before, `${f}.owners_before`, bad);
      if (typeof ff.fulfillment !== 'string') bad(`${f}.fulfillment`, 'must be a fulfillment string');
      if (ff.input !== null && !isObj(ff.input)) bad(`${f}.input`, 'must be an object or null');
    });
  }
  if (!Array.isArray(t.conditions)) { bad('transaction.conditions', 'must be an array'); return; }
  t.conditions.forEach((c: unknown, i) => {
    const f = `transaction.conditions[${i}]`;
    if (!isObj(c)) { bad(f, 'must be an object'); return; }
    keyList(c.owners_after, `${f}.owners_after`, bad, true);
    const why = integerAmountProblem(c.amount);
    if (why !== null) bad(`${f}.amount`, why);
    conditionShape(c.condition, `${f}.condition`, bad);
  });
}

function conditionShape(c: unknown, f: string, bad: Bad): void {
  if (!isObj(c)) { bad(f, 'must be an object'); return; }
  onlyKeys(c, ['details', 'uri'], f, bad);
  if (!isObj(c.details)) bad(`${f}.details`, 'must be an object');
  if (typeof c.uri !== 'string') bad(`${f}.uri`, 'must be a string');
}

/** v1.0: a decimal string of 1–20 digits with 1 ≤ value ≤ 9·10^18 (Output.MAX_AMOUNT). */
export function amountProblem10(a: unknown): string | null {
  if (typeof a !== 'string' || !/^[0-9]{1,20}$/.test(a)) return 'must be a decimal string of 1 to 20 digits';
  // Up to 15 digits a Number is exact (and far below the maximum); BigInt only for long ones.
  if (a.length <= 15) return Number(a) >= 1 ? null : 'must be at least 1';
  const v = BigInt(a);
  if (v < 1n) return 'must be at least 1';
  return v > MAX_AMOUNT ? 'must be at most 9000000000000000000' : null;
}

/** v0.9/0.10 and version 1: a JSON integer ≥ 1 (a float such as 1.0 is not an int in Python). */
export function integerAmountProblem(a: unknown): string | null {
  if (isJsonFloat(a) || (typeof a === 'number' && !Number.isInteger(a))) return 'must be an integer, not a float';
  if (typeof a === 'bigint') return a >= 1n ? null : 'must be at least 1';
  if (typeof a !== 'number') return 'must be an integer';
  return a >= 1 ? null : 'must be at least 1';
}

// Output keys may be null (schema `public_keys: anyOf [array, null]`); input owners must be a list.
function keyList(x: unknown, f: string, bad: Bad, nullable = false): void {
  if (nullable && x === null) return;
  if (!Array.isArray(x)) bad(f, `must be an array of public keys${nullable ? ' or null' : ''}`);
  else if (!x.every((k) => typeof k === 'string')) bad(f, 'public keys must be strings');
}

function onlyKeys(o: Obj, allowed: readonly string[], f: string, bad: Bad): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(`${f}.${k}`, 'unexpected field');
}

function isUint(x: unknown): boolean {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}
