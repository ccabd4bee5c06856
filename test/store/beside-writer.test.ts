/**
 * Reading beside a writer (SPEC.md §15.1.1, store/beside-writer.ts): while another process
 * commits batches as fast as it can (big enough to make LevelDB switch logs and compact),
 * read-only opens succeed, reach at least the commit.json read before they began, and see
 * whole batches only: every batch up to the copy's last commit, and nothing after it; and the
 * writer never fails (a hard-linked table once let a copy's LevelDB truncate the writer's file).
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { closeArchive, initArchive, openArchive } from '../../src/store/archive.js';
import { commitState, readCommitFile } from '../../src/store/commit.js';
import { isLocked } from '../../src/store/snapshot.js';
import { buildLedger } from '../helpers/store-ledger.js';
import { tempDir } from '../helpers/store-archive.js';

const fed = buildLedger({ voters: 3, blocks: 1, shuffle: true }).federation;
const dist = (f: string): string => pathToFileURL(join(import.meta.dirname, '..', '..', 'src', 'store', f)).href;

/** A child that commits batches of 40 keys × 2 KiB (`x!<batch>!<i>`) until killed. */
function writer(dir: string): { started: Promise<void>; stop: () => Promise<boolean> } {
  const script = `const { openArchive } = await import(${JSON.stringify(dist('archive.js'))});
const { commitBatch } = await import(${JSON.stringify(dist('commit.js'))});
const a = await openArchive({ dir: ${JSON.stringify(dir)} });
process.stdout.write('started\\n');
const pad = 'p'.repeat(2048);
for (let n = 1; ; n++) {
  const ops = [];
  for (let i = 0; i < 40; i++) ops.push({ type: 'put', key: 'x!' + String(n).padStart(8, '0') + '!' + i, value: pad });
  await commitBatch(a.db, ops);
}`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const started = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => { if (b.toString().includes('started')) resolve(); });
    child.once('exit', (c) => reject(new Error(`writer exited ${c}`)));
  });
  /** Kill it; false when it had died already (e.g. its database damaged under it). */
  const stop = async (): Promise<boolean> => {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    return true;
  };
  return { started, stop };
}

test('read-only opens beside a busy writer: proven copies of whole batches, never older than commit.json', async () => {
  const t = tempDir();
  const dir = join(t.dir, 'a');
  await initArchive({ dir, federation: fed });
  const w = writer(dir);
  try {
    await w.started;
    assert.ok(isLocked(join(dir, 'db')), 'the writer holds the archive');
    let last = 0;
    for (let round = 0; round < 12; round++) {
      const before = readCommitFile(dir)!.n;
      const a = await openArchive({ dir, readOnly: true });
      try {
        const n = commitState(a.db)!.n;
        assert.ok(n >= before, `the copy reaches commit.json read before it (${n} ≥ ${before})`);
        assert.ok(n >= last, 'copies never go back');
        last = n;
        const perBatch = new Map<number, number>();
        for await (const k of a.db.keys({ gte: 'x!', lt: 'x"' })) {
          const b = Number(k.slice(2, 10));
          perBatch.set(b, (perBatch.get(b) ?? 0) + 1);
        }
        // Commit 1 is init's; batch b of the writer is commit b + 1.
        assert.equal(perBatch.size, n - 1, `batches 1..${n - 1} and no other`);
        for (const [b, c] of perBatch) assert.ok(b <= n - 1 && c === 40, `batch ${b}: ${c} of 40 keys`);
      } finally {
        await closeArchive(a);
      }
    }
    assert.ok(last > 50, `the writer moved on meanwhile (${last} commits)`);
    assert.ok(await w.stop(), 'the writer never failed beside the readers (its files are never shared with a copy)');
  } finally {
    await w.stop();
    t.cleanup();
  }
});
