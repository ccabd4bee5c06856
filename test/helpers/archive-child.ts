/**
 * Child process for archive tests (kill-and-resume, lock):
 *   node archive-child.js ingest <dir> <blocks>  — ingest a built ledger in small batches,
 *     printing "started" first (the parent SIGKILLs it at a random moment);
 *   node archive-child.js open <dir>             — open the archive, print {"ok":true} or {"code":...}.
 */
import { closeArchive, openArchive } from '../../src/store/archive.js';
import { ingest } from '../../src/ops/ingest.js';
import { buildLedger } from './store-ledger.js';
import { raw } from './store-archive.js';

const [mode, dir, n] = process.argv.slice(2);

async function main(): Promise<void> {
  if (mode === 'open') {
    try {
      const a = await openArchive({ dir: dir! });
      await closeArchive(a);
      process.stdout.write(JSON.stringify({ ok: true }));
    } catch (err) {
      process.stdout.write(JSON.stringify({ code: (err as { code?: string }).code, cause: ((err as Error).cause as { code?: string } | undefined)?.code }));
    }
    return;
  }
  const l = buildLedger({ voters: 3, blocks: Number(n), shuffle: true });
  const docs = ledgerDocs(l);
  const a = await openArchive({ dir: dir! });
  process.stdout.write('started\n');
  await ingest({ archive: a, docs: raw(docs), workers: 0, batchDocs: 3 });
  await closeArchive(a);
  process.stdout.write('finished\n');
}

/** The documents in the order every run ingests them (votes interleaved after their blocks). */
export function ledgerDocs(l: ReturnType<typeof buildLedger>): unknown[] {
  return [l.genesis, ...l.blocks.flatMap((b) => [b, ...l.votes.filter((v) => v.vote.voting_for_block === b.id)])];
}

if (mode !== undefined) await main();
