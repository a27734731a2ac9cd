// Every declared signature is enforced: generated from the critical-action list
// (runtime/audit/critical-actions.ts, as GET /api/v1/audit/signing-config serves it), each
// action is exercised through every way it can happen — the API, and a deploy for the
// settings flows hold — and must be refused with 428 (naming the action and its target)
// without a signature, accepted with one, and recorded in the audit trail with the
// signature. A critical action without a way to exercise it here fails the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRITICAL, DEFAULT_CRITICAL_ACTIONS } from '../../../runtime/audit/critical-actions';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { createUser, signingToken } from '../../helpers/signing';
import { startMosquitto, type MosquittoServer } from '../../helpers/mosquitto';
import { makeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';

const TAG = 'acme.izmir.sig.line1.cell1.pump1.temperature';
const json = { 'Content-Type': 'application/json' };
const v2 = { 'Node-RED-API-Version': 'v2', 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'nodes' };

function testFlow(brokerUrl: string): object[] {
  return [
    { id: 'sig-tab', type: 'tab', label: 'Signature test plant' },
    { id: 'sig-store', type: 'historian-store', name: 'default', directory: 'tsdb/default', retentionDays: 0, blockHours: 2, fsync: 'interval', fsyncIntervalMs: 50 },
    { id: 'sig-write', type: 'historian-write', z: 'sig-tab', store: 'sig-store', logging: 'every', wires: [[]] },
    { id: 'sig-alarms', type: 'isa-alarm', z: 'sig-tab', name: 'pump 1', wires: [[]], alarms: [
      { id: 'sig-shelve', type: 'HI', tag: TAG, priority: 'high', setpoint: '80', deadband: '1' },
      { id: 'sig-oos', type: 'HIHI', tag: TAG, priority: 'urgent', setpoint: '95', deadband: '1' },
      { id: 'sig-api-limits', type: 'LO', tag: TAG, priority: 'low', setpoint: '5', deadband: '0.5' },
      { id: 'sig-deploy-limits', type: 'LOLO', tag: TAG, priority: 'medium', setpoint: '1', deadband: '0' },
    ] },
    { id: 'sig-tier', type: 'tier-mover', z: 'sig-tab', name: '', store: 'sig-store', policyAge: '30d', tagPattern: '', intervalMinutes: '60', wires: [[]] },
    // a buffer whose broker refuses another site's topic (its ACL): what it refuses is quarantined, for the purge
    { id: 'sig-http', type: 'http in', z: 'sig-tab', name: '', url: '/sig-samples', method: 'post', upload: false, swaggerDoc: '', wires: [['sig-sf', 'sig-ok']] },
    { id: 'sig-ok', type: 'http response', z: 'sig-tab', name: '', statusCode: '204', headers: {}, wires: [] },
    { id: 'sig-sf', type: 'store-forward', z: 'sig-tab', name: 'uplink', uplink: 'mqtt', connection: 'node', url: brokerUrl, template: 'hist/{tag:2}',
      batchSize: 100, lingerMs: 20, ramLimitMb: 16, diskLimitMb: 64, journal: 'spill', policy: 'block', fsync: 'interval', wires: [] },
  ];
}

let dist: Distribution;
let broker: MosquittoServer;
let admin: string;
let declared: string[] = [];

/** One way an action happens: a request, its target, and the status that means "done". */
interface Way {
  name: string;
  target: string | null;
  ok: number[];
  /** tokens: the signing tokens to send (the header carries them comma-separated) */
  send(tokens: string[]): Promise<Response>;
  /** other signatures the request needs besides the one under test (a signed deploy's own) */
  also?: () => string[];
}

async function flows(): Promise<{ flows: Array<Record<string, any>>; rev: string }> {
  const r = await dist.request('/editor/flows', { token: admin, headers: v2 });
  expect(r.status).toBe(200);
  return r.json() as Promise<{ flows: Array<Record<string, any>>; rev: string }>;
}

function call(method: string, path: string, body: unknown): (tokens: string[]) => Promise<Response> {
  return (tokens) => dist.request(path, {
    method, token: admin, headers: { ...json, ...(tokens.length ? { 'X-Historian-Signature': tokens.join(', ') } : {}) }, body: JSON.stringify(body),
  });
}

/** A deploy of the current flows changed by `edit` (a fresh edit each time: the first attempt is refused). */
function deploy(edit: (f: Array<Record<string, any>>) => void): (tokens: string[]) => Promise<Response> {
  return async (tokens) => {
    const cur = await flows();
    const next = structuredClone(cur.flows);
    edit(next);
    return dist.request('/editor/flows', {
      method: 'POST', token: admin, headers: { ...v2, ...(tokens.length ? { 'X-Historian-Signature': tokens.join(', ') } : {}) },
      body: JSON.stringify({ flows: next, rev: cur.rev }),
    });
  };
}

let n = 0;
/** A frame recorded by hand (not signed), for the frame actions. */
async function openFrame(): Promise<string> {
  const r = await dist.request('/api/v1/frames', { method: 'POST', token: admin, headers: json, body: JSON.stringify({ template: 'batch', name: `sig batch ${++n}` }) });
  return ((await r.json()) as { id: string }).id;
}

const deploySigned = () => (declared.includes(CRITICAL.flowsDeploy) ? [CRITICAL.flowsDeploy] : []);

/** Every way each critical action can happen. A new critical action needs an entry here. */
const WAYS: Record<string, () => Promise<Way[]>> = {
  [CRITICAL.userCreate]: async () => [{
    name: 'POST /users', target: `user:sig-new-${++n}`, ok: [201],
    send: call('POST', '/api/v1/users', { username: `sig-new-${n}`, name: 'New Person', role: 'OPERATOR' }),
  }],
  [CRITICAL.userUpdate]: async () => {
    const u = await createUser(dist, admin, { username: `sig-upd-${++n}`, name: 'Up Date', role: 'OPERATOR' });
    return [{ name: 'PATCH /users/{id} name', target: `user:${u.username}`, ok: [200], send: call('PATCH', `/api/v1/users/${u.id}`, { name: 'Renamed Person', maxAgeDays: 90 }) }];
  },
  [CRITICAL.userRoleChange]: async () => {
    const u = await createUser(dist, admin, { username: `sig-role-${++n}`, name: 'Role Change', role: 'OPERATOR' });
    return [{ name: 'PATCH /users/{id} role', target: `user:${u.username}`, ok: [200], send: call('PATCH', `/api/v1/users/${u.id}`, { role: 'AUDITOR' }) }];
  },
  [CRITICAL.userDisable]: async () => {
    const u = await createUser(dist, admin, { username: `sig-dis-${++n}`, name: 'Dis Able', role: 'OPERATOR' });
    return [{ name: 'PATCH /users/{id} disabled', target: `user:${u.username}`, ok: [200], send: call('PATCH', `/api/v1/users/${u.username}`, { disabled: true }) }];
  },
  [CRITICAL.userPasswordReset]: async () => {
    const u = await createUser(dist, admin, { username: `sig-pw-${++n}`, name: 'Pass Word', role: 'OPERATOR' });
    return [{ name: 'POST /users/{id}/password', target: `user:${u.username}`, ok: [200], send: call('POST', `/api/v1/users/${u.id}/password`, {}) }];
  },
  [CRITICAL.alarmShelve]: async () => [{
    name: 'POST /alarms/{id}/shelve', target: 'sig-shelve', ok: [200],
    send: call('POST', '/api/v1/alarms/sig-shelve/shelve', { durationMs: 600_000, reason: 'sensor being replaced' }),
  }],
  [CRITICAL.alarmOutOfService]: async () => [{
    name: 'POST /alarms/{id}/out-of-service', target: 'sig-oos', ok: [200],
    send: call('POST', '/api/v1/alarms/sig-oos/out-of-service', { reason: 'maintenance' }),
  }],
  [CRITICAL.alarmLimitsChange]: async () => [
    { name: 'PUT /alarms/{id}/limits', target: 'sig-api-limits', ok: [200], send: call('PUT', '/api/v1/alarms/sig-api-limits/limits', { setpoint: 7 + (++n) }) },
    {
      name: 'deploy changing an isa-alarm\'s setpoint', target: 'flows', ok: [200, 204], also: deploySigned,
      send: deploy((f) => { const row = f.find((x) => x.id === 'sig-alarms')!.alarms.find((a: { id: string }) => a.id === 'sig-deploy-limits'); row.setpoint = String(Number(row.setpoint) + 1); }),
    },
  ],
  [CRITICAL.retentionChange]: async () => [
    { name: 'PUT /tags/{tag} retentionMs', target: TAG, ok: [200], send: call('PUT', `/api/v1/tags/${TAG}`, { retentionMs: 86_400_000 * (365 + (++n)) }) },
    {
      name: 'deploy changing a store\'s retention', target: 'flows', ok: [200, 204], also: deploySigned,
      send: deploy((f) => { const s = f.find((x) => x.id === 'sig-store')!; s.retentionDays = Number(s.retentionDays) + 30; }),
    },
  ],
  [CRITICAL.tierPolicyChange]: async () => [{
    name: 'deploy changing a tier mover\'s policy age', target: 'flows', ok: [200, 204], also: deploySigned,
    send: deploy((f) => { const t = f.find((x) => x.id === 'sig-tier')!; t.policyAge = `${parseInt(String(t.policyAge), 10) + 1}d`; }),
  }],
  [CRITICAL.flowsDeploy]: async () => [{
    name: 'deploy adding a node', target: 'flows', ok: [200, 204],
    send: deploy((f) => { f.push({ id: `sig-note-${++n}`, type: 'comment', z: 'sig-tab', name: 'note', info: '', x: 100, y: 100, wires: [] }); }),
  }],
  [CRITICAL.flowsRestore]: async () => {
    // the newest stored version (the deploys above made some): restoring it is a deploy too
    const list = await (await dist.request('/api/v1/flows/versions', { token: admin })).json() as { versions: Array<{ version: number }> };
    expect(list.versions.length, 'a stored flow version to restore').toBeGreaterThan(0);
    return [{ name: 'POST /flows/versions/{version}/restore', target: 'flows', ok: [200], send: call('POST', `/api/v1/flows/versions/${list.versions[0].version}/restore`, {}) }];
  },
  [CRITICAL.frameClose]: async () => {
    const id = await openFrame();
    return [{ name: 'POST /frames/{id}/close', target: `frame:${id}`, ok: [200], send: call('POST', `/api/v1/frames/${id}/close`, { reason: 'closed by hand' }) }];
  },
  [CRITICAL.frameAttributesChange]: async () => {
    const id = await openFrame();
    return [{ name: 'PATCH /frames/{id}/attributes', target: `frame:${id}`, ok: [200], send: call('PATCH', `/api/v1/frames/${id}/attributes`, { set: { released: true }, reason: 'release' }) }];
  },
  [CRITICAL.bufferPurge]: async () => {
    const r = await fetch(`${dist.url}/http/sig-samples`, { method: 'POST', headers: json, body: JSON.stringify([{ tag: 'acme.bursa.line1.pump1.flow', ts: Date.now(), value: 1 }]) });
    expect(r.status).toBe(204);
    await waitFor(async () => {
      const b = ((await (await dist.request('/api/v1/buffers', { token: admin })).json()) as { buffers: Array<{ name: string; quarantined: number }> }).buffers;
      return b.find((x) => x.name === 'uplink')?.quarantined === 1;
    }, { timeoutMs: 15_000, what: 'the envelope the broker refused quarantined' });
    return [{ name: 'POST /buffers/{name}/quarantine/purge', target: 'buffer:uplink', ok: [200], send: call('POST', '/api/v1/buffers/uplink/quarantine/purge', { reason: 'refused by the broker: another site' }) }];
  },
  [CRITICAL.systemBackup]: async () => [
    { name: 'POST /system/backup', target: 'system', ok: [200], send: call('POST', '/api/v1/system/backup', {}) },
    { name: 'POST /system/backup/links', target: 'system', ok: [201], send: call('POST', '/api/v1/system/backup/links', {}) },
  ],
  // tested with its own restart case in audit-alarm.test.ts (it needs a damaged trail)
  [CRITICAL.auditAcknowledge]: async () => [],
};

beforeAll(async () => {
  const dir = await makeTempDir('signatures-');
  const acl = join(dir, 'acl');
  writeFileSync(acl, 'topic write hist/acme.izmir\n');
  broker = await startMosquitto({ extraConfig: [`acl_file ${acl}`] });
  const flowFile = join(dir, 'flow.json');
  writeFileSync(flowFile, JSON.stringify(testFlow(broker.url)));
  dist = await startDistribution({ dataDir: join(dir, 'data'), env: { HISTORIAN_DEMO_FLOW: flowFile, HISTORIAN_SIGNED_DEPLOYS: 'true' } });
  admin = await dist.login();
  // the tag exists for the retention change
  await dist.request('/api/v1/tags/' + TAG, { method: 'PUT', token: admin, headers: json, body: JSON.stringify({ unit: '°C' }) });
  declared = ((await (await dist.request('/api/v1/audit/signing-config', { token: admin })).json()) as { criticalActions: string[] }).criticalActions;
});
afterAll(async () => {
  await dist?.stop();
  await broker?.dispose();
});

describe('the signature table', () => {
  it('is what the server declares: every declared action has its ways here, every way an action the server declares', () => {
    expect([...declared].sort()).toEqual(Object.keys(WAYS).sort());
  });

  for (const action of [...DEFAULT_CRITICAL_ACTIONS, CRITICAL.flowsDeploy, CRITICAL.flowsRestore]) {
    it(`${action}: 428 without a signature, done with one, recorded with it`, async () => {
      const ways = await WAYS[action]();
      if (action === CRITICAL.auditAcknowledge) return; // see above
      expect(ways.length, `no way to exercise ${action}`).toBeGreaterThan(0);
      for (const way of ways) {
        const others = async () => Promise.all((way.also?.() ?? []).map((a) => signingToken(dist, admin, a, way.target)));
        const refused = await way.send(await others());
        const body = await refused.json() as { error: string; action: string; target: string | null; actions?: string[] };
        expect(refused.status, `${way.name} without a signature: ${JSON.stringify(body)}`).toBe(428);
        expect(body.actions ?? [body.action], way.name).toContain(action);
        if (!body.actions) expect(body.target, way.name).toBe(way.target);

        const done = await way.send([await signingToken(dist, admin, action, way.target), ...(await others())]);
        const text = await done.text();
        expect(way.ok, `${way.name} signed: ${done.status} ${text}`).toContain(done.status);
        const audit = await (await dist.request(`/api/v1/audit?action=${encodeURIComponent(action)}&limit=1`, { token: admin })).json() as { entries: Array<Record<string, any>> };
        expect(audit.entries[0], way.name).toMatchObject({ action, target: way.target, signature: { action, meaning: 'responsibility', printedName: expect.any(String) } });
      }
    });
  }

  it('a signature is bound to its action and target: another target\'s token is refused (428) and spent', async () => {
    const u = await createUser(dist, admin, { username: 'sig-bound', name: 'Bound Person', role: 'OPERATOR' });
    const wrong = await signingToken(dist, admin, CRITICAL.userRoleChange, 'user:someone-else');
    const r = await call('PATCH', `/api/v1/users/${u.id}`, { role: 'AUDITOR' })([wrong]);
    expect(r.status).toBe(428);
    expect(await r.json()).toMatchObject({ reason: 'other_target' });
    expect((await call('PATCH', `/api/v1/users/${u.id}`, { role: 'AUDITOR' })([wrong])).status).toBe(428);
  });

  it('a PATCH changing two signed things at once is refused with 400 (one signature, one action)', async () => {
    const u = await createUser(dist, admin, { username: 'sig-two', name: 'Two Things', role: 'OPERATOR' });
    const r = await call('PATCH', `/api/v1/users/${u.id}`, { role: 'AUDITOR', disabled: true })([]);
    expect(r.status).toBe(400);
    expect((await r.json() as { message: string }).message).toMatch(/one change per request/);
  });

  it('an alarm limit change through the API reaches the flows and the alarm service', async () => {
    const r = await call('PUT', '/api/v1/alarms/sig-api-limits/limits', { setpoint: 3.5 })([await signingToken(dist, admin, CRITICAL.alarmLimitsChange, 'sig-api-limits')]);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ alarm: 'sig-api-limits', node: { id: 'sig-alarms' }, after: { setpoint: 3.5 } });
    const row = (await flows()).flows.find((x) => x.id === 'sig-alarms')!.alarms.find((a: { id: string }) => a.id === 'sig-api-limits');
    expect(row.setpoint).toBe(3.5);
    // limits the alarm type does not have are refused, naming the field, before any signature is asked
    const bad = await call('PUT', '/api/v1/alarms/sig-api-limits/limits', { ratePerSecond: 2 })([]);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'body.ratePerSecond' });
  });

  it('the permission of a signed change is checked first: an OPERATOR may not (403)', async () => {
    await createUser(dist, admin, { username: 'sig-op', name: 'Op Erator', role: 'OPERATOR', password: 'Operator-Sig-2026' });
    const op = await dist.login('sig-op', 'Operator-Sig-2026');
    const r = await dist.request('/api/v1/alarms/sig-api-limits/limits', { method: 'PUT', token: op, headers: json, body: JSON.stringify({ setpoint: 4 }) });
    expect(r.status).toBe(403);
    const ret = await dist.request(`/api/v1/tags/${TAG}`, { method: 'PUT', token: op, headers: json, body: JSON.stringify({ retentionMs: 86_400_000 }) });
    expect(ret.status).toBe(403);
  });

  it('API tokens cannot sign (a signature belongs to a person)', async () => {
    const t = await dist.request('/api/v1/tokens', { method: 'POST', token: admin, headers: json, body: JSON.stringify({ user: 'admin', scopes: ['users.manage'] }) });
    const { token } = await t.json() as { token: string };
    const r = await dist.request('/api/v1/re-auth', { method: 'POST', token, headers: json, body: JSON.stringify({ username: 'admin', password: 'x', meaning: 'approval', action: 'users.create', target: 'user:x' }) });
    expect(r.status).toBe(403);
    const create = await dist.request('/api/v1/users', { method: 'POST', token, headers: json, body: JSON.stringify({ username: 'by-token', name: 'By Token', role: 'OPERATOR' }) });
    expect(create.status).toBe(428);
  });

  it('the chain verifies after all of it', async () => {
    expect(await (await dist.request('/api/v1/audit/verify', { token: admin })).json()).toMatchObject({ ok: true, damage: null });
  });
});
