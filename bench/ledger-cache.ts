/**
 * Generated benchmark ledgers, cached as NDJSON under bench/.cache/ so repeated
 * runs measure verification, not generation. Streams: memory stays flat.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalize } from '../src/model/canonical.js';
import { federationFile, generateLedger, makeFederation, type LedgerOptions } from '../test/helpers/ledger-builder.js';

/** Where a cached ledger lives. */
export interface CachedLedger { file: string; federation: string; blocks: number }

const CACHE = fileURLToPath(new URL('../../bench/.cache/', import.meta.url));

/**
 * Make (or reuse) an NDJSON ledger of `blocks` blocks with the given options.
 * @param log progress lines (stderr)
 */
export async function cachedLedger(name: string, opts: LedgerOptions & { blocks: number }, log: (s: string) => void): Promise<CachedLedger> {
  mkdirSync(CACHE, { recursive: true });
  const file = join(CACHE, `${name}.ndjson`);
  const federation = join(CACHE, `${name}.federation.json`);
  if (existsSync(file) && existsSync(federation)) return { file, federation, blocks: opts.blocks };
  const seed = opts.seed ?? 'ledger-archive';
  writeFileSync(federation, JSON.stringify(federationFile(makeFederation(seed, opts.federationSize ?? 4), opts.hash)));
  const tmp = `${file}.tmp`;
  const out = createWriteStream(tmp);
  const started = Date.now();
  let n = 0;
  for (const ev of generateLedger(opts)) {
    const line = canonicalize(ev.kind === 'block' ? ev.block : ev.vote);
    if (!out.write(`${line}\n`)) await once(out, 'drain');
    if (ev.kind === 'block' && ++n % 5000 === 0) log(`  generating ${name}: ${n}/${opts.blocks} blocks (${Math.round((Date.now() - started) / 1000)} s)`);
  }
  out.end();
  await once(out, 'finish');
  renameSync(tmp, file);
  return { file, federation, blocks: opts.blocks };
}
