/**
 * `ledger-archive show block|vote|tx ID [--canonical]` (docs/spec-store.md): a stored
 * document with its election status and votes; a transaction with the blocks holding
 * it. A vote's ID is `<block id>/<voter key>`. Exit 1 when the archive does not hold it.
 * With --canonical, stdout holds exactly the stored bytes (no newline) and the status
 * lines go to stderr, so the output can be piped into a hash tool.
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, parseBase58Key, parseHexId, withReadOnlyArchive } from '../options.js';
import { writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { LedgerError } from '../../errors.js';

interface ShowArgs extends GlobalArgs { kind: 'block' | 'vote' | 'tx' | 'owner' | 'asset'; id: string; archive?: string; canonical?: boolean }

export const showCommand = defineCommand<ShowArgs>({
  command: 'show <kind> <id>',
  describe: 'show a stored block, vote (<block>/<voter>) or transaction with its status and votes; an owner\'s outputs or an asset\'s transfers',
  builder: (y) => y
    .positional('kind', { choices: ['block', 'vote', 'tx', 'owner', 'asset'] as const, describe: 'what to show' })
    .positional('id', { type: 'string', describe: 'block id, tx id, <block id>/<voter key>, owner public key or asset id' })
    .option('canonical', { type: 'boolean', describe: 'print the stored canonical bytes instead of pretty JSON' })
    .option('archive', ARCHIVE_OPTION),
  examples: [
    ['$0 show block 3a9f…e1', 'a block, its election status and votes'],
    ['$0 show vote 3a9f…e1/5Sx4…hd --canonical | sha3sum -a 256', 'the stored bytes of a vote, exactly'],
    ['$0 show tx 8c1d…07', 'a transaction and the blocks holding it'],
    ['$0 show owner 58wo…T7', 'outputs the key holds from VALID blocks, which are unspent, and its transactions'],
    ['$0 show asset 8c1d…07', 'the chain of transfers of an asset (its CREATE id) and its unspent outputs'],
  ],
  exits: { 0: 'shown', 1: 'the archive does not hold it (owner/asset: no transaction names it), or it no longer verifies', 2: 'the id is malformed (64 hex digits; a vote: <block id>/<voter key>; an owner: a base58 key)' },
  async run(args, io) {
    const { show } = await import('../../ops/show.js');
    const id = showId(args.kind, args.id);
    if (args.kind === 'owner' || args.kind === 'asset') return showViewCommand(args, io, args.kind, id);
    return withReadOnlyArchive(args.archive, async (archive) => {
      const r = await show({ archive, kind: args.kind as 'block' | 'vote' | 'tx', id });
      if (r === null) {
        writeSummary(io, args, { found: false, kind: args.kind, id: args.id }, [`no ${args.kind} ${args.id} in the archive`]);
        return EXIT.FINDINGS;
      }
      if (r.kind === 'corrupt') {
        // Named by the reporter-less summary: the stored bytes no longer verify (SPEC.md §15.11).
        writeSummary(io, args, { found: true, corrupt: r.findings }, r.findings.map((f) => `${f.code} ${f.doc}: ${f.message}`));
        return EXIT.FINDINGS;
      }
      const pretty = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x), 2);
      const lines: string[] = [];
      if (r.kind === 'block') {
        lines.push(args.canonical === true ? r.canonical : pretty(r.block));
        lines.push(`status: ${r.election?.status ?? 'not elected'}${r.election !== null ? ` (${r.election.nValid} valid, ${r.election.nInvalid} invalid of ${r.election.nVoters})` : ''}`);
        for (const v of [...r.votes, ...r.duplicateVotes]) lines.push(`vote by ${v.node_pubkey}: ${v.vote.is_block_valid ? 'valid' : 'invalid'}, previous ${v.vote.previous_block}`);
      } else if (r.kind === 'vote') {
        lines.push(args.canonical === true ? r.canonical : pretty(r.vote));
        lines.push(`block: ${r.blockPresent ? `held, ${r.blockStatus ?? 'not elected'}` : 'not in the archive'}`);
      } else {
        lines.push(pretty(r.tx), `status: ${r.status ?? 'unknown'}`, ...r.blocks.map((b) => `in block ${b.id} (${b.status ?? 'not elected'}, ${b.timestamp})`));
      }
      if (args.canonical === true && r.kind !== 'tx' && args.json !== true) {
        // Exactly the bytes that were verified: a hash of stdout is the document's hash.
        io.out.write(lines[0]!);
        io.err.write(lines.slice(1).map((l) => `${l}\n`).join(''));
        return EXIT.OK;
      }
      writeSummary(io, args, { found: true, ...r }, lines);
      return EXIT.OK;
    });
  },
});

/**
 * The id as the archive keys it: 64 hex digits, or `<block id>/<voter key>` for a vote.
 * @throws LedgerError LEDGER_USAGE naming the argument
 */
function showId(kind: ShowArgs['kind'], id: string): string {
  if (kind === 'owner') return parseBase58Key('id', id);
  if (kind !== 'vote') return parseHexId('id', id);
  const parts = String(id).split('/');
  if (parts.length !== 2) {
    throw new LedgerError('LEDGER_USAGE', `id ${JSON.stringify(String(id))}: a vote id is <block id>/<voter public key>`, { option: 'id', value: String(id) });
  }
  return `${parseHexId('id', parts[0])}/${parseBase58Key('id', parts[1])}`;
}

/** `show owner KEY` / `show asset ID` (SPEC.md §24.5). */
async function showViewCommand(args: ShowArgs, io: Parameters<typeof writeSummary>[0], kind: 'owner' | 'asset', id: string): Promise<number> {
  const { showView } = await import('../../ops/show-views.js');
  return withReadOnlyArchive(args.archive, async (archive) => {
    const r = await showView({ archive, kind, id });
    if (r === null) {
      writeSummary(io, args, { found: false, kind, id }, [`no transaction naming ${kind} ${id} in the archive`]);
      return EXIT.FINDINGS;
    }
    if (r.kind === 'corrupt') {
      writeSummary(io, args, { found: true, corrupt: r.findings }, r.findings.map((f) => `${f.code} ${f.doc}: ${f.message}`));
      return EXIT.FINDINGS;
    }
    const lines = [`${kind} ${id}: ${r.history.length} transactions, ${r.outputs.length} outputs from VALID blocks, ${r.outputs.filter((o) => o.spentBy === null).length} unspent`,
      ...Object.entries(r.unspent).map(([asset, amount]) => `  unspent ${amount} of asset ${asset}`),
      'outputs:',
      ...r.outputs.map((o) => `  ${o.tx}:${o.index} ${o.amount} of ${String(o.asset)} to ${o.keys.join(',')} — ${o.spentBy === null ? 'unspent' : `spent by ${o.spentBy.tx} in ${o.spentBy.block}`}`),
      'history:',
      ...r.history.map((h) => `  ${h.timestamp} ${h.operation.padEnd(8)} ${h.tx} in ${h.block} (${h.status})`)];
    writeSummary(io, args, { found: true, ...r }, lines);
    return EXIT.OK;
  });
}
