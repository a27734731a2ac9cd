// NATS over TLS with every credential kind, against real nats-server processes started
// with TLS and authentication (certificates made by openssl in the setup): the right
// credentials connect and carry messages, wrong ones fail with a message naming the cause.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSONCodec, nkeys, type NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import { startNats, type NatsServer } from '../../helpers/nats';
import { natsOperatorSetup } from '../../helpers/nats-jwt';
import { makeTestPki, type TestPki } from '../../helpers/pki';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { natsConnectOptions, type NatsSettings } from '../../../runtime/uplink/connection-settings';
import { connectNats } from '../../../runtime/uplink/nats-connection';
import { NatsUplink } from '../../../runtime/uplink/nats-uplink';
import { SystemEvents } from '../../../runtime/server/system-events';
import { loadSettings, PACKAGE_ROOT } from '../../../runtime/server/load-settings';
import { uplinkConfig } from '../../../nodes/lib/uplink-config';

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
let dir: string;
let pki: TestPki;
let usersServer: NatsServer; // TLS + user/password and NKey users, JetStream
let mutualServer: NatsServer; // mutual TLS + token
let operatorServer: NatsServer; // TLS + operator mode (creds files)
const nkeyUser = nkeys.createUser();
const operator = natsOperatorSetup();
const open: NatsConnection[] = [];

beforeAll(async () => {
  dir = await makeTempDir('historian-nats-tls-');
  pki = makeTestPki(dir);
  const tls = { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile, caFile: pki.caFile };
  [usersServer, mutualServer, operatorServer] = await Promise.all([
    startNats({ tls, auth: { users: [{ user: 'gateway-7', password: 'correct horse' }, { nkey: text(nkeyUser.getPublicKey()) }] } }),
    startNats({ jetstream: false, tls: { ...tls, verify: true }, auth: { token: 'plant-token-1' } }),
    startNats({ jetstream: false, tls, auth: operator.auth }),
  ]);
});

afterAll(async () => {
  await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
  await Promise.all([usersServer?.dispose(), mutualServer?.dispose(), operatorServer?.dispose()]);
  if (dir) await removeTempDir(dir);
});

async function connect(s: NatsSettings): Promise<NatsConnection> {
  const nc = await connectNats({ ...natsConnectOptions(s), connectTimeoutMs: 3000 });
  open.push(nc);
  return nc;
}

/** A message goes through the server: proves the connection is usable, not only open. */
async function roundTrip(nc: NatsConnection): Promise<void> {
  const sub = nc.subscribe('probe.tls', { max: 1 });
  nc.publish('probe.tls', JSONCodec().encode({ ok: true }));
  for await (const m of sub) expect(JSONCodec().decode(m.data)).toEqual({ ok: true });
}

/** Resolves with the rejection message; a connection that opens is a test failure. */
async function refusal(s: NatsSettings): Promise<string> {
  return connect(s).then((nc) => { throw new Error(`connected to ${nc.getServer()} although it should have been refused`); }, (e: Error) => e.message);
}

describe('NATS over TLS: user/password', () => {
  it('connects with the right password over TLS checked against the CA', async () => {
    const nc = await connect({ url: usersServer.url, user: 'gateway-7', password: 'correct horse', caFile: pki.caFile });
    expect(nc.info?.tls_required).toBe(true);
    await roundTrip(nc);
  });

  it('refuses a wrong password with a message naming the credentials', async () => {
    expect(await refusal({ url: usersServer.url, user: 'gateway-7', password: 'wrong', caFile: pki.caFile }))
      .toMatch(/Authorization Violation.*refused the credentials/);
  });

  it('refuses a server certificate from a CA it was not given', async () => {
    expect(await refusal({ url: usersServer.url, user: 'gateway-7', password: 'correct horse', caFile: pki.otherCaFile }))
      .toMatch(/TLS certificate check failed/);
    // no CA file: the system CAs do not know the test CA either
    expect(await refusal({ url: usersServer.url, user: 'gateway-7', password: 'correct horse' })).toMatch(/TLS certificate check failed/);
  });

  it('store-forward publishes into JetStream through TLS + password from the node config', async () => {
    const config = uplinkConfig({ id: 'n1', type: 'store-forward', url: usersServer.url, tls: true, caFile: pki.caFile, stream: 'TLSHIST', streamSubjects: 'tlshist.>' } as never,
      { user: 'gateway-7', password: 'correct horse' }, 'tls-test');
    if (config.type !== 'nats') throw new Error('nats expected');
    const uplink = new NatsUplink(config);
    try {
      await uplink.start();
      await waitFor(() => uplink.isConnected(), { timeoutMs: 10_000, what: 'the uplink connected' });
      await uplink.send({ id: 'evt-1', source: 'gw', subject: 'tlshist.a.b', category: 'telemetry', created: Date.now(), count: 1, body: Buffer.from('{}') });
      const nc = await connect({ url: usersServer.url, user: 'gateway-7', password: 'correct horse', caFile: pki.caFile });
      const info = await (await nc.jetstreamManager()).streams.info('TLSHIST');
      expect(info.state.messages).toBe(1);
    } finally {
      await uplink.close();
    }
  });
});

describe('NATS uplink with refused credentials', () => {
  it('reports the refusal, keeps the buffer waiting, and connects once the server accepts the password', async () => {
    const options = { jetstream: true, tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile }, auth: { users: [{ user: 'gateway-9', password: 'old secret' }] } };
    const server = await startNats(options);
    const uplink = new NatsUplink({ ...natsConnectOptions({ url: server.url, user: 'gateway-9', password: 'new secret', caFile: pki.caFile }), connectTimeoutMs: 3000 });
    try {
      void uplink.start();
      await waitFor(() => /refused the credentials/.test(uplink.lastError ?? ''), { timeoutMs: 10_000, what: 'the refusal in lastError' });
      expect(uplink.isConnected()).toBe(false);
      // the broker's password is rotated: the same uplink gets in without being recreated
      options.auth.users[0].password = 'new secret';
      await server.restart();
      await waitFor(() => uplink.isConnected(), { timeoutMs: 20_000, what: `the uplink connected after the rotation (last error: ${uplink.lastError})` });
    } finally {
      await uplink.close();
      await server.dispose();
    }
  });
});

describe('NATS over TLS: NKey', () => {
  it('connects with the NKey seed of a configured user', async () => {
    await roundTrip(await connect({ url: usersServer.url, nkeySeed: text(nkeyUser.getSeed()), caFile: pki.caFile }));
  });

  it('refuses the seed of an unknown NKey', async () => {
    expect(await refusal({ url: usersServer.url, nkeySeed: text(nkeys.createUser().getSeed()), caFile: pki.caFile })).toMatch(/refused the credentials/);
  });
});

describe('NATS over mutual TLS: token', () => {
  const client = () => ({ certFile: pki.clientCertFile, keyFile: pki.clientKeyFile, caFile: pki.caFile });

  it('connects with the token and a client certificate signed by the CA', async () => {
    await roundTrip(await connect({ url: mutualServer.url, token: 'plant-token-1', ...client() }));
  });

  it('refuses a wrong token', async () => {
    expect(await refusal({ url: mutualServer.url, token: 'plant-token-2', ...client() })).toMatch(/refused the credentials/);
  });

  it('never connects with a client certificate from another CA, and says what to check while it retries', async () => {
    const retries: string[] = [];
    const stop = new AbortController();
    const nc = connectNats({ signal: stop.signal, ...natsConnectOptions({ url: mutualServer.url, token: 'plant-token-1', caFile: pki.caFile, certFile: pki.strangerCertFile, keyFile: pki.strangerKeyFile }), connectTimeoutMs: 1000, onRetry: (m) => retries.push(m) });
    nc.then((c) => { open.push(c); }, () => undefined);
    await waitFor(() => retries.length >= 2, { timeoutMs: 15_000, what: 'two refused attempts' });
    expect(retries[0]).toMatch(/client certificate/);
    await waitFor(() => /failed to verify client certificate/.test(mutualServer.logs()), { timeoutMs: 5000, what: 'the server log naming the refused certificate' });
    // still not connected: the retries go on while the uplink waits
    const state = await Promise.race([nc.then(() => 'connected', () => 'failed'), Promise.resolve('pending')]);
    expect(state).toBe('pending');
    stop.abort();
    await expect(nc).rejects.toThrow(/aborted/);
  });
});

describe('NATS over TLS: creds file (operator mode)', () => {
  it('connects with a creds file of a user of the account', async () => {
    const creds = path.join(dir, 'good.creds');
    fs.writeFileSync(creds, operator.userCreds('gateway-7'), { mode: 0o600 });
    await roundTrip(await connect({ url: operatorServer.url, credsFile: creds, caFile: pki.caFile }));
  });

  it('refuses a creds file signed by an account the server does not know', async () => {
    const creds = path.join(dir, 'stranger.creds');
    fs.writeFileSync(creds, operator.userCreds('intruder', 'stranger'), { mode: 0o600 });
    expect(await refusal({ url: operatorServer.url, credsFile: creds, caFile: pki.caFile })).toMatch(/refused the credentials/);
  });

  it('HISTORIAN_NATS_CREDS and HISTORIAN_NATS_CA reach the system events publisher through settings.js', async () => {
    const creds = path.join(dir, 'events.creds');
    fs.writeFileSync(creds, operator.userCreds('historian-events'), { mode: 0o600 });
    const saved = { ...process.env };
    Object.assign(process.env, { HISTORIAN_DATA_DIR: dir, HISTORIAN_NATS_URL: operatorServer.url, HISTORIAN_NATS_CREDS: creds, HISTORIAN_NATS_CA: pki.caFile });
    let cfg;
    try { cfg = loadSettings(path.join(PACKAGE_ROOT, 'settings.js')).historian; } finally { process.env = saved; }
    expect(cfg.nats).toMatchObject({ credsFile: creds, caFile: pki.caFile });

    const sub = await connect({ url: operatorServer.url, credsFile: creds, caFile: pki.caFile });
    const got = sub.subscribe('sys.test', { max: 1 });
    await sub.flush();
    const logs: string[] = [];
    const events = SystemEvents.open(cfg.nats, new Registry(), (l) => logs.push(l))!;
    try {
      await waitFor(() => logs.some((l) => /publishing sys/.test(l)), { timeoutMs: 10_000, what: `system events connected (log: ${logs.join(' | ')})` });
      events.publish('sys.test', { hello: 'tls' });
      for await (const m of got) expect(JSONCodec().decode(m.data)).toEqual({ hello: 'tls' });
    } finally {
      await events.close();
    }
  });
});
