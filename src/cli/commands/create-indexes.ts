/**
 * `ledger-archive create-indexes --to rethinkdb://…` (docs/spec-rebuild.md §6): create
 * BigchainDB's secondary indexes on a database restored from a dump (`rethinkdb restore`
 * of a `rebuild --to FILE.tar.gz`), and wait for them. Exit 7 when the target fails.
 */
import { defineCommand } from '../command.js';
import { LAYOUTS, PASSWORD_FILE_OPTION, choiceOption, textOption } from '../options.js';
import { makeReporter, writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Layout } from '../../model/documents.js';

interface CreateIndexesArgs extends GlobalArgs {
  to: string;
  layout?: Layout;
  'password-file'?: string;
}

export const createIndexesCommand = defineCommand<CreateIndexesArgs>({
  command: 'create-indexes',
  describe: 'create BigchainDB\'s secondary indexes on a RethinkDB database (after `rethinkdb restore` of a rebuilt dump)',
  builder: (y) => y
    .option('to', { ...textOption('to', 'rethinkdb://[user@]host[:port]/db'), demandOption: true })
    .option('layout', choiceOption('layout', LAYOUTS, 'storage layout (default: detected from the tables)'))
    .option('password-file', PASSWORD_FILE_OPTION),
  examples: [
    ['$0 create-indexes --to rethinkdb://localhost:28015/bigchain', 'after `rethinkdb restore` of a rebuilt dump'],
    ['$0 create-indexes --to rethinkdb://admin@db1/bigchain --layout 1.0 --password-file pw', 'a 1.0 layout, with a password'],
  ],
  exits: { 0: 'the indexes exist and are ready', 7: 'the target refused or failed (the message says what)' },
  async run(args, io) {
    const { createIndexes } = await import('../../ops/create-indexes.js');
    const r = await createIndexes({ to: args.to, layout: args.layout, passwordFile: args['password-file'], reporter: makeReporter(io, args) });
    writeSummary(io, args, { ...r }, [
      `indexes of BigchainDB ${r.layout} on ${r.target}`,
      `  created    ${r.created.length > 0 ? r.created.join(', ') : 'none'}`,
      `  existing   ${r.existing.length > 0 ? r.existing.join(', ') : 'none'}`,
    ]);
    return EXIT.OK;
  },
});
