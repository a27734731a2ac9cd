// The store-forward node as a fleet gateway: with its per-gateway NKey (credentials) it
// is refused a subject outside its site; the node reports the refusal as an error naming
// the subject and turns its status red, the envelope stays in the quarantine. With a
// site set it publishes its heartbeat on sys.gateway.<id>.health.
import path from 'node:path';
import { connect } from 'nats';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import storeForward from '../../nodes/store-forward/store-forward';
import { resetServices, services } from '../../runtime/registry';
import { gatewaySecurity } from '../../runtime/fleet/gateway-config';
import { decodeHeartbeat } from '../../runtime/fleet/heartbeat';
import { startNats, type NatsServer } from '../helpers/nats';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const sec = gatewaySecurity({ gateway: 'gw-node', site: 'acme.izmir' });
let nats: NatsServer;
let dir: string;
beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  nats = await startNats({
    configText: (sd) => `jetstream { store_dir: ${JSON.stringify(sd)} }\nauthorization { users: [\n{ user: "central", password: "central-pw" }\n${sec.hubClientUser}\n] }\n`,
  });
  dir = await makeTempDir('historian-sf-fleet-node-');
  // the central creates the stream; gateways may not
  const nc = await connect({ servers: nats.url, user: 'central', pass: 'central-pw' });
  await (await nc.jetstreamManager()).streams.add({ name: 'HIST', subjects: ['hist.>'] });
  await nc.close();
});
afterEach(async () => { await helper.unload(); });
afterAll(async () => {
  await nats?.dispose();
  if (dir) await removeTempDir(dir);
});

function load(nodes: any, flow: any[], credentials: any = {}): Promise<void> {
  return new Promise((resolve) => helper.load(nodes, flow, credentials, () => resolve()));
}

describe('store-forward node in a fleet', () => {
  it('reports a subject refused by the server as an error naming it, red status, envelope quarantined; publishes its heartbeat', async () => {
    resetServices();
    services().dataDir = path.join(dir, 'data');
    const nc = await connect({ servers: nats.url, user: 'central', pass: 'central-pw' });
    const beats: ReturnType<typeof decodeHeartbeat>[] = [];
    nc.subscribe('sys.gateway.*.health', { callback: (_e, m) => beats.push(decodeHeartbeat(m.data)) });
    await load(storeForward, [{
      id: 'g1', type: 'store-forward', name: 'uplink', source: sec.gateway, site: sec.site, heartbeatS: 1, uplink: 'nats', url: nats.url,
      template: 'hist.{tag:3}', stream: 'HIST', streamSubjects: 'hist.>', createStream: false, batchSize: 100, lingerMs: 10,
    }], { g1: { nkeySeed: sec.nkey.seed } });
    const n = helper.getNode('g1');
    const errors: string[] = [];
    const statuses: Array<{ fill?: string; text?: string }> = [];
    n.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
    n.on('call:status', (c: any) => statuses.push(c.firstArg));
    const buf = services().components.buffers.get('uplink') as any;
    await waitFor(() => buf.status().connected, { timeoutMs: 10_000, what: 'gateway connected with its NKey' });
    n.receive({ payload: [{ tag: 'acme.izmir.line1.pump1.flow', ts: 1_700_000_000_000, value: 1 }] });
    await waitFor(() => buf.status().sentSamples === 1, { timeoutMs: 10_000, what: 'own site accepted' });
    n.receive({ payload: [{ tag: 'acme.bursa.line1.pump1.flow', ts: 1_700_000_000_000, value: 2 }] });
    await waitFor(() => errors.some((e) => /hist\.acme\.bursa\.line1/.test(e)), { timeoutMs: 10_000, what: 'the refusal reported as a node error' });
    expect(errors.find((e) => /bursa/.test(e))).toMatch(/quarantined: NATS refused publishing to "hist\.acme\.bursa\.line1": permissions violation/);
    await waitFor(() => statuses.some((s) => s.fill === 'red' && /refused by NATS: hist\.acme\.bursa\.line1/.test(s.text ?? '')), { timeoutMs: 5_000, what: 'red status naming the subject' });
    expect(buf.status().quarantined).toBe(1);
    // the next heartbeat carries the quarantined envelope in its backlog
    await waitFor(() => beats.some((b) => b.id === 'gw-node' && b.backlog.quarantined === 1), { timeoutMs: 5_000, what: 'a heartbeat after the refusal' });
    const hb = beats.filter((b) => b.id === 'gw-node').at(-1)!;
    expect(hb).toMatchObject({ id: 'gw-node', site: 'acme.izmir', backlog: { quarantined: 1 } });
    expect(hb.version).toMatch(/^\d+\.\d+\.\d+/);
    await nc.close();
  });
});
