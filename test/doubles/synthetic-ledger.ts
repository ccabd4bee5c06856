/**
 * A small synthetic ledger for source tests: well-shaped blocks, transactions and votes
 * with content-derived ids but no valid signatures (sources never verify).
 *
 *   G (genesis) ← B1 [CREATE c1 → alice] ← B2 [TRANSFER t1: c1:0 → bob]
 *     ← B3 [TRANSFER t2: c1:0 → carol, double spend, voted INVALID] ← B4 [CREATE c2 → alice, bob; CREATE c3 → bob] (UNDECIDED)
 * Voters v1 and v2 both vote B1..B3; only v1 votes B4. Each vote names the voter's previous block.
 */
import { hashHex } from '../../src/crypto/hash.js';

// Keys published in BigchainDB's docs (reference §8): they pass the API's base58 key check.
export const KEYS = {
  alice: 'DngBurxfeNVKZWCEcDnLj1eMPAS7focUZTE5FndFGuHT',
  bob: '4K9sWUMFwTgaDGPfdynrbxWqWS6sWmKbZoTjxLtVUibD',
  carol: '3yfQPHeWAa1MxTX9Zf9176QqcpcnWcanVZZbaHb8B3h9',
  v1: 'BwuhqQX8FPsmqYiRV2CSZYWWsSWgSSQQFHjqxKEuqkPs',
  v2: 'GxZ5yUS2bJoFpbrJwRtqSMFndmWbahmEu3cNBxe9h3pf',
} as const;

const id = (label: string): string => hashHex('sha3-256', Buffer.from(label));

/** Ids of the synthetic ledger, by name. */
export const IDS = {
  G: id('block G'), B1: id('block B1'), B2: id('block B2'), B3: id('block B3'), B4: id('block B4'),
  genesisTx: id('tx genesis'), c1: id('tx c1'), t1: id('tx t1'), t2: id('tx t2'), c2: id('tx c2'), c3: id('tx c3'),
} as const;

type Doc = Record<string, unknown>;

function output(key: string): Doc {
  return { public_keys: [key], amount: '1', condition: { details: { type: 'ed25519-sha-256', public_key: key }, uri: 'ni:///sha-256;x?fpt=ed25519-sha-256&cost=131072' } };
}

function create(txId: string, op: 'CREATE' | 'GENESIS', owner: string, outs: string[], data: Doc): Doc {
  return { id: txId, version: '1.0', operation: op, asset: { data }, metadata: { note: txId.slice(0, 6) },
    inputs: [{ owners_before: [owner], fulfillment: null, fulfills: null }], outputs: outs.map(output) };
}

function transfer(txId: string, spends: string, from: string, to: string, legacy: boolean): Doc {
  const fulfills = legacy ? { txid: spends, output: 0 } : { transaction_id: spends, output_index: 0 };
  return { id: txId, version: '1.0', operation: 'TRANSFER', asset: { id: spends }, metadata: null,
    inputs: [{ owners_before: [from], fulfillment: null, fulfills }], outputs: [output(to)] };
}

function block(blockId: string, txs: Doc[], ts: number): Doc {
  return { id: blockId, block: { timestamp: String(ts), transactions: txs, node_pubkey: KEYS.v1, voters: [KEYS.v1, KEYS.v2] }, signature: 'sig' };
}

function vote(voter: string, target: string, previous: string, valid: boolean, ts: number): Doc {
  return { node_pubkey: voter, vote: { voting_for_block: target, previous_block: previous, is_block_valid: valid,
    invalid_reason: null, timestamp: String(ts) }, signature: 'sig' };
}

/** Build the ledger; `legacy` uses v0.9/0.10 `fulfills` names (`txid`, `output`). */
export function makeSyntheticLedger(opts: { legacy?: boolean } = {}): { blocks: Doc[]; votes: Doc[] } {
  const legacy = opts.legacy ?? false;
  const { alice, bob, carol, v1, v2 } = KEYS;
  const blocks = [
    block(IDS.G, [create(IDS.genesisTx, 'GENESIS', v1, [v1], { genesis: true })], 1000),
    block(IDS.B1, [create(IDS.c1, 'CREATE', alice, [alice], { n: 1 })], 1001),
    block(IDS.B2, [transfer(IDS.t1, IDS.c1, alice, bob, legacy)], 1002),
    block(IDS.B3, [transfer(IDS.t2, IDS.c1, alice, carol, legacy)], 1003),
    block(IDS.B4, [create(IDS.c2, 'CREATE', alice, [alice, bob], { n: 2 }), create(IDS.c3, 'CREATE', bob, [bob], { n: 3 })], 1004),
  ];
  const votes = [v1, v2].flatMap((v) => [
    vote(v, IDS.B1, IDS.G, true, 1011),
    vote(v, IDS.B2, IDS.B1, true, 1012),
    vote(v, IDS.B3, IDS.B2, false, 1013),
  ]);
  votes.push(vote(v1, IDS.B4, IDS.B3, true, 1014));
  return { blocks, votes };
}
