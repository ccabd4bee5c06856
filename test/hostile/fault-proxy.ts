/**
 * A RethinkDB server that misbehaves on purpose: a TCP proxy on 127.0.0.1 in front of
 * the RethinkDB double that passes the handshake and every query through, except the
 * first query matching `match`, which it answers itself with the fault (or not at all).
 * The driver speaks V1_0: the client's handshake is two NUL-terminated messages (the
 * magic number has no zero byte), then queries are frames: token (8 bytes LE), length
 * (4 bytes LE), JSON.
 */
import { createConnection, createServer, type Socket } from 'node:net';

/** What the proxy does instead of answering the matched query. */
export type RethinkFault =
  | 'silent' // never answer
  | 'garbage' // a frame of bytes that are not JSON (with control bytes and a quote)
  | 'wrong-token' // a valid answer under another token
  | 'huge-frame' // a header declaring 4 GiB, then bytes as fast as the socket takes them
  | 'object-answer'; // SUCCESS_ATOM whose value is an object (a table list answered with one)

/** ql2.proto Term.TermType.TABLE_LIST. */
export const TABLE_LIST = 62;

/** A running proxy. */
export interface FaultProxy {
  port: number;
  /** Queries seen matching `match` (answered with the fault). */
  readonly faulted: number;
  /** Settles once the fault was served. */
  readonly served: Promise<void>;
  close(): Promise<void>;
}

/**
 * Start a proxy to `upstream` that answers the first query whose term is `term` with `fault`.
 * @param term the top term type of the query to fault (e.g. {@link TABLE_LIST})
 */
export async function startFaultProxy(upstream: { host: string; port: number }, term: number, fault: RethinkFault): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  let faulted = 0;
  let markServed: () => void = () => undefined;
  const served = new Promise<void>((resolve) => { markServed = resolve; });
  const server = createServer((client) => {
    const up = createConnection(upstream);
    sockets.add(client); sockets.add(up);
    let nuls = 0;
    let buf = Buffer.alloc(0);
    let flood: NodeJS.Timeout | undefined;
    const end = (): void => { clearInterval(flood); client.destroy(); up.destroy(); };
    client.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
    up.on('data', (d) => client.write(d));
    client.on('data', (d: Buffer) => {
      if (nuls < 2) {
        // Handshake: pass through, counting the client's two NUL-terminated messages.
        let i = 0;
        while (nuls < 2) { const z = d.indexOf(0, i); if (z < 0) break; nuls++; i = z + 1; }
        if (nuls < 2) { up.write(d); return; }
        up.write(d.subarray(0, i));
        d = d.subarray(i);
      }
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 12) {
        const len = buf.readUInt32LE(8);
        if (buf.length < 12 + len) break;
        const frame = buf.subarray(0, 12 + len);
        buf = buf.subarray(12 + len);
        const token = frame.readBigUInt64LE(0);
        const q = JSON.parse(frame.subarray(12).toString('utf8')) as [number, unknown];
        if (faulted === 0 && q[0] === 1 && Array.isArray(q[1]) && q[1][0] === term) {
          faulted++;
          flood = answer(client, token, fault);
          markServed();
        } else {
          up.write(frame);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    get faulted() { return faulted; },
    served,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function frame(token: bigint, body: Buffer, declared = body.length): Buffer {
  const head = Buffer.alloc(12);
  head.writeBigUInt64LE(token, 0);
  head.writeUInt32LE(declared, 8);
  return Buffer.concat([head, body]);
}

function answer(client: Socket, token: bigint, fault: RethinkFault): NodeJS.Timeout | undefined {
  switch (fault) {
    case 'silent': return undefined;
    case 'garbage':
      client.write(frame(token, Buffer.concat([Buffer.from('\u001b[31mNOT JSON "quoted" '), Buffer.from([0xff, 0x00, 0x07]), Buffer.alloc(400, 0x41)])));
      return undefined;
    case 'wrong-token':
      client.write(frame(token + 1000n, Buffer.from('{"t":1,"r":[["bigchain","votes"]]}')));
      return undefined;
    case 'object-answer':
      client.write(frame(token, Buffer.from('{"t":1,"r":[{"bigchain":true}]}')));
      return undefined;
    case 'huge-frame': {
      client.write(frame(token, Buffer.alloc(0), 0xffffffff));
      const chunk = Buffer.alloc(1 << 16, 0x61);
      return setInterval(() => { if (!client.destroyed && client.writableLength < (1 << 20)) client.write(chunk); }, 1);
    }
  }
}
