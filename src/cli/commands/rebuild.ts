/**
 * `ledger-archive rebuild --to URL|FILE` (docs/spec-rebuild.md): write the archive back
 * as a BigchainDB database (RethinkDB, read back and compared) or a `rethinkdb dump`
 * file. Prints the plan (tables, what is left out and why, gaps), progress on stderr,
 * and a summary; `--json` gives NDJSON events (`left-out` records, `summary`).
 * Exit: 0 written and equal (or planned, with --dry-run); 7 the target refused, failed,
 * reads back different, or a dump's folder is missing; 2 a dump file exists and no --force;
 * 1 the plan stopped at a gap (what precedes it is written), or a dry run found the target
 * not empty (or the dump file there) without --force.
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, LAYOUTS, withReadOnlyArchive, PASSWORD_FILE_OPTION, choiceOption, textOption } from '../options.js';
import { makeReporter, writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Layout } from '../../model/documents.js';

interface RebuildArgs extends GlobalArgs {
  to: string;
  layout?: Layout;
  until?: string;
  'keep-undecided'?: boolean;
  'allow-gaps'?: boolean;
  force?: boolean;
  'dry-run'?: boolean;
  archive?: string;
  db?: string;
  'password-file'?: string;
}

export const rebuildCommand = defineCommand<RebuildArgs>({
  command: 'rebuild',
  describe: 'rebuild a BigchainDB database (RethinkDB, or a rethinkdb dump file) from the archive, then check it',
  builder: (y) => y
    .option('to', { ...textOption('to', ''), demandOption: true, describe: 'rethinkdb://[user@]host[:port]/db, or FILE.tar.gz (a dump for `rethinkdb restore`)' })
    .option('layout', choiceOption('layout', LAYOUTS, 'storage layout (default: the one the archive was pulled from, else 1.3)'))
    .option('until', { ...textOption('until', ''), describe: 'point in time: a block id, unix seconds or an ISO date' })
    .option('keep-undecided', { type: 'boolean', describe: 'also write blocks after the last valid one, and their votes' })
    .option('allow-gaps', { type: 'boolean', describe: 'do not stop at the first gap in the vote chains' })
    .option('force', { type: 'boolean', describe: 'write into a RethinkDB database that is not empty, or replace an existing dump file' })
    .option('dry-run', { type: 'boolean', describe: 'print the plan; write nothing' })
    .option('db', textOption('db', 'database name inside a dump file (default bigchain)'))
    .option('password-file', PASSWORD_FILE_OPTION)
    .option('archive', ARCHIVE_OPTION),
  examples: [
    ['$0 rebuild --to rethinkdb://localhost:28015/bigchain --dry-run', 'the plan: tables, row counts, what is left out and why'],
    ['$0 rebuild --to rethinkdb://localhost:28015/bigchain --layout 1.3', 'write, read back and compare'],
    ['$0 rebuild --to /backup/ledger.tar.gz --until 2017-11-06T10:00:00Z', 'a dump for `rethinkdb restore`, as of a point in time'],
  ],
  exits: { 0: 'written and read back equal (with --dry-run: planned, target free)', 1: 'stopped at a gap (what precedes it is written), or a dry run found the target not empty or the file there',
    2: 'the dump file exists (use --force), or a bad --to/--until', 7: 'the target refused or failed, reads back different, or the dump\'s folder does not exist' },
  async run(args, io) {
    const { rebuild } = await import('../../ops/rebuild.js');
    const { planToJson } = await import('../../rebuild/plan.js');
    const reporter = makeReporter(io, args);
    return withReadOnlyArchive(args.archive, async (archive) => {
      const r = await rebuild({
        archive, to: args.to, layout: args.layout, until: args.until, keepUndecided: args['keep-undecided'], allowGaps: args['allow-gaps'],
        force: args.force, dryRun: args['dry-run'], db: args.db, passwordFile: args['password-file'], reporter, signal: io.signal,
      });
      const p = r.plan;
      const counts = Object.entries(p.tables).map(([t, n]) => `${t} ${n === null ? '?' : n}`).join(', ');
      const reasons = new Map<string, number>();
      for (const b of p.leftOut) reasons.set(b.reason, (reasons.get(b.reason) ?? 0) + 1);
      const gapCodes = Object.entries(p.gaps.byCode).map(([c, n]) => `${c} ${n}`).join(', ');
      const lines = [
        `${r.dryRun ? 'plan for' : 'rebuilt'} ${r.target.name} (layout ${p.layout}${p.layoutFrom === 'option' ? '' : `, ${p.layoutFrom === 'archive' ? 'as pulled' : 'default'}`})`,
        `  tables     ${counts}`,
        `  blocks     ${p.statuses.valid} valid, ${p.statuses.invalid} invalid, ${p.statuses.undecided} undecided`,
        ...(p.until !== null ? [`  until      ${p.until.timestamp}${'blockId' in p.until.spec ? ` (block ${p.until.spec.blockId})` : ''}`] : []),
        ...(p.leftOut.length > 0 ? [`  left out   ${p.leftOut.length} blocks (${[...reasons].map(([k, n]) => `${k} ${n}`).join(', ')}), ${p.votesLeftOut} votes`] : []),
        ...p.leftOut.slice(0, 10).map((b) => `    ${b.id} ${b.timestamp} ${b.status} ${b.reason}`),
        ...(p.leftOut.length > 10 ? [`    … ${p.leftOut.length - 10} more (--json lists all)`] : []),
        ...(gapCodes !== '' ? [`  gaps       ${gapCodes}${p.gaps.stopped ? `; stopped at the first gap (timestamp ${p.gaps.first?.timestamp ?? 'genesis'}); --allow-gaps to go on` : ''}`] : []),
        ...(p.duplicateVotes > 0 ? [`  note       ${p.duplicateVotes} second votes by one voter on one block are written (BigchainDB refuses to count them)`] : []),
        ...(r.targetEmpty === false ? [r.target.kind === 'dump'
          ? `  target     ${r.target.name} exists: the rebuild would overwrite it${args.force === true ? '' : ' (needs --force)'}`
          : `  target     not empty${args.force === true ? ': --force writes into it' : ': a rebuild needs --force'}`] : []),
        ...(r.written !== null ? [`  written    ${Object.entries(r.written).map(([t, n]) => `${t} ${n}`).join(', ')}`] : []),
        ...(r.dump !== null ? [`  dump       ${r.dump.path} (top folder ${r.dump.top}); restore it, then run create-indexes`] : []),
        ...(r.check !== null ? [`  check      ${r.check.equal ? 'read back equal: every row present and byte-equal in canonical form' : `${r.check.differencesTotal} differences`}`] : []),
        ...(r.check?.differences ?? []).slice(0, 10).map((d) => `    ${d.kind} ${d.table} ${d.id}`),
        ...(r.marker !== null ? [`  marker     ledger_archive_rebuild: ${r.marker}`] : []),
        ...(r.corrupt.length > 0 ? [`  INCOMPLETE ${r.corrupt.length} stored document(s) no longer verify and were left out (run "ledger-archive check")`] : []),
      ];
      writeSummary(io, args, { ...r, plan: planToJson(p) }, lines);
      if (r.check !== null && !r.check.equal) return EXIT.TARGET;
      return p.gaps.stopped || (r.targetEmpty === false && args.force !== true) || r.corrupt.length > 0 ? EXIT.FINDINGS : EXIT.OK;
    });
  },
});
