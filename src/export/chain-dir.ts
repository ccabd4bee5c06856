/**
 * Chain folders (SPEC.md §17.10): `export --to DIR` keeps chains of export files in DIR under
 * `ledger-<chain>-<sequence>.lae`, where `<chain>` is the UTC time of the chain's full export
 * (`YYYYMMDDTHHMMSSZ`) and `<sequence>` is six or more digits (000000 = the full export). Names
 * sort in chain order; the headers, not the names, are what `--check` verifies.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A chain file's name. */
export const CHAIN_FILE = /^ledger-(\d{8}T\d{6}Z)-(\d{6,})\.lae$/;

/** One chain file found in a folder. */
export interface ChainFile { name: string; path: string; chain: string; sequence: number }

/** `YYYYMMDDTHHMMSSZ` of a time. */
export function chainStamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** The time a chain stamp names. */
export function stampTime(stamp: string): Date {
  return new Date(stamp.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
}

/** The name of export `sequence` of the chain started at `chain`. */
export function chainFileName(chain: string, sequence: number): string {
  return `ledger-${chain}-${String(sequence).padStart(6, '0')}.lae`;
}

/** The chain files of `dir`, oldest chain first, each chain in sequence order (other files are ignored). */
export function listChainDir(dir: string): ChainFile[] {
  const out: ChainFile[] = [];
  for (const name of readdirSync(dir)) {
    const m = CHAIN_FILE.exec(name);
    if (m !== null) out.push({ name, path: join(dir, name), chain: m[1]!, sequence: Number(m[2]) });
  }
  return out.sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : a.sequence - b.sequence));
}
