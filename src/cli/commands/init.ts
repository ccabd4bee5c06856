/**
 * `ledger-archive init --federation FILE [--archive DIR]` (docs/spec-store.md): create
 * an archive pinned to a federation (and its hash function). Re-running with the
 * same federation is a no-op; another federation, another format version or a folder
 * that is not an archive is an error (exit 4) and changes nothing.
 */
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, FEDERATION_OPTION, HASH_OPTION } from '../options.js';
import { writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface InitArgs extends GlobalArgs { federation: string; archive?: string; hash?: 'sha3-256' | 'keccak-256' }

export const initCommand = defineCommand<InitArgs>({
  command: 'init',
  describe: 'create an archive pinned to a federation (default folder $LEDGER_ARCHIVE_DIR or ./.ledger-archive)',
  builder: (y) => y
    .option('federation', FEDERATION_OPTION)
    .option('hash', HASH_OPTION)
    .option('archive', ARCHIVE_OPTION),
  examples: [
    ['$0 init --federation federation.json', 'create ./.ledger-archive pinned to these keys'],
    ['$0 init -f /etc/bigchaindb/.bigchaindb --archive /srv/ledger', 'pin to the keyring of a node\'s config'],
  ],
  exits: { 0: 'created, or already an archive with this federation', 3: 'the federation file is missing or invalid', 4: 'the folder is an archive of another federation or format, or not an archive' },
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
