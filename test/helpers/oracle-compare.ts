/**
 * One value, three ways through the project, against python-rapidjson's bytes:
 * canonicalBytes of the value as built, of parseJson(the ASCII text sent to Python), and
 * of parseJson(canonicalize(value)) (the text the tool stores, which takes the
 * canonical-text fast path). Where Python raises (a lone surrogate) the project must
 * refuse too; where an object has keys equal up to a U+0000 the project refuses by
 * design (BigchainDB's order then depends on the dict's insertion order, SPEC.md §2.1).
 */
import { canonicalBytes, canonicalize } from '../../src/model/canonical.js';
import { parseJson } from '../../src/model/json.js';
import { variantWireText, wireText, type RapidjsonOracle } from './rapidjson-oracle.js';

/** A difference found: what was sent, what Python said, what the project said. */
export interface Difference { wire: string; python: string; project: string; path: string }

/** True when some object in `v` has two keys equal up to their first U+0000 (C strings). */
export function hasNulKeyCollision(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return v.some(hasNulKeyCollision);
  const keys = Object.keys(v);
  const cStrings = new Set(keys.map((k) => k.split('\u0000', 1)[0]));
  return cStrings.size < keys.length || Object.values(v).some(hasNulKeyCollision);
}

type Outcome = { bytes: Buffer } | { refused: string };

function attempt(make: () => unknown): Outcome {
  try {
    return { bytes: canonicalBytes(make()) };
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError) return { refused: `${err.name}: ${err.message}` };
    throw err;
  }
}

const show = (o: Outcome): string => ('bytes' in o ? JSON.stringify(o.bytes.toString('utf8')) : `refused (${o.refused})`);

/**
 * Compare one value; null when the project agrees with python-rapidjson. With `seed`,
 * also a variant text of it ({@link variantWireText}: whitespace, escapes, repeated
 * keys), read by Python's json and by parseJson.
 */
export async function compareWithOracle(oracle: RapidjsonOracle, value: unknown, seed?: number): Promise<Difference | null> {
  const wire = wireText(value);
  const py = await oracle.dumps(wire);
  const collision = hasNulKeyCollision(value);
  const paths: Array<[string, () => unknown]> = [
    ['built value', () => value],
    ['parseJson(sent text)', () => parseJson(wire)],
    ['parseJson(canonicalize(value))', () => parseJson(canonicalize(value))],
  ];
  for (const [path, make] of paths) {
    const ours = attempt(make);
    const agrees = py.ok && !collision ? 'bytes' in ours && ours.bytes.equals(py.bytes) : 'refused' in ours;
    if (!agrees) {
      const python = py.ok ? JSON.stringify(py.bytes.toString('utf8')) + (collision ? ' (keys equal up to U+0000: the project must refuse)' : '') : `raised ${py.error}`;
      return { wire, python, project: show(ours), path };
    }
  }
  // The lenient text (storage, display) is the same bytes whenever Python succeeds.
  if (py.ok && !collision && canonicalize(value) !== py.bytes.toString('utf8')) {
    return { wire, python: JSON.stringify(py.bytes.toString('utf8')), project: JSON.stringify(canonicalize(value)), path: 'canonicalize(value)' };
  }
  if (seed === undefined) return null;
  const variant = variantWireText(value, seed);
  const pv = await oracle.dumps(variant);
  const ours = attempt(() => parseJson(variant));
  const agrees = pv.ok && !collision ? 'bytes' in ours && ours.bytes.equals(pv.bytes) : 'refused' in ours;
  return agrees ? null : { wire: variant, python: pv.ok ? JSON.stringify(pv.bytes.toString('utf8')) : `raised ${pv.error}`, project: show(ours), path: 'parseJson(variant text)' };
}

const clip = (s: string, at: number): string => (s.length <= 400 ? s : `…${s.slice(Math.max(0, at - 150), at + 150)}… (${s.length} chars)`);

/** A difference as a few lines a person can paste into a reproducer (long texts clipped around where they differ). */
export function describeDifference(d: Difference): string {
  let at = 0;
  while (at < d.python.length && d.python[at] === d.project[at]) at++;
  const sent = /[\t\n\r]/.test(d.wire) ? `${JSON.stringify(d.wire)} (as a JSON string: it holds whitespace)` : d.wire;
  return [`sent to python-rapidjson:  ${clip(sent, 0)}`, `python-rapidjson gave:     ${clip(d.python, at)}`,
    `project (${d.path}): ${clip(d.project, at)}`].join('\n');
}
