/**
 * BigchainDB's RethinkDB schema per storage layout (reference §6), as
 * `bigchaindb/backend/rethinkdb/schema.py` defines it at v0.9.5, v0.10.3, v1.0.1
 * and v1.3.0: the tables of `create_tables` and the secondary indexes of
 * `create_*_secondary_index`, with the same names, functions and `multi` flags.
 *
 * Differences between layouts: v1.0 adds table `assets`, v1.3 adds `metadata`;
 * the `inputs` index plucks `txid`/`output` up to v0.10 and
 * `transaction_id`/`output_index` from v1.0. Every layout (0.9 included) has the
 * `outputs` index.
 */
import { r, type RDatum } from 'rethinkdb-ts';
import type { Layout, TableName } from '../model/documents.js';

/** One secondary index: the table, name, ReQL function and multi flag. */
export interface IndexSpec {
  table: TableName;
  name: string;
  multi: boolean;
  /** The index function, built with rethinkdb-ts exactly like schema.py's lambda. */
  fn: (row: RDatum) => unknown;
  /** schema.py's Python source of the function, for documentation and reports. */
  python: string;
}

/** Tables of `create_tables` per layout, in BigchainDB's creation order. */
export function tablesFor(layout: Layout): TableName[] {
  const base: TableName[] = ['bigchain', 'backlog', 'votes'];
  if (layout === '1.0') return [...base, 'assets'];
  if (layout === '1.3') return [...base, 'assets', 'metadata'];
  return base;
}

/** Field names of an input's `fulfills` link (renamed in v1.0). */
function fulfillsFields(layout: Layout): [string, string] {
  return layout === '0.9' || layout === '0.10' ? ['txid', 'output'] : ['transaction_id', 'output_index'];
}

/**
 * Secondary indexes per layout, in schema.py's creation order.
 * @example indexesFor('1.3').map((i) => `${i.table}.${i.name}`)
 */
export function indexesFor(layout: Layout): IndexSpec[] {
  const [txField, outField] = fulfillsFields(layout);
  return [
    {
      table: 'bigchain', name: 'block_timestamp', multi: false,
      fn: (row) => row('block')('timestamp'),
      python: "r.row['block']['timestamp']",
    },
    {
      table: 'bigchain', name: 'transaction_id', multi: true,
      fn: (row) => row('block')('transactions')('id'),
      python: "r.row['block']['transactions']['id']",
    },
    {
      table: 'bigchain', name: 'asset_id', multi: true,
      fn: (row) => row('block')('transactions')('asset')('id'),
      python: "r.row['block']['transactions']['asset']['id']",
    },
    {
      // The reduce flattens the per-output key lists so any single key matches.
      table: 'bigchain', name: 'outputs', multi: true,
      fn: (row) => (row('block')('transactions') as RDatum)
        .concatMap((tx: RDatum) => tx('outputs')('public_keys'))
        .reduce((left: RDatum, right: RDatum) => left.add(right)),
      python: "r.row['block']['transactions'].concat_map(lambda tx: tx['outputs']['public_keys']).reduce(lambda l, r: l + r)",
    },
    {
      table: 'bigchain', name: 'inputs', multi: true,
      fn: (row) => (row('block')('transactions') as RDatum)
        .concatMap((tx: RDatum) => tx('inputs')('fulfills'))
        .withFields(txField, outField)
        .map((fulfills: RDatum) => [fulfills(txField), fulfills(outField)]),
      python: `r.row['block']['transactions'].concat_map(lambda tx: tx['inputs']['fulfills']).with_fields('${txField}', '${outField}').map(lambda fulfills: [fulfills['${txField}'], fulfills['${outField}']])`,
    },
    {
      table: 'backlog', name: 'assignee__transaction_timestamp', multi: false,
      fn: (row) => r.expr([row('assignee'), row('assignment_timestamp')]),
      python: "[r.row['assignee'], r.row['assignment_timestamp']]",
    },
    {
      table: 'votes', name: 'block_and_voter', multi: false,
      fn: (row) => r.expr([row('vote')('voting_for_block'), row('node_pubkey')]),
      python: "[r.row['vote']['voting_for_block'], r.row['node_pubkey']]",
    },
  ];
}

/** True when `s` names a known layout. */
export function isLayout(s: unknown): s is Layout {
  return s === '0.9' || s === '0.10' || s === '1.0' || s === '1.3';
}
