/**
 * The database type every store module works on, apart from store/archive.ts (which opens
 * archives and imports most of store/) so that no store module imports archive.ts back.
 */
import type { AbstractLevel } from 'abstract-level';

/** A LevelDB (or memory-level) database with string keys and values. */
export type LedgerDb = AbstractLevel<string | Buffer | Uint8Array, string, string>;
