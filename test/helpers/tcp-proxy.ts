/**
 * A loopback TCP relay in front of a server, so a test can cut every client
 * connection at once (a lost network) — the one fault of the RethinkDB double's
 * `dropConnections()` that a real server can be made to show this way.
 */
import { createServer, connect, type Socket } from 'node:net';

/** A running relay. */
export interface TcpProxy {
  port: number;
  /** Destroy every relayed connection now (new ones are still accepted). */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Relay 127.0.0.1:<free port> to `host:port`. */
export async function startTcpProxy(host: string, port: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    const upstream = connect(port, host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = (): void => { client.destroy(); upstream.destroy(); pairs.delete(pair); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((res, rej) => { server.once('error', rej); server.listen(0, '127.0.0.1', () => res()); });
  const a = server.address();
  if (a === null || typeof a === 'string') throw new Error('proxy: no TCP address');
  const dropConnections = (): void => { for (const [c, u] of [...pairs]) { c.destroy(); u.destroy(); } pairs.clear(); };
  return {
    port: a.port,
    dropConnections,
    close: async () => { dropConnections(); await new Promise<void>((res) => server.close(() => res())); },
  };
}
