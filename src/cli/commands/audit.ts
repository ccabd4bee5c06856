/**
 * `ledger-archive audit` (SPEC.md §24): replay the archive's ledger under BigchainDB's rules —
 * inputs from earlier VALID blocks, no output spent twice, amounts and asset ids carried over,
 * fulfillments of the spent conditions, no duplicate, no client GENESIS — and judge every vote.
 * Exit 1 on any transaction of a VALID block breaking a rule or any vote contradicted whatever
 * the timing. Read-only on the archive.
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, withReadOnlyArchive } from '../options.js';
import { makeReporter, writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface AuditArgs extends GlobalArgs { archive?: string }

export const auditCommand = defineCommand<AuditArgs>({
  command: 'audit',
  describe: 'replay the ledger under BigchainDB\'s rules and judge every vote (double spends, amounts, assets, contradicted votes)',
  builder: (y) => y.option('archive', ARCHIVE_OPTION),
  examples: [
    ['$0 audit', 'replay ./.ledger-archive and judge its votes'],
    ['$0 audit --json | jq \'select(.type=="finding")\'', 'the broken rules and contradicted votes as NDJSON'],
    ['$0 audit --json | jq \'select(.type=="audit-block")\'', 'why each block that is not VALID breaks the rules'],
  ],
  exits: {
    0: 'every transaction of every VALID block keeps the rules and no vote is contradicted (unknown inputs of a selective archive are informational)',
    1: 'a transaction of a VALID block breaks a rule, or a vote is contradicted whatever the timing',
  },
  async run(args, io) {
    const { audit } = await import('../../ops/audit.js');
    const { voterName } = await import('../../model/federation.js');
    const reporter = makeReporter(io, args);
    return withReadOnlyArchive(args.archive, async (archive) => {
      const r = await audit({ archive, reporter, signal: io.signal });
      const bad = r.invalidTransactions + r.contradictedVotes;
      writeSummary(io, args, { ...r }, [
        `audit: ${r.blocks} blocks, ${r.transactions} transactions, ${r.votes} votes${r.selective ? ' (selective archive)' : ''}`,
        `  invalid transactions in VALID blocks  ${r.invalidTransactions}`,
        `  inputs not provable from this archive ${r.unknownInputs}`,
        ...(r.unreplayable > 0 ? [`  transactions not replayable (nested version-1 layout) ${r.unreplayable}`] : []),
        `  blocks not VALID                      ${r.notValid.total}, ${r.notValid.explained} of them breaking a rule`,
        `  contradicted votes                    ${r.contradictedVotes}`,
        'votes by voter (cast / agreeing / timing-dependent / contradicted):',
        ...r.voters.map((v) => `  ${voterName(archive.federation, v.voter).padEnd(18)} ${v.cast} / ${v.agrees} / ${v.timing} / ${v.contradicted}`),
      ]);
      return bad > 0 ? EXIT.FINDINGS : EXIT.OK;
    });
  },
});
