/**
 * `ledger-archive quarantine list|retry|drop [HASH...] [--all]` (issue 11 §10): answer the
 * QUARANTINE_NOT_EMPTY warning. `list` shows each quarantined document (hash, kind, where
 * it came from, finding codes); `retry` sends entries through ingest again and releases
 * those that are now stored; `drop` deletes entries for good.
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, WORKERS_OPTION, withArchive } from '../options.js';
import { makeReporter, writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { LedgerError } from '../../errors.js';

interface QuarantineArgs extends GlobalArgs { action: 'list' | 'retry' | 'drop'; hashes?: string[]; all?: boolean; archive?: string; workers?: number }

export const quarantineCommand = defineCommand<QuarantineArgs>({
  command: 'quarantine <action> [hashes..]',
  describe: 'list quarantined documents, retry them through verification, or drop them',
  builder: (y) => y
    .positional('action', { type: 'string', choices: ['list', 'retry', 'drop'] as const, describe: 'list, retry or drop' })
    .positional('hashes', { type: 'string', array: true, describe: 'entries by hash (or a unique prefix of 8+ digits), from `quarantine list`' })
    .option('all', { type: 'boolean', describe: 'retry or drop every entry' })
    .option('archive', ARCHIVE_OPTION)
    .option('workers', WORKERS_OPTION),
  examples: [
    ['$0 quarantine list', 'what is quarantined, from where, and why'],
    ['$0 quarantine retry --all', 'verify every entry again; those that now verify are stored and released'],
    ['$0 quarantine drop 3f5a09c2', 'delete one entry (a stray package.json, say)'],
  ],
  exits: { 0: 'listed (even if empty); retried and every entry released; dropped', 1: 'retry: some entries still do not verify (they stay)', 2: 'no hash and no --all, or a hash matching no entry' },
  async run(args, io) {
    const q = await import('../../ops/quarantine.js');
    const hashes = (args.hashes ?? []).map(String);
    const target = (): readonly string[] | 'all' => {
      if (args.all === true) return 'all';
      if (hashes.length === 0) throw new LedgerError('LEDGER_USAGE', `quarantine ${args.action}: name entries by hash, or give --all`, { action: args.action });
      return hashes;
    };
    return withArchive(args.archive, async (archive) => {
      if (args.action === 'list') {
        const list = await q.listQuarantine(archive);
        writeSummary(io, args, { entries: list, count: list.length }, [
          `${list.length} document(s) in quarantine`,
          ...list.map((e) => `  ${e.hash}  ${e.kind.padEnd(8)} ${e.codes.join(',')}  from ${e.origin} (${e.bytes} bytes, ${e.at})`),
        ]);
        return EXIT.OK;
      }
      if (args.action === 'drop') {
        const r = await q.dropQuarantine({ archive, hashes: target() });
        writeSummary(io, args, { ...r }, [`dropped ${r.dropped.length} document(s) from quarantine`]);
        return EXIT.OK;
      }
      const r = await q.retryQuarantine({ archive, hashes: target(), reporter: makeReporter(io, args), workers: args.workers, signal: io.signal });
      writeSummary(io, args, { ...r }, [
        `retried ${r.retried}: ${r.released.length} now stored and released, ${r.kept.length} still in quarantine`,
        ...r.kept.slice(0, 20).map((k) => `  kept ${k.hash} ${k.codes.join(',')}`),
      ]);
      return r.kept.length > 0 ? EXIT.FINDINGS : EXIT.OK;
    });
  },
});
