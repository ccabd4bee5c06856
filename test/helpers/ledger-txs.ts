/**
 * The users' side of a generated ledger: which transactions go into each block. Owners only
 * spend outputs they own, from blocks at least {@link SPEND_LAG} blocks old (BigchainDB 1.x
 * only accepts inputs from blocks already voted valid); amounts are divisible, with change
 * outputs and several inputs. Memory stays bounded for benchmark-sized ledgers.
 */
import type { HashName } from '../../src/crypto/hash.js';
import type { JsonValue } from '../../src/model/json.js';
import type { Transaction } from '../../src/model/types.js';
import { makeTransaction, type KeyPair, type OutputSpec } from './ledger-docs.js';
import { assetData, metadata, oddAssetData, oddMetadata, plainAssetData } from './ledger-data.js';
import type { Rng } from './rng.js';

/** An output can be spent this many blocks after the block that created it. */
export const SPEND_LAG = 3;
const POOL_CAP = 4096;
const RING_CAP = 512;

interface Utxo { txId: string; index: number; owner: KeyPair; amount: number; assetId: string; readyAt: number }
interface Made { tx: Transaction; outputs: Utxo[]; spent: Utxo[] }

/** The transactions of one block; `doubleSpend` is the invalid_reason when one double-spends. */
export interface BlockTxs { transactions: Transaction[]; doubleSpend: string | null }

/** Makes the transactions of successive blocks. */
export class TxFactory {
  /** Distinct CREATE transactions made so far. */
  creates = 0;
  /** Distinct TRANSFER transactions made so far (double spends included). */
  transfers = 0;
  private readonly pool: Utxo[] = [];
  private readonly ring: { u: Utxo; spentAt: number }[] = [];
  private ringAt = 0;
  private carry: Made[] = [];
  private readonly rng: Rng;
  private readonly users: KeyPair[];
  private readonly hash: HashName;
  private readonly rich: boolean | 'odd';

  constructor(rng: Rng, users: KeyPair[], hash: HashName, rich: boolean | 'odd') {
    if (users.length < 2) throw new RangeError('a ledger needs at least two users');
    this.rng = rng;
    this.users = users;
    this.hash = hash;
    this.rich = rich;
  }

  /**
   * The transactions of block `i`: those an invalid block sent back to the backlog, then new
   * ones up to `count`. With `invalid`, one more TRANSFER spends an output already spent
   * (in an earlier block, else in this one) and the others are carried to the next block.
   */
  block(i: number, count: number, invalid: boolean): BlockTxs {
    const made = this.carry;
    this.carry = [];
    while (made.length < count) made.push(this.make(i));
    const ds = invalid ? this.doubleSpend(i, made) : null;
    if (ds === null) {
      this.apply(made, i);
      return { transactions: made.map((m) => m.tx), doubleSpend: null };
    }
    this.carry = made;
    const transactions = made.map((m) => m.tx);
    transactions.splice(this.rng.int(0, transactions.length), 0, ds.tx);
    return { transactions, doubleSpend: ds.reason };
  }

  private make(i: number): Made {
    const idx = this.pickReady(i);
    if (idx < 0 || this.rng.chance(0.45)) return this.create();
    const first = this.take(idx);
    const inputs = [first];
    if (this.rng.chance(0.25)) inputs.push(...this.companions(first, i));
    return this.transfer(inputs);
  }

  private create(): Made {
    const issuer = this.rng.pick(this.users);
    const total = this.rng.chance(0.35) ? 1 : this.rng.int(2, 1000);
    const outputs: OutputSpec[] = [];
    if (total > 1 && this.rng.chance(0.3)) {
      const a = this.rng.int(1, total - 1);
      outputs.push({ publicKey: issuer.publicKey, amount: a }, { publicKey: this.other(issuer).publicKey, amount: total - a });
    } else outputs.push({ publicKey: issuer.publicKey, amount: total });
    const seq = this.creates + this.transfers;
    const tx = makeTransaction({
      operation: 'CREATE', asset: { data: this.rich === 'odd' ? oddAssetData(this.rng, seq) : this.rich ? assetData(this.rng, seq) : plainAssetData(seq) },
      metadata: this.meta(seq), inputs: [{ owner: issuer, fulfills: null }], outputs,
    }, this.hash);
    this.creates++;
    return { tx, outputs: this.utxos(tx, tx.id, outputs), spent: [] };
  }

  private transfer(inputs: Utxo[], unique = false): Made {
    const owner = inputs[0]!.owner;
    const total = inputs.reduce((s, u) => s + u.amount, 0);
    const to = this.other(owner);
    const outputs: OutputSpec[] = [];
    if (total === 1 || this.rng.chance(0.4)) outputs.push({ publicKey: to.publicKey, amount: total });
    else if (total === 2 || this.rng.chance(0.75)) {
      const a = this.rng.int(1, total - 1);
      outputs.push({ publicKey: to.publicKey, amount: a }, { publicKey: owner.publicKey, amount: total - a });
    } else {
      const a = this.rng.int(1, total - 2);
      const b = this.rng.int(1, total - 1 - a);
      outputs.push({ publicKey: to.publicKey, amount: a }, { publicKey: this.other(owner).publicKey, amount: b },
        { publicKey: owner.publicKey, amount: total - a - b });
    }
    const seq = this.creates + this.transfers;
    const assetId = inputs[0]!.assetId;
    const tx = makeTransaction({
      operation: 'TRANSFER', asset: { id: assetId }, metadata: unique ? { sequence: seq } : this.meta(seq),
      inputs: inputs.map((u) => ({ owner: u.owner, fulfills: { output_index: u.index, transaction_id: u.txId } })), outputs,
    }, this.hash);
    this.transfers++;
    return { tx, outputs: this.utxos(tx, assetId, outputs), spent: inputs };
  }

  /** A TRANSFER of an already-spent output, by its real owner; null when nothing can be double-spent yet. */
  private doubleSpend(i: number, made: Made[]): { tx: Transaction; reason: string } | null {
    let u: Utxo | null = null;
    for (let t = 0; t < 8 && u === null && this.ring.length > 0; t++) {
      const e = this.rng.pick(this.ring);
      if (e.spentAt < i) u = e.u;
    }
    if (u === null) {
      const idx = this.pickReady(i);
      if (idx < 0) return null;
      u = this.take(idx);
      made.push(this.transfer([u])); // the first spend, in this same block
    }
    const tx = this.transfer([u], true).tx; // its own sequence number: never identical to the first spend
    return { tx, reason: `DoubleSpend: input \`${u.txId}\` was already spent` };
  }

  /** Up to two more ready outputs of the same owner and asset (a multi-input TRANSFER). */
  private companions(first: Utxo, i: number): Utxo[] {
    const found: number[] = [];
    const start = this.rng.int(0, Math.max(0, this.pool.length - 1));
    for (let k = 0; k < Math.min(64, this.pool.length) && found.length < 2; k++) {
      const j = (start + k) % this.pool.length;
      const u = this.pool[j]!;
      if (u.readyAt <= i && u.owner === first.owner && u.assetId === first.assetId) found.push(j);
    }
    return found.sort((a, b) => b - a).map((j) => this.take(j)); // highest first keeps the others' indices valid
  }

  private apply(made: Made[], i: number): void {
    for (const m of made) {
      for (const u of m.outputs) { u.readyAt = i + SPEND_LAG; this.pool.push(u); }
      for (const u of m.spent) {
        const e = { u, spentAt: i };
        if (this.ring.length < RING_CAP) this.ring.push(e); else this.ring[this.ringAt++ % RING_CAP] = e;
      }
    }
    while (this.pool.length > POOL_CAP) this.take(this.rng.int(0, this.pool.length - 1)); // never spent: fine
  }

  private utxos(tx: Transaction, assetId: string, outputs: OutputSpec[]): Utxo[] {
    return outputs.map((o, index) => ({
      txId: tx.id, index, owner: this.users.find((u) => u.publicKey === o.publicKey)!, amount: Number(o.amount), assetId, readyAt: Infinity,
    }));
  }

  private meta(seq: number): JsonValue {
    if (this.rich === 'odd') return oddMetadata(this.rng, seq);
    if (this.rich) return metadata(this.rng, seq);
    return this.rng.chance(0.5) ? null : { sequence: seq };
  }

  private pickReady(i: number): number {
    for (let t = 0; t < 8 && this.pool.length > 0; t++) {
      const j = this.rng.int(0, this.pool.length - 1);
      if (this.pool[j]!.readyAt <= i) return j;
    }
    return -1;
  }

  private take(j: number): Utxo {
    const u = this.pool[j]!;
    const last = this.pool.pop()!;
    if (j < this.pool.length) this.pool[j] = last;
    return u;
  }

  private other(not: KeyPair): KeyPair {
    for (;;) {
      const u = this.rng.pick(this.users);
      if (u !== not) return u;
    }
  }
}
