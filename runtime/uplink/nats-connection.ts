// NATS connection options shared by the uplink and the central ingest: user/password,
// token, NKey seed or creds file, TLS; reconnects forever (a gateway outlives outages).
// Settings (settings.js, node config) become these options in connection-settings.ts.
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
  /** how long one connection attempt may take (default 10 s) */
  connectTimeoutMs?: number;
  /** told why each failed first-connection attempt failed while connectNats keeps trying */
  onRetry?: (message: string) => void;
  /** stops connectNats waiting for the first connection (it then rejects) */
  signal?: AbortSignal;
}

export function natsOptions(o: NatsConnectOptions): ConnectionOptions {
  const servers = Array.isArray(o.servers) ? o.servers : String(o.servers ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!servers.length) throw new Error('servers: give at least one NATS URL such as nats://host:4222');
  const opts: ConnectionOptions = {
    servers, name: o.name, reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: o.reconnectTimeWaitMs ?? 250,
    reconnectJitter: 100, waitOnFirstConnect: true, pingInterval: 10_000, timeout: o.connectTimeoutMs ?? 10_000,
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

// Refusals that will not change by waiting: wrong credentials, a certificate the client
// cannot verify (or that the server refuses), TLS required on one side only.
const PERMANENT = /AUTHORIZATION_VIOLATION|AUTHENTICATION_EXPIRED|AUTHENTICATION_TIMEOUT|PERMISSIONS_VIOLATION|ACCOUNT_EXPIRED|^TLS$|CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME/i;

/** A connection failure in words an operator can act on, naming what to check. */
export function describeNatsError(e: unknown, o: Pick<ConnectionOptions, 'servers' | 'tls'>): { message: string; permanent: boolean } {
  const code = String((e as { code?: unknown }).code ?? '');
  const raw = (e as Error)?.message ?? String(e);
  const where = [o.servers].flat().join(',');
  const permanent = PERMANENT.test(code) || /certificate|authoriz|authentic|handshake|tls/i.test(raw);
  let hint = '';
  if (code === 'TIMEOUT' && o.tls && typeof o.tls === 'object' && (o.tls as { certFile?: string }).certFile) {
    // TLS 1.3 servers refuse a client certificate after the client's side of the handshake
    // is done; the client then sees only a connection that never completes.
    hint = ': no answer; a server that refuses the client certificate looks like this (check certFile/keyFile against the server\'s CA)';
  } else if (code === 'TIMEOUT' && o.tls) hint = ': no answer; a server that demands a client certificate looks like this (give certFile and keyFile)';
  else if (/AUTHORIZATION|AUTHENTICATION/.test(code) || /authoriz/i.test(raw)) hint = ': the server refused the credentials (check user/password, token, NKey seed or creds file)';
  else if (code === 'TLS' || /TLS/i.test(raw) && !o.tls) hint = ': the server requires TLS (use a tls:// URL or give the CA file)';
  else if (PERMANENT.test(code) || /certificate/i.test(raw)) hint = ': TLS certificate check failed (check the CA file, the server name in the URL, and the client certificate)';
  return { message: `NATS ${where}: ${raw}${code && !raw.includes(code) ? ` [${code}]` : ''}${hint}`, permanent };
}

/**
 * Connects, waiting for the server while it is unreachable; once connected the client
 * reconnects forever. Fails at once, with a message naming what to check, when the server
 * refuses the credentials or the TLS handshake: waiting would not help.
 */
export async function connectNats(o: NatsConnectOptions): Promise<NatsConnection> {
  const opts = natsOptions(o);
  for (;;) {
    if (o.signal?.aborted) throw new Error('NATS connection attempt aborted');
    try {
      return await connect({ ...opts, waitOnFirstConnect: false });
    } catch (e) {
      const d = describeNatsError(e, opts);
      if (d.permanent) throw new Error(d.message, { cause: e });
      o.onRetry?.(d.message);
      await new Promise((r) => setTimeout(r, opts.reconnectTimeWait ?? 250));
    }
  }
}
