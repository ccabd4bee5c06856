/**
 * `ledger-archive prove tx|block ID --out FILE` (docs/spec-proof.md, SPEC.md §22): write a
 * self-contained proof that a transaction (or a block) is in a block, with that block's votes,
 * its election and the federation's keys and hash function, for `verify-proof` to check with no
 * archive and no network. Read-only on the archive. The file is written whole or not at all.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, parseHexId, textOption, withReadOnlyArchive } from '../options.js';
import { writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { LedgerError } from '../../errors.js';

interface ProveArgs extends GlobalArgs { kind: 'tx' | 'block'; id: string; out: string; archive?: string }

export const proveCommand = defineCommand<ProveArgs>({
  command: 'prove <kind> <id>',
  describe: 'write a self-contained proof that a transaction or block is in a block the federation decided',
  builder: (y) => y
    .positional('kind', { choices: ['tx', 'block'] as const, describe: 'what to prove' })
    .positional('id', { type: 'string', describe: 'transaction id or block id (64 hex digits)' })
    .option('out', { ...textOption('out', 'the proof file to write (replaced whole, never half-written)'), demandOption: true })
    .option('archive', ARCHIVE_OPTION),
  examples: [
    ['$0 prove tx 8c1d…07 --out proof.json', 'prove a transaction from ./.ledger-archive'],
    ['$0 verify-proof proof.json --federation federation.json', 'check it anywhere, offline'],
  ],
  exits: {
    0: 'proof written; the block is VALID',
    1: 'proof written but the block is not VALID (invalid or undecided); or the archive does not hold it, or its stored bytes no longer verify (no proof written)',
    2: 'the id is malformed',
  },
  async run(args, io) {
    const { prove } = await import('../../ops/prove.js');
    const { serializeProof } = await import('../../proof/format.js');
    const id = parseHexId('id', args.id);
    return withReadOnlyArchive(args.archive, async (archive) => {
      const r = await prove({ archive, kind: args.kind, id });
      if (r.kind === 'absent') {
        writeSummary(io, args, { written: false, found: false, kind: args.kind, id }, [`no ${args.kind} ${id} in the archive; no proof written`]);
        return EXIT.FINDINGS;
      }
      if (r.kind === 'corrupt') {
        writeSummary(io, args, { written: false, found: true, corrupt: r.findings }, [...r.findings.map((f) => `${f.code} ${f.doc}: ${f.message}`), 'no proof written']);
        return EXIT.FINDINGS;
      }
      writeWhole(args.out, serializeProof(r.proof));
      const e = r.proof.election;
      writeSummary(io, args, { written: true, out: args.out, claim: r.proof.claim, election: e, votes: r.proof.votes.length }, [
        `proof written to ${args.out}`,
        `  ${args.kind} ${id}${args.kind === 'tx' ? ` in block ${r.proof.claim.block}` : ''}`,
        `  block status ${e.status} (${e.nValid} valid, ${e.nInvalid} invalid of ${e.nVoters} voters; ${r.proof.votes.length} votes in the proof)`,
      ]);
      return e.status === 'valid' ? EXIT.OK : EXIT.FINDINGS;
    });
  },
});

/**
 * Write a file whole: a temp file beside it, then a rename.
 * @throws LedgerError LEDGER_INPUT naming the file when it cannot be written
 */
function writeWhole(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { flag: 'wx' });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new LedgerError('LEDGER_INPUT', `cannot write ${path}: ${(err as Error).message}`, { path }, err);
  }
}
