/**
 * The RethinkDB tests run against two servers (issue 8): the double (faults on
 * demand, every query recorded) and the real RethinkDB 2.4 (real-rethinkdb.ts).
 * {@link describeServers} runs one `describe` body per server; the body sees a
 * {@link TestServer} with the same inspection calls on both, done through the
 * driver on the real server. Tests of faults only the double can show use
 * `s.double` and skip on the real one.
 */
import { readFileSync } from 'node:fs';
import { after, before, describe } from 'node:test';
import { r, type Connection } from 'rethinkdb-ts';
import { startRethinkDouble, type RethinkDouble, type RethinkDoubleOptions } from '../doubles/rethinkdb-server.js';
import { findRethinkdb, startRealRethinkdb, type RealOptions, type RealRethinkdb } from './real-rethinkdb.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** Which server a test runs against. */
export type ServerKind = 'double' | 'real';

/** One server under test, double or real, with the same inspection API. */
export interface TestServer {
  readonly kind: ServerKind;
  readonly host: string;
  readonly port: number;
  /** The double itself (fault hooks, recorded queries), null on the real server. */
  readonly double: RethinkDouble | null;
  /** Admin password ('' unless set) and the CA file to trust (TLS), or null. */
  readonly password: string;
  readonly caFile: string | null;
  /** `rethinkdb://admin@host:port/db` (with the CA as `?ca=` under TLS; password via the env option). */
  url(db: string, user?: string): string;
  /** Environment giving the admin password to the product (LEDGER_ARCHIVE_RETHINKDB_PASSWORD). */
  env(): Record<string, string>;
  /** A new driver connection as admin (the caller closes it). */
  connect(db?: string): Promise<Connection>;
  /** Index names of a table, sorted. */
  indexes(db: string, table: string): Promise<string[]>;
  /** Rows of a table in primary-key order; rejects when the table is missing. */
  rows(db: string, table: string): Promise<Record<string, unknown>[]>;
  /** Create db/table when missing and insert documents (a duplicate key rejects). */
  load(db: string, table: string, docs: Record<string, unknown>[]): Promise<void>;
  /** Add a user who may read every database. */
  addUser(name: string, password: string): Promise<void>;
  /** Queries the server has run so far (the double's record; the real server's `stats` counter, less its own reads). */
  queryCount(): Promise<number>;
  /** Changefeeds open on the server now. */
  feedCount(): Promise<number>;
  /** Cut every client connection (a relay in front of the real server). */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Options per server kind. */
export interface ServerOptions { double?: RethinkDoubleOptions; real?: RealOptions }

/** Servers to run against: both, unless `LA_RETHINKDB=double|real` narrows it. */
export const SERVER_KINDS: ServerKind[] = process.env.LA_RETHINKDB === 'double' ? ['double']
  : process.env.LA_RETHINKDB === 'real' ? ['real'] : ['double', 'real'];

/** Start a server of a kind. */
export async function startServer(kind: ServerKind, opts: ServerOptions = {}): Promise<TestServer> {
  return kind === 'double' ? doubleServer(await startRethinkDouble(opts.double)) : realServer(await startRealRethinkdb(opts.real));
}

/** Why the real server is not available (null when it is). */
export function realSkip(): string | null {
  const f = findRethinkdb();
  return 'skip' in f ? f.skip : null;
}

/**
 * `describe(name [kind])` once per server kind, the server started before and
 * stopped after (also when a test fails). Skipped with one line when no real server.
 */
export function describeServers(name: string, body: (server: () => TestServer, kind: ServerKind) => void, opts: ServerOptions = {}): void {
  for (const kind of SERVER_KINDS) {
    const skip = kind === 'real' ? realSkip() : null;
    describe(`${name} [${kind}]`, skip === null ? {} : { skip }, () => {
      let s: TestServer | undefined;
      before(async () => { s = await startServer(kind, opts); });
      after(async () => { await s?.close(); });
      body(() => { if (s === undefined) throw new Error('server not started'); return s; }, kind);
    });
  }
}

function urlFor(host: string, port: number, caFile: string | null) {
  return (db: string, user = 'admin'): string => `rethinkdb://${user}@${host}:${port}/${db}${caFile === null ? '' : `?ca=${encodeURIComponent(caFile)}`}`;
}

function doubleServer(d: RethinkDouble): TestServer {
  return {
    kind: 'double', host: d.host, port: d.port, double: d, password: '', caFile: null,
    url: urlFor(d.host, d.port, null),
    env: () => ({}),
    connect: (db) => r.connect({ host: d.host, port: d.port, db, silent: true }),
    indexes: async (db, t) => d.indexes(db, t),
    rows: async (db, t) => d.rows(db, t),
    load: async (db, t, docs) => d.load(db, t, docs),
    addUser: async (name, pw) => d.setUser(name, pw),
    feedCount: async () => d.feedCount,
    queryCount: async () => d.queriesSeen.length,
    dropConnections: () => d.dropConnections(),
    close: () => d.close(),
  };
}

async function realServer(s: RealRethinkdb): Promise<TestServer> {
  const proxy: TcpProxy = await startTcpProxy(s.host, s.port);
  const open = async (db?: string): Promise<Connection> => {
    const server: Record<string, unknown> = { host: s.host, port: s.port };
    if (s.caFile !== null) Object.assign(server, { tls: true, ca: [readFileSync(s.caFile)] });
    return r.connect({ server: server as { host: string; port: number }, db, password: s.password, silent: true } as Parameters<typeof r.connect>[0]);
  };
  let conn: Connection | null = null;
  let statsReads = 0;
  const admin = async (): Promise<Connection> => {
    if (conn === null || !conn.open) conn = await open();
    return conn;
  };
  const ensureTable = async (db: string, t: string): Promise<void> => {
    const c = await admin();
    if (!(await r.dbList().run(c)).includes(db)) await r.dbCreate(db).run(c).catch(() => undefined);
    if (!(await r.db(db).tableList().run(c)).includes(t)) await r.db(db).tableCreate(t).run(c);
  };
  return {
    kind: 'real', host: s.host, port: proxy.port, double: null, password: s.password, caFile: s.caFile,
    url: urlFor(s.host, proxy.port, s.caFile),
    env: (): Record<string, string> => (s.password === '' ? {} : { LEDGER_ARCHIVE_RETHINKDB_PASSWORD: s.password }),
    connect: (db) => open(db),
    indexes: async (db, t) => ((await r.db(db).table(t).indexList().run(await admin())) as string[]).sort(),
    rows: async (db, t) => r.db(db).table(t).orderBy({ index: 'id' }).run(await admin()) as Promise<Record<string, unknown>[]>,
    async load(db, t, docs) {
      await ensureTable(db, t);
      const res = await r.db(db).table(t).insert(docs, { conflict: 'error' }).run(await admin());
      if (res.errors > 0) throw new Error(`real rethinkdb: ${res.first_error ?? 'insert failed'}`);
    },
    async addUser(name, pw) {
      const c = await admin();
      await r.db('rethinkdb').table('users').insert({ id: name, password: pw }, { conflict: 'update' }).run(c);
      await r.grant(name, { read: true }).run(c);
    },
    async queryCount() {
      const [row] = await r.db('rethinkdb').table('stats').getAll(['server', (await r.db('rethinkdb').table('server_status').nth(0)('id').run(await admin())) as string]).run(await admin()) as { query_engine: { queries_total: number } }[];
      statsReads += 2; // the two reads above count too
      return (row?.query_engine.queries_total ?? NaN) - statsReads;
    },
    // Every open changefeed is a running query job whose text holds `.changes(`.
    feedCount: async () => (await r.db('rethinkdb').table('jobs').run(await admin()) as { type: string; info?: { query?: string } }[])
      .filter((j) => j.type === 'query' && (j.info?.query ?? '').includes('.changes(')).length,
    dropConnections: () => proxy.dropConnections(),
    async close() {
      if (conn !== null) await conn.close().catch(() => undefined);
      await proxy.close();
      await s.close();
    },
  };
}
