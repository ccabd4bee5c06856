/**
 * Small signed ledgers that break one of BigchainDB's rules each, for the audit (SPEC.md §24):
 * a 4-node federation and two users from `seed`; genesis, a block of two CREATEs, a block
 * with a TRANSFER, then the damage. Every id, signature and fulfillment is real, so the
 * archive's verification passes and only the audit can tell.
 */
import type { Block, Transaction, Vote } from '../../src/model/types.js';
import { canonicalize } from '../../src/model/canonical.js';
import { federationFile, makeBlock, makeFederation, makeGenesisTx, makeTransaction, makeUsers, makeVote, type FederationNode } from './ledger-builder.js';
import type { FederationFile } from '../../src/model/federation.js';

/** The damages the audit must find, each with exactly its findings. */
export const AUDIT_SCENARIOS = ['clean', 'valid-vote-on-double-spend', 'accepted-amount-mismatch', 'wrong-asset',
  'duplicate-transaction', 'client-genesis', 'wrong-owner', 'unknown-input', 'invalid-vote-undecided-input', 'invalid-vote-after-decision'] as const;
export type AuditScenario = (typeof AUDIT_SCENARIOS)[number];

/** A scenario's ledger and the `code doc` of every finding the audit must give, nothing else. */
export interface AuditLedger {
  federation: FederationFile;
  nodes: FederationNode[];
  docs: (Block | Vote)[];
  expected: string[];
  /** Voter name → [cast, agreeing, timing-dependent, contradicted]. */
  tallies: Record<string, [number, number, number, number]>;
  /** The exit code of `audit` (unknown inputs alone are informational). */
  exit: number;
  /** Ids named by the scenario (blocks b1.., transactions c1, c2, x1, ...). */
  ids: Record<string, string>;
}

const T = 1_509_955_200;

/** Build one scenario's ledger (deterministic for a seed). */
export function auditLedger(scenario: AuditScenario, seed = 'audit'): AuditLedger {
  const nodes = makeFederation(seed, 4);
  const [alice, bob, carol] = makeUsers(seed, 3) as [ReturnType<typeof makeUsers>[number], ReturnType<typeof makeUsers>[number], ReturnType<typeof makeUsers>[number]];
  const voters = nodes.map((n) => n.publicKey);
  const docs: (Block | Vote)[] = [];
  const ids: Record<string, string> = {};
  const last = new Map<string, string>();
  const tallies: AuditLedger['tallies'] = Object.fromEntries(nodes.map((n) => [n.name, [0, 0, 0, 0]]));
  const block = (name: string, ts: number, txs: Transaction[]): Block => {
    const b = makeBlock(nodes[0]!, ts, txs, voters);
    ids[name] = b.id;
    docs.push(b);
    return b;
  };
  /** Votes on `b`: one [valid, timestamp] per node, null for no vote; `judged` per node. */
  const votes = (b: Block, spec: ([boolean, number] | null)[], judged: ('agrees' | 'timing' | 'contradicted')[] = []): void => {
    spec.forEach((s, k) => {
      if (s === null) return;
      const node = nodes[k]!;
      docs.push(makeVote(node, { votingFor: b.id, previous: last.get(node.publicKey)!, valid: s[0], timestamp: s[1] }));
      last.set(node.publicKey, b.id);
      const t = tallies[node.name]!;
      t[0]++;
      t[{ agrees: 1, timing: 2, contradicted: 3 }[judged[k] ?? 'agrees']]++;
    });
  };
  const create = (owner: typeof alice, amount: number, data: string): Transaction => makeTransaction({
    operation: 'CREATE', asset: { data: { name: data } }, metadata: null, inputs: [{ owner, fulfills: null }], outputs: [{ publicKey: owner.publicKey, amount }],
  });
  const transfer = (owner: typeof alice, from: Transaction, index: number, asset: string, to: { publicKey: string; amount: number }[]): Transaction => makeTransaction({
    operation: 'TRANSFER', asset: { id: asset }, metadata: null, inputs: [{ owner, fulfills: { transaction_id: from.id, output_index: index } }], outputs: to,
  });
  const allValid = (ts: number): [boolean, number][] => nodes.map((_, k) => [true, ts + k]);

  Object.assign(ids, { alice: alice.publicKey, bob: bob.publicKey, carol: carol.publicKey });
  const g = block('genesis', T, [makeGenesisTx(nodes[0]!)]);
  for (const n of nodes) last.set(n.publicKey, g.id);
  const c1 = create(alice, 10, 'a bicycle');
  const c2 = create(bob, 5, 'a boat');
  Object.assign(ids, { c1: c1.id, c2: c2.id });
  votes(block('b1', T + 10, [c1, c2]), allValid(T + 12));
  const x1 = transfer(alice, c1, 0, c1.id, [{ publicKey: bob.publicKey, amount: 10 }]);
  ids.x1 = x1.id;
  votes(block('b2', T + 20, [x1]), allValid(T + 22));
  const expected: string[] = [];
  const contradicted = (b: string, ks: number[]): void => { for (const k of ks) expected.push(`AUDIT_VOTE_CONTRADICTED ${ids[b]}/${nodes[k]!.publicKey}`); };
  const X = ['contradicted', 'contradicted', 'contradicted', 'contradicted'] as const;
  switch (scenario) {
    case 'clean': {
      const x2 = transfer(bob, c2, 0, c2.id, [{ publicKey: alice.publicKey, amount: 2 }, { publicKey: bob.publicKey, amount: 3 }]);
      ids.x2 = x2.id;
      votes(block('b3', T + 30, [x2]), allValid(T + 32));
      break;
    }
    case 'valid-vote-on-double-spend': {
      // alice spends c1:0 again; node-1 votes VALID, the others INVALID: the block is INVALID.
      const x2 = transfer(alice, c1, 0, c1.id, [{ publicKey: alice.publicKey, amount: 10 }]);
      ids.x2 = x2.id;
      votes(block('b3', T + 30, [x2]), [[true, T + 32], [false, T + 32], [false, T + 33], [false, T + 33]], ['contradicted']);
      contradicted('b3', [0]);
      break;
    }
    case 'accepted-amount-mismatch': {
      const x2 = transfer(bob, c2, 0, c2.id, [{ publicKey: alice.publicKey, amount: 7 }]);
      ids.x2 = x2.id;
      votes(block('b3', T + 30, [x2]), allValid(T + 32), [...X]);
      expected.push(`AUDIT_AMOUNT_MISMATCH ${x2.id}`);
      contradicted('b3', [0, 1, 2, 3]);
      break;
    }
    case 'wrong-asset': {
      // bob spends his boat (c2) but names the bicycle (c1).
      const x2 = transfer(bob, c2, 0, c1.id, [{ publicKey: alice.publicKey, amount: 5 }]);
      ids.x2 = x2.id;
      votes(block('b3', T + 30, [x2]), allValid(T + 32), [...X]);
      expected.push(`AUDIT_ASSET_MISMATCH ${x2.id}`);
      contradicted('b3', [0, 1, 2, 3]);
      break;
    }
    case 'duplicate-transaction': {
      votes(block('b3', T + 30, [x1]), allValid(T + 32), [...X]);
      expected.push(`AUDIT_DUPLICATE_TX ${x1.id}`);
      contradicted('b3', [0, 1, 2, 3]);
      break;
    }
    case 'client-genesis': {
      const gx = makeGenesisTx(alice);
      ids.gx = gx.id;
      votes(block('b3', T + 30, [gx]), allValid(T + 32), [...X]);
      expected.push(`AUDIT_CLIENT_GENESIS ${gx.id}`);
      contradicted('b3', [0, 1, 2, 3]);
      break;
    }
    case 'wrong-owner': {
      // x1 gave bob its 10; alice signs to spend them anyway (her fulfillment, bob's condition).
      const x2 = transfer(alice, x1, 0, c1.id, [{ publicKey: alice.publicKey, amount: 10 }]);
      ids.x2 = x2.id;
      votes(block('b3', T + 30, [x2]), allValid(T + 32), [...X]);
      expected.push(`AUDIT_CONDITION_MISMATCH ${x2.id}`);
      contradicted('b3', [0, 1, 2, 3]);
      break;
    }
    case 'unknown-input': {
      // A transaction no block of the archive holds: not provable, not invalid; the votes stand.
      const outside = create(carol, 3, 'a lamp');
      const x2 = transfer(carol, outside, 0, outside.id, [{ publicKey: alice.publicKey, amount: 3 }]);
      ids.x2 = x2.id;
      votes(block('b3', T + 30, [x2]), allValid(T + 32));
      expected.push(`AUDIT_UNKNOWN_INPUT ${x2.id}`);
      break;
    }
    case 'invalid-vote-undecided-input':
    case 'invalid-vote-after-decision': {
      // b3 (carol's CREATE) is decided VALID by its third valid vote, at T+49; node-4 votes INVALID on
      // b4 (carol spends it) at T+41, when b3 was still undecided — or at T+60, when it was not.
      const c3 = create(carol, 4, 'a kite');
      ids.c3 = c3.id;
      votes(block('b3', T + 30, [c3]), [[true, T + 31], [true, T + 49], [true, T + 50], [true, T + 32]]);
      const x3 = transfer(carol, c3, 0, c3.id, [{ publicKey: alice.publicKey, amount: 4 }]);
      ids.x3 = x3.id;
      const late = scenario === 'invalid-vote-after-decision';
      votes(block('b4', T + 40, [x3]), [[true, T + 55], [true, T + 55], [true, T + 56], [false, late ? T + 60 : T + 41]],
        ['agrees', 'agrees', 'agrees', late ? 'contradicted' : 'timing']);
      if (late) contradicted('b4', [3]);
      break;
    }
  }
  const exit = expected.some((e) => !e.startsWith('AUDIT_UNKNOWN_INPUT ')) ? 1 : 0;
  return { federation: federationFile(nodes), nodes, docs, expected: expected.sort(), tallies, ids, exit };
}

/** The ledger as NDJSON, one canonical document a line (what `ingest` reads). */
export const auditNdjson = (l: AuditLedger): string => l.docs.map((d) => `${canonicalize(d)}\n`).join('');
