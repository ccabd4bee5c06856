/**
 * The data side of the BigchainDB HTTP double: indexes over given blocks and votes and the
 * answers of each endpoint, modelled on bigchaindb/web/views/*.py (v0.9 to v1.3) and
 * flask-restful 0.3's reqparse messages. Block status uses a simplified election (no
 * signature checks): invalid if 2·invalid ≥ n, valid if 2·valid > n, n = |block.voters|.
 */
type Doc = Record<string, unknown>;
/** A status code and a JSON-able body. */
export interface Answer { status: number; body: unknown; headers?: Record<string, string> }
type Status = 'valid' | 'invalid' | 'undecided';

const MISSING = 'Missing required parameter in the JSON body or the post body or the query string';

/** One reqparse argument: `type` throws Error(message) like BigchainDB's parameters.py. */
interface Arg { name: string; required?: boolean; type?: (v: string) => string; choices?: string[]; lower?: boolean }

/** Emulates `RequestParser.parse_args(strict)`: first failing argument wins, then unknown ones. */
export function parseArgs(q: URLSearchParams, args: Arg[], strict: boolean): Record<string, string | undefined> | Answer {
  const out: Record<string, string | undefined> = {};
  for (const a of args) {
    let v = q.get(a.name) ?? undefined;
    if (v === undefined) {
      if (a.required === true) return { status: 400, body: { message: { [a.name]: MISSING } } };
      out[a.name] = undefined;
      continue;
    }
    if (a.lower === true) v = v.toLowerCase();
    try {
      if (a.type !== undefined) v = a.type(v);
    } catch (err) {
      return { status: 400, body: { message: { [a.name]: (err as Error).message } } };
    }
    if (a.choices !== undefined && !a.choices.includes(v)) {
      return { status: 400, body: { message: { [a.name]: `${v} is not a valid choice` } } };
    }
    out[a.name] = v;
  }
  const unknown = [...new Set(q.keys())].filter((k) => !args.some((a) => a.name === k));
  if (strict && unknown.length > 0) return { status: 400, body: { message: `Unknown arguments: ${unknown.join(', ')}` } };
  return out;
}

// bigchaindb/web/views/parameters.py
const validTxid = (v: string): string => {
  if (/^[a-fA-F0-9]{64}$/.test(v)) return v.toLowerCase();
  throw new Error('Invalid hash');
};
const validBool = (v: string): string => {
  if (v.toLowerCase() === 'true' || v.toLowerCase() === 'false') return v.toLowerCase();
  throw new Error('Boolean value must be "true" or "false" (lowercase)');
};
const validEd25519 = (v: string): string => {
  if (/^[1-9a-zA-Z]{43,44}$/.test(v) && !/[Il0O]/.test(v)) return v;
  throw new Error('Invalid base58 ed25519 key');
};
const validOperation = (v: string): string => {
  if (v.toUpperCase() === 'CREATE' || v.toUpperCase() === 'TRANSFER') return v.toUpperCase();
  throw new Error('Operation must be "CREATE" or "TRANSFER'); // sic, as in BigchainDB
};

export const NOT_FOUND: Answer = { status: 404, body: { message: 'Not found', status: 404 } };

/** Indexes over the ledger and one function per endpoint. */
export class LedgerApi {
  readonly legacy: boolean;
  private readonly version: string;
  private readonly blocks = new Map<string, Doc>();
  private readonly votesOf = new Map<string, Doc[]>();
  private readonly status = new Map<string, Status>();
  private readonly blocksOfTx = new Map<string, string[]>();
  private readonly txs = new Map<string, Doc>();
  private readonly publicKey: string;

  constructor(blocks: unknown[], votes: unknown[], version: string, statuses: Record<string, Status> = {}) {
    this.version = version;
    this.legacy = /^0\.(9|10)(\.|$)/.test(version);
    for (const v of votes as Doc[]) {
      const target = String(get(v, 'vote', 'voting_for_block'));
      this.votesOf.set(target, [...(this.votesOf.get(target) ?? []), v]);
    }
    for (const b of blocks as Doc[]) {
      const id = String(b.id);
      this.blocks.set(id, b);
      this.status.set(id, statuses[id] ?? this.elect(b));
      for (const tx of (get(b, 'block', 'transactions') ?? []) as Doc[]) {
        const txId = String(tx.id);
        this.blocksOfTx.set(txId, [...(this.blocksOfTx.get(txId) ?? []), id]);
        this.txs.set(txId, tx);
      }
    }
    this.publicKey = String(get(blocks[0], 'block', 'node_pubkey') ?? 'DngBurxfeNVKZWCEcDnLj1eMPAS7focUZTE5FndFGuHT');
  }

  private elect(block: Doc): Status {
    const n = (get(block, 'block', 'voters') as unknown[] | undefined)?.length ?? 0;
    const votes = this.votesOf.get(String(block.id)) ?? [];
    const valid = votes.filter((v) => get(v, 'vote', 'is_block_valid') === true).length;
    if (n > 0 && 2 * (votes.length - valid) >= n) return 'invalid';
    return 2 * valid > n ? 'valid' : 'undecided';
  }

  /** The best status among the blocks holding a transaction (reference §4). */
  private txStatus(txId: string): Status | null {
    const s = (this.blocksOfTx.get(txId) ?? []).map((b) => this.status.get(b));
    return s.includes('valid') ? 'valid' : s.includes('undecided') ? 'undecided' : s.length > 0 ? 'invalid' : null;
  }

  info(): Answer {
    const common = { software: 'BigchainDB', version: this.version, public_key: this.publicKey, keyring: [] };
    if (this.legacy) return { status: 200, body: { _links: { api_v1: '/api/v1/', docs: 'https://docs.bigchaindb.com/' }, ...common } };
    return { status: 200, body: { api: { v1: { transactions: '/api/v1/transactions/', outputs: '/api/v1/outputs/' } }, docs: 'https://docs.bigchaindb.com/', ...common } };
  }

  block(id: string): Answer {
    const b = this.blocks.get(id);
    return b === undefined ? NOT_FOUND : { status: 200, body: b };
  }

  blockList(q: URLSearchParams): Answer {
    const txParam = this.legacy ? 'tx_id' : 'transaction_id';
    const args = parseArgs(q, [{ name: txParam, required: true },
      { name: 'status', choices: ['valid', 'invalid', 'undecided'], lower: !this.legacy }], true);
    if (isAnswer(args)) return args;
    const ids = (this.blocksOfTx.get(args[txParam]!) ?? [])
      .filter((id) => args.status === undefined || this.status.get(id) === args.status);
    return { status: 200, body: ids };
  }

  votes(q: URLSearchParams): Answer {
    const args = parseArgs(q, [{ name: 'block_id', required: true }], true);
    if (isAnswer(args)) return args;
    return { status: 200, body: this.votesOf.get(args.block_id!) ?? [] };
  }

  outputs(q: URLSearchParams): Answer {
    const spentArg = this.legacy ? 'unspent' : 'spent';
    // v0.9/0.10 parse without strict; v1.0+ strictly.
    const args = parseArgs(q, [{ name: 'public_key', required: true, type: validEd25519 },
      { name: spentArg, type: validBool }], !this.legacy);
    if (isAnswer(args)) return args;
    const spent = this.spentRefs();
    const links: [string, number][] = [];
    for (const [txId, tx] of this.txs) {
      if (this.txStatus(txId) === 'invalid') continue; // only valid or undecided blocks count
      ((tx.outputs ?? []) as Doc[]).forEach((o, i) => {
        if ((o.public_keys as unknown[]).includes(args.public_key)) links.push([txId, i]);
      });
    }
    const want = this.legacy ? (args.unspent === 'true' ? false : undefined)
      : args.spent === undefined ? undefined : args.spent === 'true';
    const kept = links.filter(([t, i]) => want === undefined || spent.has(`${t}:${i}`) === want);
    return { status: 200, body: kept.map(([t, i]) => this.legacy ? `../transactions/${t}/outputs/${i}` : { transaction_id: t, output_index: i }) };
  }

  /** Outputs spent by transactions in valid or undecided blocks. */
  private spentRefs(): Set<string> {
    const refs = new Set<string>();
    for (const [txId, tx] of this.txs) {
      if (this.txStatus(txId) === 'invalid') continue;
      for (const input of (tx.inputs ?? []) as Doc[]) {
        const f = input.fulfills as Doc | null;
        if (f) refs.add(`${String(f.transaction_id ?? f.txid)}:${String(f.output_index ?? f.output)}`);
      }
    }
    return refs;
  }

  transactionList(q: URLSearchParams): Answer {
    const args = parseArgs(q, [{ name: 'operation', type: validOperation },
      { name: 'asset_id', required: true, type: validTxid }], false); // not strict in any version
    if (isAnswer(args)) return args;
    const out: Doc[] = [];
    for (const [txId, tx] of this.txs) {
      const own = tx.operation === 'CREATE' ? txId : tx.operation === 'TRANSFER' ? get(tx, 'asset', 'id') : undefined;
      if (own !== args.asset_id || this.txStatus(txId) !== 'valid') continue;
      if (args.operation === undefined || args.operation === tx.operation) out.push(tx);
    }
    out.sort((a, b) => (a.operation === 'CREATE' ? 0 : 1) - (b.operation === 'CREATE' ? 0 : 1));
    return { status: 200, body: out };
  }

  transaction(id: string): Answer {
    const tx = this.txs.get(id);
    const s = this.txStatus(id);
    // v1.x answers valid transactions only; v0.9/0.10 also undecided ones.
    const ok = s === 'valid' || (this.legacy && s === 'undecided');
    return tx === undefined || !ok ? NOT_FOUND : { status: 200, body: tx };
  }
}

function isAnswer(x: Record<string, string | undefined> | Answer): x is Answer {
  return typeof (x as Answer).status === 'number';
}

function get(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const k of path) cur = typeof cur === 'object' && cur !== null ? (cur as Doc)[k] : undefined;
  return cur;
}
