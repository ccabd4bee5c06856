/** Paths of committed fixtures, resolved from the compiled test location (dist/test/helpers). */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJson } from '../../src/model/json.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Absolute path of a file under fixtures/. */
export const fixture = (...parts: string[]): string => join(ROOT, 'fixtures', ...parts);

/** Read a fixture as exact JSON (floats/bigints kept). */
export function json<T = unknown>(...parts: string[]): T {
  return parseJson(readFileSync(fixture(...parts), 'utf8')) as T;
}

/** Read an NDJSON fixture. */
export function jsonl<T = unknown>(...parts: string[]): T[] {
  return readFileSync(fixture(...parts), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => parseJson(l) as T);
}
