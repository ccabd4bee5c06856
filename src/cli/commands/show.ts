/**
 * `ledger-archive show block|vote|tx ID [--canonical]` (docs/spec-store.md): a stored
 * document with its election status and votes; a transaction with the blocks holding
 * it. A vote's ID is `<block id>/<voter key>`. Exit 1 when the archive does not hold it.
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, withReadOnlyArchive } from '../options.js';
import { writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface ShowArgs extends GlobalArgs { kind: 'block' | 'vote' | 'tx'; id: string; archive?: string; canonical?: boolean }

export const showCommand = defineCommand<ShowArgs>({
  command: 'show <kind> <id>',
  describe: 'show a stored block, vote (<block>/<voter>) or transaction with its status and votes',
  builder: (y) => y
    .positional('kind', { choices: ['block', 'vote', 'tx'] as const, describe: 'what to show' })
    .positional('id', { type: 'string', describe: 'block id, tx id, or <block id>/<voter key>' })
    .option('canonical', { type: 'boolean', describe: 'print the stored canonical bytes instead of pretty JSON' })
    .option('archive', ARCHIVE_OPTION),
  async run(args, io) {
    const { show } = await import('../../ops/show.js');
    return withReadOnlyArchive(args.archive, async (archive) => {
      const r = await show({ archive, kind: args.kind, id: args.id });
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
      writeSummary(io, args, { found: true, ...r }, lines);
      return EXIT.OK;
    });
  },
});
