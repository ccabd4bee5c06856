/**
 * Turn command-line paths into one stream of raw documents: dump archives,
 * `rethinkdb export` folders and NDJSON/JSON files (see src/dump/documents.ts).
 */
import type { RawDoc } from '../sources/source.js';
import { openAnySource } from '../dump/documents.js';

/** Documents of every path, in order. */
export async function* openDocuments(paths: readonly string[]): AsyncGenerator<RawDoc> {
  for (const p of paths) yield* (await openAnySource(p)).docs;
}
