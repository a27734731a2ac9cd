// With NATS configured, the distribution publishes system events: logins on
// sys.auth.login, alarm transitions on sys.alarm.<tag>, audit entries on sys.audit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, JSONCodec, type NatsConnection } from 'nats';
import { startNats, type NatsServer } from '../../helpers/nats';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';

const TAG = 'acme.izmir.plant1.line1.cell1.pump1.flow';
let nats: NatsServer;
let dist: Distribution;
let nc: NatsConnection;
let dir: string;
const got: Array<{ subject: string; data: any }> = [];

beforeAll(async () => {
  nats = await startNats({ jetstream: false });
  nc = await connect({ servers: nats.url });
  const codec = JSONCodec();
  const sub = nc.subscribe('sys.>');
  void (async () => { for await (const m of sub) got.push({ subject: m.subject, data: codec.decode(m.data) }); })();
  dir = await makeTempDir('historian-sys-events-');
  const flow = [
    { id: 't-tab', type: 'tab', label: 'events' },
    { id: 't-sim', type: 'plant-sim', z: 't-tab', seed: 1, lines: 1, pumps: 1, rate: 60, mode: 'batch', faultRate: 0, autostart: true, wires: [['t-alarms']] },
    { id: 't-alarms', type: 'isa-alarm', z: 't-tab', wires: [[]], alarms: [{ id: 'flow-hi', type: 'HI', tag: TAG, priority: 'high', setpoint: 1, deadband: 0, message: 'flow high' }] },
  ];
  writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
  dist = await startDistribution({ dataDir: join(dir, 'data'), env: { HISTORIAN_NATS_URL: nats.url, HISTORIAN_DEMO_FLOW: join(dir, 'flow.json') } });
});
afterAll(async () => {
  await dist?.stop();
  await nc?.close();
  await nats?.dispose();
  if (dir) await removeTempDir(dir);
});

describe('system events on NATS', () => {
  it('publishes logins, alarm transitions and audit entries', async () => {
    await dist.login();
    const login = await waitFor(() => got.find((m) => m.subject === 'sys.auth.login'), { what: 'sys.auth.login' });
    expect(login!.data).toMatchObject({ type: 'login', actor: { username: 'admin' } });
    const alarm = await waitFor(() => got.find((m) => m.subject === `sys.alarm.${TAG}`), { what: `sys.alarm.${TAG}` });
    expect(alarm!.data).toMatchObject({ alarmId: 'flow-hi', tag: TAG, from: 'A', to: 'B' });
    const audit = await waitFor(() => got.find((m) => m.subject === 'sys.audit' && m.data.action === 'auth.login'), { what: 'sys.audit login entry' });
    expect(audit!.data.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
