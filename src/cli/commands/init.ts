/**
 * `ledger-archive init --federation FILE [--archive DIR]` (docs/spec-store.md): create
 * an archive pinned to a federation (and its hash function). Re-running with the
 * same federation is a no-op; another federation, another format version or a folder
 * that is not an archive is an error (exit 4) and changes nothing.
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION } from '../options.js';
import { writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface InitArgs extends GlobalArgs { federation: string; archive?: string; hash?: 'sha3-256' | 'keccak-256' }

export const initCommand = defineCommand<InitArgs>({
  command: 'init',
  describe: 'create an archive pinned to a federation (default folder $LEDGER_ARCHIVE_DIR or ./.ledger-archive)',
  builder: (y) => y
    .option('federation', { alias: 'f', type: 'string', demandOption: true, describe: 'federation file or BigchainDB node config' })
    .option('hash', { choices: ['sha3-256', 'keccak-256'] as const, describe: 'override the federation\'s hash function' })
    .option('archive', ARCHIVE_OPTION),
  async run(args, io) {
    const { loadFederation } = await import('../../model/federation.js');
    const { initArchive, resolveArchiveDir } = await import('../../store/archive.js');
    const dir = resolveArchiveDir(args.archive, process.env);
    const r = await initArchive({ dir, federation: loadFederation(args.federation, { hash: args.hash }) });
    writeSummary(io, args, { dir, created: r.created, ...r.info }, [
      `${r.created ? 'created' : 'already an archive with this federation:'} ${dir}`,
      `  federation ${r.info.federationHash.slice(0, 16)}… (${r.info.federation.keys.length} keys, ${r.info.federation.hash ?? 'sha3-256'})`,
    ]);
    return EXIT.OK;
  },
});
