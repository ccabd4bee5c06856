/**
 * `ledger-archive keygen FILE` (docs/spec-export.md §6): make a random key file for
 * `export --encrypt` / `import --key`, readable by its owner only; never overwrites.
 */
import { defineCommand } from '../command.js';
import { writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface KeygenArgs extends GlobalArgs { file: string }

export const keygenCommand = defineCommand<KeygenArgs>({
  command: 'keygen <file>',
  describe: 'make a key file for encrypted exports (mode 0600, never overwritten)',
  builder: (y) => y.positional('file', { type: 'string', describe: 'key file to create' }),
  examples: [['$0 keygen backup.key', 'make a key for export --encrypt / import --key']],
  exits: { 0: 'the key file was written', 2: 'the file exists already (a key is never overwritten)', 3: 'the file cannot be written' },
  async run(args, io) {
    const { generateKeyFile } = await import('../../export/keyfile.js');
    const r = generateKeyFile(args.file);
    writeSummary(io, args, { path: r.path, keyId: r.keyId }, [
      `key written to ${r.path} (key id ${r.keyId}); keep a copy apart from the exports: without it they cannot be read`,
    ]);
    return EXIT.OK;
  },
});
