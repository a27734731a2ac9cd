// NATS connection options shared by the uplink and the central ingest: user/password,
// token, NKey seed or creds file, TLS; reconnects forever (a gateway outlives outages).
import fs from 'node:fs';
import { connect, credsAuthenticator, nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from 'nats';

export interface NatsAuth {
  user?: string;
  pass?: string;
  token?: string;
  /** NKey seed (SU...) */
  nkeySeed?: string;
  /** path of a .creds file (JWT + seed) */
  credsFile?: string;
}

export interface NatsTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface NatsConnectOptions extends NatsAuth {
  servers: string | string[];
  /** TLS: true = require TLS with the system CAs, or files */
  tls?: boolean | NatsTls;
  /** connection name shown by the server */
  name?: string;
  /** wait between reconnect attempts (default 250 ms) */
  reconnectTimeWaitMs?: number;
}

export function natsOptions(o: NatsConnectOptions): ConnectionOptions {
  const servers = Array.isArray(o.servers) ? o.servers : String(o.servers ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!servers.length) throw new Error('servers: give at least one NATS URL such as nats://host:4222');
  const opts: ConnectionOptions = {
    servers, name: o.name, reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: o.reconnectTimeWaitMs ?? 250,
    reconnectJitter: 100, waitOnFirstConnect: true, pingInterval: 10_000,
  };
  const kinds = [o.user || o.pass ? 'user' : '', o.token ? 'token' : '', o.nkeySeed ? 'nkey' : '', o.credsFile ? 'creds' : ''].filter(Boolean);
  if (kinds.length > 1) throw new Error(`credentials: give one of user/password, token, NKey seed or creds file (got ${kinds.join(' + ')})`);
  if (o.user || o.pass) { opts.user = o.user; opts.pass = o.pass; }
  if (o.token) opts.token = o.token;
  if (o.nkeySeed) opts.authenticator = nkeyAuthenticator(new TextEncoder().encode(o.nkeySeed.trim()));
  if (o.credsFile) {
    let creds: Uint8Array;
    try { creds = fs.readFileSync(o.credsFile); } catch (e) { throw new Error(`credsFile: cannot read ${o.credsFile} (${(e as Error).message})`); }
    opts.authenticator = credsAuthenticator(creds);
  }
  if (o.tls) opts.tls = o.tls === true ? {} : { ...o.tls };
  return opts;
}

export function connectNats(o: NatsConnectOptions): Promise<NatsConnection> {
  return connect(natsOptions(o));
}
