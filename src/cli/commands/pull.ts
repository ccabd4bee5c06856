/**
 * `ledger-archive pull` (docs/spec-pull.md): fetch blocks and votes from RethinkDB,
 * a node's HTTP API or files into the archive, verified on the way in. Progress on
 * stderr (a bar on a terminal), a summary at the end; `--json` gives NDJSON events.
 * A RethinkDB password comes from the URL, `--password-file` or the environment
 * variable LEDGER_ARCHIVE_RETHINKDB_PASSWORD, and is never printed.
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, WORKERS_OPTION, withArchive, PASSWORD_FILE_OPTION, durationOption, integerOption, inputFileOption, listOption, parseBase58Key, parseHexId, textOption } from '../options.js';
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
    .option('from', { ...textOption('from', ''), describe: 'rethinkdb://[user@]host[:port]/db, http(s)://host[:port], or a dump/export folder/NDJSON file (default: the last source)' })
    .option('tx', listOption('tx', 'the blocks holding these transactions (ids, repeatable or comma-separated)', parseHexId))
    .option('owner', listOption('owner', 'blocks with transactions naming these public keys (base58)', parseBase58Key))
    .option('asset', listOption('asset', 'the CREATE and every TRANSFER of these assets (asset ids)', parseHexId))
    .option('all', { type: 'boolean', describe: 'everything (RethinkDB or files; incremental by block timestamp)' })
    .option('follow', { type: 'boolean', describe: 'RethinkDB: catch up, then stream changes until interrupted' })
    .option('fill-gaps', { type: 'boolean', describe: 'fetch blocks named by stored votes but missing, until the chains close' })
    .option('password-file', PASSWORD_FILE_OPTION)
    .option('ca', inputFileOption('ca', 'CA certificate file: connect to RethinkDB over TLS'))
    .option('archive', ARCHIVE_OPTION)
    .option('workers', WORKERS_OPTION)
    .option('overlap', durationOption('overlap', 'how much is re-read before the --all cursor: seconds, or 5m… (default 120)'))
    .option('http-timeout', durationOption('http-timeout', 'HTTP: how long one attempt may take, headers and body (default 30s)', 1))
    .option('http-min-rate', integerOption('http-min-rate', 0, 2 ** 31, 'HTTP: slowest body accepted, bytes/s after 5 s (default 1024; 0 = none)'))
    .option('http-budget', durationOption('http-budget', 'HTTP: how long one request may take over all its retries (default 120s)', 1))
    .option('allow-redirects', { type: 'boolean', describe: 'HTTP: follow redirects to other origins too (default: same origin only)' })
    .option('query-timeout', durationOption('query-timeout', 'RethinkDB: how long to wait for the whole answer of a query (default 60s)', 1))
    .option('read-timeout', durationOption('read-timeout', 'RethinkDB: how long to wait for the next batch of a cursor (default 30s; feeds wait)', 1))
    .option('max-frame-bytes', integerOption('max-frame-bytes', 1024, 2 ** 32, 'RethinkDB: largest reply frame accepted (default --max-document-bytes + 1 MiB)')),
  examples: [
    ['$0 pull --from rethinkdb://localhost:28015/bigchain --all', 'everything, then only what is new on the next pull'],
    ['$0 pull --from https://node.example:9984 --tx 8c1d…07 --fill-gaps', 'the block of a transaction, then walk back the vote chains'],
    ['$0 pull', 'repeat the last pull (same source and selection)'],
    ['$0 pull --from rethinkdb://reader@db1/bigchain --all --follow --password-file pw', 'catch up, then stream changes'],
  ],
  exits: { 0: 'pulled, nothing to report', 1: 'something was reported: quarantined, conflicting, a duplicate vote, blocks not found',
    3: 'a --from file, --ca or --password-file is missing, or holds no documents', 6: 'the source failed: connection, protocol, HTTP' },
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
