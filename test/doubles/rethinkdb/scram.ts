/**
 * Server side of RethinkDB's V1_0 handshake (SCRAM-SHA-256, RFC 7677), as
 * src/client_protocol/server.cc and auth/scram_authenticator.cc of RethinkDB 2.3
 * run it: magic number → server hello → client-first → server-first →
 * client-final (proof checked) → server-final (`v=` signature). Errors are
 * `{"success":false,"error":...,"error_code":n}` with RethinkDB's codes
 * (12 "Wrong password", 17 "Unknown user", 10 "Invalid encoding", ...).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** The V1_0 magic number (ql2.proto VersionDummy.Version.V1_0). */
export const MAGIC_V1_0 = 0x34c2bdc3;

/** A handshake failure as the server reports it. */
export class HandshakeError extends Error {
  readonly errorCode: number;
  constructor(errorCode: number, message: string) {
    super(message);
    this.errorCode = errorCode;
  }
}

interface Credentials { salt: Buffer; iterations: number; salted: Buffer }

/** Stored credentials per user, derived once like RethinkDB's password_t. */
export class UserTable {
  private readonly users = new Map<string, Credentials>();
  private readonly iterations: number;
  constructor(users: Record<string, string>, iterations = 4096) {
    this.iterations = iterations;
    for (const [name, password] of Object.entries(users)) this.set(name, password);
  }
  /** Add or change a user's password. */
  set(name: string, password: string): void {
    const salt = randomBytes(16);
    const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, this.iterations, 32, 'sha256');
    this.users.set(name, { salt, iterations: this.iterations, salted });
  }
  get(name: string): Credentials | undefined { return this.users.get(name); }
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) throw new HandshakeError(10, 'Invalid encoding');
    out.set(part[0] as string, part.slice(2));
  }
  return out;
}

/** One connection's SCRAM exchange. */
export class ScramServer {
  private readonly users: UserTable;
  private user: string | null = null;
  private creds: Credentials | undefined;
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  constructor(users: UserTable) { this.users = users; }

  /** The authenticated user name (after {@link final}). */
  get username(): string | null { return this.user; }

  /** Handle the client-first JSON message; returns the server-first JSON reply. */
  first(msg: unknown): Record<string, unknown> {
    const m = msg as Record<string, unknown>;
    if (typeof m.protocol_version !== 'number') throw new HandshakeError(1, 'Expected a number for `protocol_version`.');
    if (m.protocol_version !== 0) throw new HandshakeError(2, 'Unsupported `protocol_version`.');
    if (typeof m.authentication_method !== 'string') throw new HandshakeError(3, 'Expected a string for `authentication_method`.');
    if (m.authentication_method !== 'SCRAM-SHA-256') throw new HandshakeError(4, 'Unsupported `authentication_method`.');
    if (typeof m.authentication !== 'string') throw new HandshakeError(5, 'Expected a string for `authentication`.');
    const auth = m.authentication;
    if (!auth.startsWith('n,,')) throw new HandshakeError(15, 'Channel binding is not supported');
    this.clientFirstBare = auth.slice(3);
    const attrs = attributes(this.clientFirstBare);
    const name = attrs.get('n');
    const clientNonce = attrs.get('r');
    if (name === undefined || clientNonce === undefined) throw new HandshakeError(10, 'Invalid encoding');
    if (name === '') throw new HandshakeError(18, 'Empty username');
    this.user = name.replace(/=2C/g, ',').replace(/=3D/g, '=');
    this.creds = this.users.get(this.user);
    // Unknown users get a made-up salt; the error comes only at the final step (as in RethinkDB).
    const salt = this.creds?.salt ?? randomBytes(16);
    this.nonce = clientNonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${salt.toString('base64')},i=${this.creds?.iterations ?? 4096}`;
    return { success: true, authentication: this.serverFirst };
  }

  /** Handle the client-final JSON message; returns the server-final JSON reply. */
  final(msg: unknown): Record<string, unknown> {
    const auth = (msg as Record<string, unknown>).authentication;
    if (typeof auth !== 'string') throw new HandshakeError(5, 'Expected a string for `authentication`.');
    if (this.creds === undefined) throw new HandshakeError(17, 'Unknown user');
    const attrs = attributes(auth);
    if (attrs.get('c') !== 'biws') throw new HandshakeError(10, 'Invalid encoding');
    if (attrs.get('r') !== this.nonce) throw new HandshakeError(20, 'Other error');
    const proof = attrs.get('p');
    if (proof === undefined) throw new HandshakeError(10, 'Invalid encoding');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${auth.slice(0, auth.indexOf(',p='))}`;
    const clientKey = createHmac('sha256', this.creds.salted).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    const signature = createHmac('sha256', storedKey).update(authMessage).digest();
    const expected = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] as number)));
    const given = Buffer.from(proof, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HandshakeError(12, 'Wrong password');
    }
    const serverKey = createHmac('sha256', this.creds.salted).update('Server Key').digest();
    return { success: true, authentication: `v=${createHmac('sha256', serverKey).update(authMessage).digest('base64')}` };
  }
}
