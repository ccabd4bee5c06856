/**
 * `ledger-archive pull` (docs/spec-pull.md): fetch blocks and votes from RethinkDB,
 * a node's HTTP API or files into the archive, verified on the way in. Progress on
 * stderr (a bar on a terminal), a summary at the end; `--json` gives NDJSON events.
 * A RethinkDB password comes from the URL, `--password-file` or the environment
 * variable LEDGER_ARCHIVE_RETHINKDB_PASSWORD, and is never printed.
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, WORKERS_OPTION, withArchive, PASSWORD_FILE_OPTION } from '../options.js';
import { makeReporter, writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { LedgerError } from '../../errors.js';

interface PullArgs extends GlobalArgs {
  from?: string;
  tx?: string[];
  owner?: string[];
  asset?: string[];
  all?: boolean;
  follow?: boolean;
  'fill-gaps'?: boolean;
  'password-file'?: string;
  ca?: string;
  archive?: string;
  workers?: number;
  overlap?: number;
  'http-timeout'?: number;
  'http-min-rate'?: number;
  'http-budget'?: number;
  'allow-redirects'?: boolean;
  'query-timeout'?: number;
  'read-timeout'?: number;
  'max-frame-bytes'?: number;
}

const ms = (seconds: number | undefined): number | undefined => (seconds === undefined ? undefined : seconds * 1000);

/** The bounds must be positive numbers (`--http-min-rate` may be 0: no minimum). */
function checkBounds(args: PullArgs): void {
  for (const name of ['http-timeout', 'http-min-rate', 'http-budget', 'query-timeout', 'read-timeout', 'max-frame-bytes'] as const) {
    const v = args[name];
    if (v === undefined) continue;
    if (!Number.isFinite(v) || v < 0 || (v === 0 && name !== 'http-min-rate')) {
      throw new LedgerError('LEDGER_USAGE', `--${name} must be a positive number, got ${String(v)}`, { option: name });
    }
  }
}

const list = (v: string[] | undefined): string[] | undefined => {
  const out = (v ?? []).flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter((s) => s.length > 0);
  return out.length > 0 ? out : undefined;
};

export const pullCommand = defineCommand<PullArgs>({
  command: 'pull',
  describe: 'fetch blocks and votes from RethinkDB, the HTTP API or files into the archive (verified; a bare pull repeats the last selections)',
  builder: (y) => y
    .option('from', { type: 'string', describe: 'rethinkdb://[user@]host[:port]/db, http(s)://host[:port], or a dump/export folder/NDJSON file (default: the last source)' })
    .option('tx', { type: 'string', array: true, describe: 'the blocks holding these transactions' })
    .option('owner', { type: 'string', array: true, describe: 'blocks with transactions naming these public keys' })
    .option('asset', { type: 'string', array: true, describe: 'the CREATE and every TRANSFER of these assets' })
    .option('all', { type: 'boolean', describe: 'everything (RethinkDB or files; incremental by block timestamp)' })
    .option('follow', { type: 'boolean', describe: 'RethinkDB: catch up, then stream changes until interrupted' })
    .option('fill-gaps', { type: 'boolean', describe: 'fetch blocks named by stored votes but missing, until the chains close' })
    .option('password-file', PASSWORD_FILE_OPTION)
    .option('ca', { type: 'string', describe: 'CA certificate file: connect to RethinkDB over TLS' })
    .option('archive', ARCHIVE_OPTION)
    .option('workers', WORKERS_OPTION)
    .option('overlap', { type: 'number', describe: 'seconds re-read before the --all cursor (default 120)' })
    .option('http-timeout', { type: 'number', describe: 'HTTP: seconds one attempt may take, headers and body (default 30)' })
    .option('http-min-rate', { type: 'number', describe: 'HTTP: slowest body accepted, bytes/s after 5 s (default 1024; 0 = none)' })
    .option('http-budget', { type: 'number', describe: 'HTTP: seconds one request may take over all its retries (default 120)' })
    .option('allow-redirects', { type: 'boolean', describe: 'HTTP: follow redirects to other origins too (default: same origin only)' })
    .option('query-timeout', { type: 'number', describe: 'RethinkDB: seconds to wait for the whole answer of a query (default 60)' })
    .option('read-timeout', { type: 'number', describe: 'RethinkDB: seconds to wait for the next batch of a cursor (default 30; feeds wait)' })
    .option('max-frame-bytes', { type: 'number', describe: 'RethinkDB: largest reply frame accepted (default --max-document-bytes + 1 MiB)' }),
  async run(args, io) {
    checkBounds(args);
    const { pull } = await import('../../ops/pull.js');
    const reporter = makeReporter(io, args);
    const selection = { all: args.all === true ? true : undefined, tx: list(args.tx), owner: list(args.owner), asset: list(args.asset) };
    return withArchive(args.archive, async (archive) => {
      const r = await pull({
        archive, from: args.from, selection: JSON.parse(JSON.stringify(selection)) as typeof selection,
        follow: args.follow === true, fillGaps: args['fill-gaps'] === true, passwordFile: args['password-file'], ca: args.ca,
        reporter, signal: io.signal, workers: args.workers, overlapSeconds: args.overlap,
        http: { timeoutMs: ms(args['http-timeout']), minBytesPerSecond: args['http-min-rate'], budgetMs: ms(args['http-budget']),
          allowRedirects: args['allow-redirects'] === true },
        rethink: { queryTimeoutMs: ms(args['query-timeout']), readTimeoutMs: ms(args['read-timeout']), maxFrameBytes: args['max-frame-bytes'] },
      });
      const s = r.summary;
      const k = (name: string, t: { new: number; duplicate: number; quarantined: number; conflicts: number }): string =>
        `  ${name.padEnd(10)} ${t.new} new, ${t.duplicate} already stored, ${t.quarantined} quarantined, ${t.conflicts} conflicts`;
      const sel = r.selection.all === true ? 'all' : Object.entries(r.selection).map(([n, v]) => `${n} ${(v as string[]).length}`).join(', ');
      const ts = (r.cursor as { blockTimestamp?: string | null } | null)?.blockTimestamp;
      writeSummary(io, args, {
        source: r.source, kind: r.kind, selection: r.selection, layout: r.layout, fetched: r.fetched, cursor: r.cursor,
        new: s.new, duplicate: s.duplicate, quarantined: s.quarantined, conflicts: s.conflicts, byKind: s.byKind,
        findings: s.findingsTotal, unresolved: r.unresolved, missing: r.missing, follow: r.follow,
      }, [
        `pulled from ${r.source} (${sel})`,
        `  fetched    ${r.fetched} documents`,
        k('blocks', s.byKind.block), k('votes', s.byKind.vote),
        ...(s.byKind.asset.new + s.byKind.asset.duplicate + s.byKind.metadata.new + s.byKind.metadata.duplicate > 0
          ? [k('assets', s.byKind.asset), k('metadata', s.byKind.metadata)] : []),
        ...(s.byKind.document.quarantined > 0 ? [`  unreadable ${s.byKind.document.quarantined} documents quarantined`] : []),
        ...(ts !== undefined && ts !== null ? [`  cursor     block timestamp ${ts}`] : []),
        ...(r.follow !== null ? [`  follow     ${r.follow.events} changes, ${r.follow.reconnects} reconnects`] : []),
        ...(r.unresolved.length > 0 ? [`  not found  ${r.unresolved.length} blocks named by votes: ${r.unresolved.slice(0, 10).join(' ')}${r.unresolved.length > 10 ? ' …' : ''}`] : []),
        ...r.missing.slice(0, 10).map((m) => `  not reached ${m.kind} ${m.id}: ${m.reason}`),
        `  findings   ${s.findingsTotal}`,
      ]);
      // Any finding counts (a duplicate vote is stored as evidence, yet reported: VOTE_DUPLICATE).
      const problems = s.findingsTotal + s.quarantined + s.conflicts + r.unresolved.length + r.missing.length;
      return problems > 0 ? EXIT.FINDINGS : EXIT.OK;
    });
  },
});
