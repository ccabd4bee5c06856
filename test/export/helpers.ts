/** Shared generators and helpers for the export tests. */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonFloat, type JsonValue } from '../../src/model/json.js';
import { federationFromJson, type Federation } from '../../src/model/federation.js';
import { RECORD_KINDS, type ExportRecord } from '../../src/export/format.js';
import type { Layout } from '../../src/model/documents.js';

/** A one-voter federation (the reference chain's voter). */
export const FEDERATION: Federation = federationFromJson({ keys: ['DngBurxfeNVKZWCEcDnLj1eMPAS7focUZTE5FndFGuHT'], names: { DngBurxfeNVKZWCEcDnLj1eMPAS7focUZTE5FndFGuHT: 'node-ä' } });

const made: string[] = [];
process.on('exit', () => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

/** A fresh temporary folder, removed when the test process exits. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `la-export-${label}-`));
  made.push(dir);
  return dir;
}

const str = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('é', '\u0000', '"\\', '\u2028', '𝄞'));
const bigOutside = fc.oneof(fc.bigInt({ min: 2n ** 53n, max: 2n ** 80n }), fc.bigInt({ min: -(2n ** 80n), max: -(2n ** 53n) }));

/** JSON values as parseJson gives them: floats boxed, big integers as bigint, any Unicode text. */
export const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), fc.integer(), fc.maxSafeInteger(), bigOutside, str,
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => new JsonFloat(d) as JsonValue),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(str, tie('v'), { maxKeys: 4, noNullPrototype: true }) as fc.Arbitrary<JsonValue>),
})).v;

/** Export records with object documents. */
export const record: fc.Arbitrary<ExportRecord> = fc.record({
  kind: fc.constantFrom(...RECORD_KINDS),
  doc: fc.dictionary(str, jsonValue, { maxKeys: 5, noNullPrototype: true }) as fc.Arbitrary<JsonValue>,
  layout: fc.option(fc.constantFrom('0.9', '0.10', '1.0', '1.3') as fc.Arbitrary<Layout>, { nil: undefined }),
}).map((r) => (r.kind === 'block' && r.layout !== undefined ? r : { kind: r.kind, doc: r.doc }));

/** A deterministic list of ledger-shaped records (for byte-damage tests). */
export function sampleRecords(n: number): ExportRecord[] {
  const out: ExportRecord[] = [];
  for (let i = 0; i < n; i++) {
    const id = (i * 2654435761 >>> 0).toString(16).padStart(64, 'a');
    out.push({ kind: RECORD_KINDS[i % 4]!, doc: { id, block: { timestamp: String(1500000000 + i), voters: ['Dng'], amount: 10n ** 19n + BigInt(i), rate: new JsonFloat(i / 7) }, note: `nö ${i} 𝄞` } });
  }
  return out;
}

/** Assert `p` rejects with a LedgerError of `code`; returns the error. */
export async function rejectsWith(p: Promise<unknown>, code: string, what: string): Promise<Error & { code: string; data: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    const e = err as Error & { code: string; data: Record<string, unknown> };
    if (e.code !== code) throw new Error(`${what}: expected ${code}, got ${e.code ?? 'no code'}: ${e.message}`, { cause: err });
    return e;
  }
  throw new Error(`${what}: expected ${code}, but it succeeded`);
}
