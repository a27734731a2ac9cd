// opcua-subscribe with message security and a user name: the unknown server certificate is
// listed through the editor's admin API and trusted there; the node connects without a redeploy.
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import { MessageSecurityMode, SecurityPolicy } from 'node-opcua';
import opcuaSubscribe from '../../nodes/opcua-subscribe/opcua-subscribe';
import { disposeCertificateManagers } from '../../runtime/devices/opcua/cert-store';
import { resetServices, services } from '../../runtime/registry';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { startOpcuaServer, type TestOpcuaServer } from '../integration/devices/opcua-server';

let srv: TestOpcuaServer;
let dataDir: string;
beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  await new Promise<void>((r) => helper.startServer(() => r()));
  srv = await startOpcuaServer({
    securityModes: [MessageSecurityMode.SignAndEncrypt], securityPolicies: [SecurityPolicy.Aes256_Sha256_RsaPss], allowAnonymous: false, users: { engineer: 'pw-123' },
  });
  dataDir = await makeTempDir('historian-opcua-node-');
  resetServices();
  services().dataDir = dataDir;
}, 60_000);
afterAll(async () => {
  await srv?.dispose();
  await disposeCertificateManagers();
  await new Promise<void>((r) => helper.stopServer(() => r()));
  await removeTempDir(dataDir);
});
afterEach(async () => { await helper.unload(); });

describe('opcua-subscribe security', () => {
  it('SignAndEncrypt + user name: untrusted server shown in the certificate list, trusted through the admin API, then samples flow', async () => {
    await new Promise<void>((resolve) => helper.load(opcuaSubscribe as any, [
      { id: 'o1', type: 'opcua-subscribe', endpoint: srv.endpoint, samplingInterval: 100, reconnectInitial: 100, reconnectMax: 300, securityMode: 'SignAndEncrypt', securityPolicy: 'Aes256_Sha256_RsaPss', userAuth: 'username', items: [{ nodeId: 'ns=1;s=Line1.Pressure', tag: 'plant.line1.pressure' }], wires: [['h1'], []] },
      { id: 'h1', type: 'helper' },
    ], { o1: { userName: 'engineer', password: 'pw-123' } }, () => resolve()));
    const samples: any[] = [];
    helper.getNode('h1').on('input', (m: any) => samples.push(...m.payload));
    const node = helper.getNode('o1') as any;
    await waitFor(() => node.status.getCalls().some((c: any) => c.args[0]?.text === 'server certificate not trusted: trust it under Security in this node'), { what: 'status naming the untrusted certificate', timeoutMs: 20_000 });
    const thumb = createHash('sha1').update(srv.certificate()).digest('hex');
    const list = await helper.request().get('/historian/opcua/certificates').expect(200);
    expect(list.body.pkiDir).toBe(path.join(dataDir, 'opcua-pki'));
    expect(list.body.rejected.map((c: any) => c.thumbprint)).toContain(thumb);
    expect(list.body.own).toHaveLength(1);
    await helper.request().post('/historian/opcua/certificates/0000000000000000000000000000000000000000/trust').expect(404);
    const after = await helper.request().post(`/historian/opcua/certificates/${thumb}/trust`).expect(200);
    expect(after.body.trusted.map((c: any) => c.thumbprint)).toContain(thumb);
    await waitFor(() => samples.some((s) => s.quality === 'GOOD'), { what: 'samples after trusting', timeoutMs: 30_000 });
    expect(samples.find((s) => s.quality === 'GOOD')).toMatchObject({ tag: 'plant.line1.pressure', value: 1.25 });
  }, 60_000);

  it('a policy that does not fit the mode is a configuration error naming the field', async () => {
    await new Promise<void>((resolve) => helper.load(opcuaSubscribe as any, [{ id: 'o1', type: 'opcua-subscribe', endpoint: srv.endpoint, securityMode: 'Sign', securityPolicy: 'None', items: [], wires: [[], []] }], () => resolve()));
    const calls = (helper.getNode('o1') as any).error.getCalls().map((c: any) => String(c.args[0]?.message ?? c.args[0]));
    expect(calls.join('\n')).toMatch(/securityPolicy: Sign needs a policy such as Basic256Sha256/);
  });
});
