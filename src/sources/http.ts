/**
 * The BigchainDB HTTP API as a source (reference §7), for clients without database access.
 *
 * Endpoints and parameters follow bigchaindb/web/views/*.py of v0.9 to v1.3:
 * - v0.9/0.10 name the transaction parameter `tx_id`, v1.0+ `transaction_id`;
 * - v0.9/0.10 `/outputs` takes `unspent=true` and answers link strings
 *   `../transactions/<id>/outputs/<n>`; v1.0+ takes `spent=true|false` and answers
 *   `{transaction_id, output_index}`;
 * - list endpoints are registered with a trailing slash (`blocks/`, `votes/`, `outputs/`),
 *   `transactions` without one; we request those exact paths to avoid Werkzeug's redirects.
 * Nothing fetched here is trusted: blocks and votes come back as RawDoc for ingest to verify.
 * Blocks arrive in full form (v1.0+ nodes put assets and, from v1.3, metadata back in).
 */
import { LedgerError } from '../errors.js';
import type { JsonValue } from '../model/json.js';
import { createHttpClient, type HttpClientOptions } from './http-client.js';
import type { RawDoc } from '../model/documents.js';
import { walkBlocksForAssets, walkBlocksForOwners, walkBlocksForTxs, walkPrevious } from './http-walk.js';
import type { BlockStatusFilter, HttpSource, NodeInfo, OutputLink } from './http-types.js';

export type { BlockStatusFilter, HttpSource, NodeInfo, OutputLink, WalkOptions, WalkReport, MissingRef } from './http-types.js';

/** Options of {@link openHttpSource}. */
export interface HttpSourceOptions extends HttpClientOptions {
  /** Skip `GET /` and assume this server version (e.g. `'0.9.2'`, `'1.3.0'`). */
  version?: string;
}

/**
 * Open the HTTP API of one BigchainDB node. No request is made until a method is called.
 * Defaults: timeoutMs 30000, retries 5, maxInFlight 8, maxBodyBytes 64 MiB, backoffMs 250.
 * @throws TypeError on a URL that is not http(s)
 * @example
 * const src = openHttpSource({ url: 'http://localhost:9984' });
 * for await (const raw of src.blocksForTxs([txId])) ingest(raw);
 */
export function openHttpSource(opts: HttpSourceOptions): HttpSource {
  const client = createHttpClient(opts);
  const url = client.baseUrl;
  let info: Promise<NodeInfo> | undefined;
  const nodeInfo = (): Promise<NodeInfo> => (info ??= client.getJson('/').then((a) => toNodeInfo(a.url, a.body))
    .catch((err: unknown) => { info = undefined; throw err; })); // a failed probe is tried again next time
  const legacyNaming = async (): Promise<boolean> => isLegacy(url, opts.version ?? (await nodeInfo()).version);
  const list = async (path: string): Promise<{ url: string; items: JsonValue[] }> => {
    const a = await client.getJson(path);
    if (!Array.isArray(a.body)) throw protocolError(a.url, 'expected a JSON array');
    return { url: a.url, items: a.body };
  };
  const one = async (path: string, table: RawDoc['table']): Promise<RawDoc | null> => {
    // A body that is not a readable document (bad JSON or UTF-8, over a limit) is that document's
    // fault: it is quarantined as DOC_INVALID_JSON / DOC_LIMIT and the pull goes on (SPEC.md §16.6).
    const a = await client.getJson(path, { accept404: true, lenient: true });
    if (a.status === 404) return null;
    if (a.invalid !== undefined) {
      return { table, doc: null, origin: a.url, invalid: a.invalid, ...(a.limit !== undefined ? { limit: a.limit } : {}),
        text: `<unreadable document at ${a.url}: ${a.invalid}>` };
    }
    if (!isObject(a.body)) throw protocolError(a.url, 'expected a JSON object');
    return { table, doc: a.body, origin: a.url };
  };

  const src: HttpSource = {
    url,
    nodeInfo,
    legacyNaming,
    async blockIdsForTx(txId, status) {
      const param = (await legacyNaming()) ? 'tx_id' : 'transaction_id';
      const { url: u, items } = await list(`/api/v1/blocks/?${query({ [param]: txId, status })}`);
      if (!items.every((x) => typeof x === 'string')) throw protocolError(u, 'expected a list of block ids');
      return items as string[];
    },
    block: (id) => one(`/api/v1/blocks/${encodeURIComponent(id)}`, 'bigchain'),
    async votes(blockId) {
      const { url: u, items } = await list(`/api/v1/votes/?${query({ block_id: blockId })}`);
      return items.map((doc, i) => ({ table: 'votes' as const, doc, origin: `${u}#${i}` }));
    },
    transaction: (txId) => one(`/api/v1/transactions/${encodeURIComponent(txId)}`, null),
    async outputs(publicKey, o = {}) {
      if (!(await legacyNaming())) {
        const spent = o.spent === undefined ? undefined : String(o.spent);
        const { url: u, items } = await list(`/api/v1/outputs/?${query({ public_key: publicKey, spent })}`);
        return items.map((x) => toLink(u, x));
      }
      // v0.9/0.10 only know `unspent=true`: spent = all minus unspent.
      const get = async (unspent?: string): Promise<OutputLink[]> => {
        const { url: u, items } = await list(`/api/v1/outputs/?${query({ public_key: publicKey, unspent })}`);
        return items.map((x) => toLink(u, x));
      };
      if (o.spent === false) return get('true');
      const all = await get();
      if (o.spent === undefined) return all;
      const unspent = new Set((await get('true')).map(linkKey));
      return all.filter((l) => !unspent.has(linkKey(l)));
    },
    async transactionsByAsset(assetId, operation) {
      const { url: u, items } = await list(`/api/v1/transactions?${query({ asset_id: assetId, operation })}`);
      return items.map((doc, i) => ({ table: null, doc, origin: `${u}#${i}` }));
    },
    blocksForTxs: (ids, o) => walkBlocksForTxs(src, ids, o),
    blocksForOwners: (keys, o) => walkBlocksForOwners(src, keys, o),
    blocksForAssets: (ids, o) => walkBlocksForAssets(src, ids, o),
    walkPrevious: (ids, has, o) => walkPrevious(src, ids, has, o),
  };
  return src;
}

/**
 * v0.9 and v0.10 use the old names (the HTTP API did not exist before v0.9 in this form).
 * v2.x runs on Tendermint: no votes, blocks are heights; it is not a ledger this tool reads.
 */
function isLegacy(url: string, version: string): boolean {
  if (/^([2-9]|\d{2,})\./.test(version)) {
    throw new LedgerError('LEDGER_SOURCE', `${url} runs BigchainDB ${version}; only 0.9 to 1.x (RethinkDB era) are supported`,
      { url, status: null, version });
  }
  return /^0\.\d+(\.|$|[a-z])/.test(version);
}

function toNodeInfo(url: string, body: JsonValue | null): NodeInfo {
  if (!isObject(body) || typeof body.version !== 'string') throw protocolError(url, 'no "version" in the answer');
  const keyring = Array.isArray(body.keyring) ? body.keyring.filter((k): k is string => typeof k === 'string') : [];
  return { version: body.version, publicKey: typeof body.public_key === 'string' ? body.public_key : null, keyring, raw: body };
}

const LEGACY_LINK = /(?:^|\/)transactions\/([^/]+)\/outputs\/(\d+)$/;

function toLink(url: string, x: JsonValue): OutputLink {
  if (typeof x === 'string') {
    const m = LEGACY_LINK.exec(x);
    if (m !== null) return { transaction_id: m[1]!, output_index: Number(m[2]) };
  } else if (isObject(x) && typeof x.transaction_id === 'string' && Number.isSafeInteger(x.output_index)) {
    return { transaction_id: x.transaction_id, output_index: x.output_index as number };
  }
  throw protocolError(url, `unexpected output link ${JSON.stringify(x)}`);
}

/** `txid:index`, the identity of an output. */
export function linkKey(l: OutputLink): string {
  return `${l.transaction_id}:${l.output_index}`;
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  return q.toString();
}

function isObject(v: unknown): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function protocolError(url: string, why: string): LedgerError {
  return new LedgerError('LEDGER_SOURCE', `GET ${url}: ${why}`, { url, status: 200 });
}
