/**
 * `ledger-archive verify-proof FILE --federation F` (docs/spec-proof.md, SPEC.md §22): check a
 * proof with no archive and no network. The keys inside the proof count only when they are the
 * pinned federation's. Exit 0 when the claim holds and the federation's votes decide the block
 * VALID; 1 when it does not; 3 when the file is not a proof (or the federation file is bad).
 */
import { readFileSync, statSync } from 'node:fs';
import { defineCommand } from '../command.js';
import { FEDERATION_OPTION, inputFileOption } from '../options.js';
import { writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { LedgerError } from '../../errors.js';

interface VerifyProofArgs extends GlobalArgs { proof: string; federation: string }

export const verifyProofCommand = defineCommand<VerifyProofArgs>({
  command: 'verify-proof <proof>',
  describe: 'check a proof offline against a pinned federation (no archive, no network)',
  builder: (y) => y
    .positional('proof', { ...inputFileOption('proof', 'the proof file written by "prove"') })
    .option('federation', FEDERATION_OPTION),
  examples: [
    ['$0 verify-proof proof.json --federation federation.json', 'exit 0 when the transaction is in a VALID block'],
  ],
  exits: {
    0: 'the claim holds: the block verifies and the federation\'s votes decide it VALID',
    1: 'it does not: other federation, a document or vote that does not verify, election mismatch, transaction absent, or the block is not VALID',
    3: 'the file is not a proof (not in the canonical proof form, unknown version, too large) or the federation file is invalid',
  },
  async run(args, io) {
    const { loadFederation } = await import('../../model/federation.js');
    const { parseProofBytes, MAX_PROOF_BYTES } = await import('../../proof/format.js');
    const { checkProof } = await import('../../proof/check.js');
    const federation = loadFederation(args.federation);
    let bytes: Buffer;
    try {
      if (statSync(args.proof).size > MAX_PROOF_BYTES) throw new Error(`larger than ${MAX_PROOF_BYTES} bytes`);
      bytes = readFileSync(args.proof);
    } catch (err) {
      throw new LedgerError('LEDGER_INPUT', `cannot read proof ${args.proof}: ${(err as Error).message}`, { path: args.proof }, err);
    }
    const proof = parseProofBytes(bytes, args.proof);
    const r = checkProof(proof, federation);
    const what = proof.claim.kind === 'tx' ? `transaction ${proof.claim.tx} in block ${proof.claim.block}` : `block ${proof.claim.block}`;
    writeSummary(io, args, { holds: r.holds, claim: proof.claim, status: r.status, findings: r.findings }, [
      r.holds ? `proven: ${what}, VALID by the federation's votes` : `NOT proven: ${what}${r.status !== null ? ` (status ${r.status})` : ''}`,
      ...r.findings.map((f) => `  ${f.code} ${f.doc}: ${f.message}`),
    ]);
    return r.holds ? EXIT.OK : EXIT.FINDINGS;
  },
});
