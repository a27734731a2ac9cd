// The calc, alarm and twin HTTP routes through a small express app with mountRoutes, as
// callers of each role (the role is picked per request), against real services: a
// TsdbStore and the process alarm service on a temp data directory, model files on disk.
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlarmService } from '../../../runtime/alarm';
import { openProcessAlarmService, type ProcessAlarmService } from '../../../runtime/alarm/process-service';
import { ROLE_PERMISSIONS, type Role } from '../../../runtime/auth/permissions';
import { mountRoutes, type Principal } from '../../../runtime/server/api/route';
import { alarmRoutes } from '../../../runtime/server/routes/alarm-routes';
import { HttpError } from '../../../runtime/server/api/route';

const SIGNATURE_HEADER = 'X-Historian-Signature';
import { calcRoutes } from '../../../runtime/server/routes/calc-routes';
import { twinRoutes } from '../../../runtime/server/routes/twin-routes';
import { services } from '../../../runtime/registry';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { StoreHandle } from '../../../runtime/tsdb/store-handle';
import { TwinModelStore } from '../../../runtime/twin/model-store';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { join } from 'node:path';

const T0 = 1_700_000_000_000;
const TAG = 'acme.izmir.plant1.line1.cell1.pump1.temperature';
let dir: string;
let server: Server;
let base: string;
let now = T0;
let alarms: ProcessAlarmService;
let signed: AlarmService;
let useSigned = false;
const recorded: string[] = [];
let store: TsdbStore;
let unregister: () => void;

function principal(role: Role, tagPattern?: string): Principal {
  return {
    kind: 'user', userId: role, username: role.toLowerCase(), name: `${role} user`, role, permissions: ROLE_PERMISSIONS[role],
    expiresAt: null, mustChangePassword: false, allowsTag: (t) => !tagPattern || t.startsWith(tagPattern),
  };
}

async function call(role: Role | 'TOKEN', method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(base + path, {
    method, headers: { 'content-type': 'application/json', 'x-test-role': role, ...headers }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() as any };
}

const hi = (id: string, extra: object = {}) => ({ id, type: 'HI', tag: TAG, setpoint: 80, deadband: 1, priority: 'high', message: 'bearing hot', ...extra });

beforeAll(async () => {
  dir = await makeTempDir('analytics-routes-');
  alarms = openProcessAlarmService({ dataDir: dir, clock: () => now, tickMs: 0 });
  alarms.configure('g1', [hi('a1'), hi('a2', { setpoint: 85, priority: 'low' }), hi('a3', { setpoint: 90, tag: 'other.area.temp' })]);
  alarms.evaluate([{ tag: TAG, ts: T0, value: 95, quality: 0 }, { tag: 'other.area.temp', ts: T0, value: 95, quality: 0 }]);
  signed = new AlarmService({
    db: join(dir, 'signed.db'), clock: () => now,
    policy: { requireSignature: (a) => a === 'shelve', verifySignature: (sig: any, action, id) => sig?.signatureId === 'sig-1' && action === 'shelve' && sig.target === id },
  });
  signed.configure('g', [hi('s1')]);
  signed.evaluate([{ tag: TAG, ts: T0, value: 95, quality: 0 }]);

  store = await TsdbStore.open({ dir: join(dir, 'tsdb'), maintenanceIntervalMs: 0, fsync: 'never' });
  unregister = services().components.stores.register('default', new StoreHandle('default', Promise.resolve(store)));
  const models = TwinModelStore.forDataDir(dir);

  const router = express.Router();
  router.use(express.json());
  mountRoutes(router, [
    ...alarmRoutes({
      service: () => (useSigned ? signed : alarms),
      // stands in for the signature service: the route consumes the token before the command
      sign: (ctx, action, id) => {
        if (!useSigned || action !== 'alarms.shelve') return null;
        const token = ctx.req.header(SIGNATURE_HEADER);
        if (!token) throw new HttpError(428, 'signature_required', 'missing');
        if (token !== 'sig-ok') throw new HttpError(428, 'unknown_token', 'not a signing token');
        return { signatureId: 'sig-1', action, target: id };
      },
      record: (_ctx, action, id) => { recorded.push(`${action}:${id}`); },
    }),
    ...calcRoutes(),
    ...twinRoutes({ models: () => models }),
  ], async (req) => {
    const role = req.header('x-test-role');
    if (role === 'TOKEN') return principal('ENGINEER', 'acme.izmir.plant1.line1.');
    return role ? principal(role as Role) : null;
  });
  server = express().use('/api/v1', router).listen(0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  unregister();
  await store.close();
  alarms.close();
  signed.close();
  await removeTempDir(dir);
});

describe('alarm routes', () => {
  it('lists alarms with filters, for roles with alarms.read only', async () => {
    const all = await call('AUDITOR', 'GET', '/alarms');
    expect(all.status).toBe(200);
    expect(all.body.alarms.map((a: any) => [a.id, a.state])).toEqual([['a1', 'B'], ['a3', 'B'], ['a2', 'B']]);
    expect((await call('AUDITOR', 'GET', '/alarms?priority=low')).body.alarms.map((a: any) => a.id)).toEqual(['a2']);
    expect((await call('AUDITOR', 'GET', '/alarms?area=acme.>&state=B,C')).body.alarms.map((a: any) => a.id)).toEqual(['a1', 'a2']);
    expect((await call('AUDITOR', 'GET', '/alarms?active=false')).body.alarms).toEqual([]);
    const bad = await call('AUDITOR', 'GET', '/alarms?state=B,Z');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^query\.state: "Z" is not one of A, B/);
    expect((await call('SERVICE', 'GET', '/alarms')).status).toBe(403);
    // a token limited to a tag pattern sees only its area
    expect((await call('TOKEN', 'GET', '/alarms')).body.alarms.map((a: any) => a.id)).toEqual(['a1', 'a2']);
  });

  it('acknowledges one alarm as the caller; refusals are 409 with the reason, unknown ids 404', async () => {
    expect((await call('AUDITOR', 'POST', '/alarms/a1/ack', {})).status).toBe(403);
    now = T0 + 1000;
    const ok = await call('OPERATOR', 'POST', '/alarms/a1/ack', { comment: 'seen' });
    expect(ok.status).toBe(200);
    expect(ok.body.transition).toMatchObject({ alarmId: 'a1', from: 'B', to: 'C', event: 'ack', user: 'operator', comment: 'seen', ts: T0 + 1000 });
    const again = await call('OPERATOR', 'POST', '/alarms/a1/ack', {});
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'already_acknowledged', reason: 'already_acknowledged', id: 'a1' });
    expect((await call('OPERATOR', 'POST', '/alarms/nope/ack', {})).status).toBe(404);
    expect((await call('TOKEN', 'POST', '/alarms/a3/ack', {})).status).toBe(403);
  });

  it('bulk-acknowledges by ids or every unacknowledged alarm matching a filter', async () => {
    const byIds = await call('OPERATOR', 'POST', '/alarms/ack', { ids: ['a1', 'a2'] });
    expect(byIds.status).toBe(200);
    expect(byIds.body.acknowledged.map((t: any) => t.alarmId)).toEqual(['a2']);
    expect(byIds.body.refused).toEqual([expect.objectContaining({ id: 'a1', reason: 'already_acknowledged' })]);
    expect((await call('OPERATOR', 'POST', '/alarms/ack', { ids: ['a1'], all: true })).status).toBe(400);
    const all = await call('OPERATOR', 'POST', '/alarms/ack', { all: true, filter: { area: 'other.>' } });
    expect(all.body.acknowledged.map((t: any) => t.alarmId)).toEqual(['a3']);
    expect((await call('AUDITOR', 'GET', '/alarms?state=B')).body.alarms).toEqual([]);
  });

  it('shelves within the maximum and unshelves; suppress and out of service need their permissions', async () => {
    const tooLong = await call('OPERATOR', 'POST', '/alarms/a1/shelve', { durationMs: 9 * 3_600_000, reason: 'maintenance' });
    expect(tooLong.status).toBe(409);
    expect(tooLong.body.reason).toBe('shelve_exceeds_maximum');
    const noReason = await call('OPERATOR', 'POST', '/alarms/a1/shelve', { durationMs: 60_000 });
    expect(noReason.status).toBe(400);
    expect(noReason.body.message).toMatch(/^body\.reason/);
    const shelved = await call('OPERATOR', 'POST', '/alarms/a1/shelve', { durationMs: 60_000, reason: 'sensor swap' });
    expect(shelved.body.transition).toMatchObject({ from: 'C', to: 'E', user: 'operator', comment: 'sensor swap', detail: { until: now + 60_000, oneShot: false } });
    expect((await call('OPERATOR', 'POST', '/alarms/a1/unshelve', {})).body.transition).toMatchObject({ from: 'E', to: 'B' });

    expect((await call('OPERATOR', 'POST', '/alarms/a2/suppress', {})).status).toBe(403);
    expect((await call('ENGINEER', 'POST', '/alarms/a2/suppress', {})).body.transition).toMatchObject({ to: 'F', user: 'engineer' });
    // back to the state the condition implies: still active, so annunciated again
    expect((await call('ENGINEER', 'POST', '/alarms/a2/unsuppress', {})).body.transition).toMatchObject({ from: 'F', to: 'B' });
    expect((await call('OPERATOR', 'POST', '/alarms/a2/out-of-service', { reason: 'x' })).status).toBe(403);
    expect((await call('ENGINEER', 'POST', '/alarms/a2/out-of-service', { reason: 'transmitter removed' })).body.transition).toMatchObject({ to: 'G', comment: 'transmitter removed' });
    expect((await call('ENGINEER', 'POST', '/alarms/a2/return-to-service', {})).body.transition).toMatchObject({ from: 'G', to: 'B' });
  });

  it('consumes a signature before a critical command and records the command (e-signature hook)', async () => {
    useSigned = true;
    try {
      const missing = await call('OPERATOR', 'POST', '/alarms/s1/shelve', { oneShot: true, reason: 'r' });
      expect(missing.status).toBe(428);
      const wrong = await call('OPERATOR', 'POST', '/alarms/s1/shelve', { oneShot: true, reason: 'r' }, { [SIGNATURE_HEADER]: 'forged' });
      expect(wrong.status).toBe(428);
      expect(recorded).not.toContain('alarms.shelve:s1');
      const ok = await call('OPERATOR', 'POST', '/alarms/s1/shelve', { oneShot: true, reason: 'r' }, { [SIGNATURE_HEADER]: 'sig-ok' });
      expect(ok.status).toBe(200);
      expect(ok.body.transition.detail).toMatchObject({ oneShot: true, signed: true });
      expect(recorded).toContain('alarms.shelve:s1');
    } finally {
      useSigned = false;
    }
  });

  it('serves the journal and the KPIs', async () => {
    const j = await call('AUDITOR', 'GET', '/alarms/journal?alarmId=a1&order=asc');
    expect(j.body.entries.map((e: any) => `${e.from}>${e.to}:${e.user ?? '-'}`)).toEqual(['A>B:-', 'B>C:operator', 'C>E:operator', 'E>B:operator']);
    const page = await call('AUDITOR', 'GET', '/alarms/journal?limit=2');
    expect(page.body.entries).toHaveLength(2);
    expect(page.body.next).toEqual(expect.any(Number));
    // priority is filtered on the server, by the priority recorded with each entry
    const all = (await call('AUDITOR', 'GET', '/alarms/journal?limit=1000')).body.entries as Array<{ priority: string }>;
    const prio = all[0].priority;
    const byPrio = await call('AUDITOR', 'GET', `/alarms/journal?limit=1000&priority=${prio}`);
    expect(byPrio.body.entries.length).toBe(all.filter((e) => e.priority === prio).length);
    expect((await call('AUDITOR', 'GET', '/alarms/journal?priority=severe')).status).toBe(400);
    const kpi = await call('AUDITOR', 'GET', `/alarms/kpi?from=${T0 - 60_000}&to=${T0 + 600_000}`);
    expect(kpi.status).toBe(200);
    // into B: three activations, then unshelve (a1), unsuppress and return to service (a2)
    expect(kpi.body).toMatchObject({ alarms: 6, peak10Min: 6 });
    expect((await call('AUDITOR', 'GET', `/alarms/kpi?from=${T0}&to=${T0}`)).status).toBe(400);
    expect((await call('AUDITOR', 'GET', `/alarms/kpi?from=${T0}&to=${T0 + 1}&console=acme.>`)).body.alarms).toBe(2);
  });
});

describe('calc routes', () => {
  const F = 'acme.izmir.plant1.line1.cell1.pump1.flow';
  const P = 'acme.izmir.plant1.line1.cell1.pump1.pressure';

  beforeAll(async () => {
    // flow every 10 s from T0, pressure every 20 s from T0 - 5 s
    const samples = [];
    for (let i = 0; i < 30; i++) samples.push({ tag: F, ts: T0 + i * 10_000, value: i, quality: 0 });
    for (let i = 0; i < 16; i++) samples.push({ tag: P, ts: T0 - 5000 + i * 20_000, value: 2 + i * 0.1, quality: i === 3 ? 0x4000 : 0 });
    await store.write(samples);
  });

  it('evaluates an expression over stored history on a grid (step and linear)', async () => {
    const q = new URLSearchParams({ expression: 'f * p', aliases: `f=${F}, p=${P}`, from: String(T0), to: String(T0 + 60_000), stepMs: '15000' });
    const r = await call('AUDITOR', 'GET', `/calc/evaluate?${q}`);
    expect(r.status).toBe(200);
    expect(r.body.ts).toEqual([T0, T0 + 15_000, T0 + 30_000, T0 + 45_000, T0 + 60_000]);
    // step: pressure holds its sample from before `from` (T0 - 5 s, 2.0)
    const expected = [0, 1 * 2.1, 3 * 2.1, 4 * 2.2, 6 * 2.3];
    expect(r.body.values).toHaveLength(expected.length);
    r.body.values.forEach((v: number, i: number) => expect(v).toBeCloseTo(expected[i], 9));
    expect(r.body.quality).toEqual(['GOOD', 'GOOD', 'GOOD', 'GOOD', 'UNCERTAIN']);
    const lin = await call('AUDITOR', 'POST', '/calc/evaluate', { expression: `tag('${F}') + avg(tag('${F}'), 2)`, from: T0 + 5000, to: T0 + 25_000, stepMs: 10_000, interpolation: 'linear' });
    expect(lin.body.values).toEqual([0.5 + 0.5, 1.5 + 1, 2.5 + 2]);
  });

  it('names the problem: compile errors with position, too many points, tags outside a token pattern', async () => {
    const bad = await call('AUDITOR', 'POST', '/calc/evaluate', { expression: '1 +* 2', from: T0, to: T0 + 1000, stepMs: 1000 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ field: 'expression', pos: { line: 1, col: 4 } });
    const big = await call('AUDITOR', 'POST', '/calc/evaluate', { expression: '1', from: 0, to: T0, stepMs: 1000 });
    expect(big.status).toBe(400);
    expect(big.body.message).toMatch(/^stepMs: /);
    const missing = await call('AUDITOR', 'GET', `/calc/evaluate?expression=1&from=${T0}&to=${T0}`);
    expect(missing.body.message).toMatch(/query\.stepMs/);
    expect((await call('TOKEN', 'POST', '/calc/evaluate', { expression: "tag('other.area.temp')", from: T0, to: T0, stepMs: 1 })).status).toBe(403);
  });
});

describe('twin routes', () => {
  const F = 'acme.izmir.plant1.line2.cell1.pump1.flow';
  const T = 'acme.izmir.plant1.line2.cell1.pump1.temperature';

  beforeAll(async () => {
    const s = [];
    for (let i = 0; i < 600; i++) {
      const flow = 50 + 10 * Math.sin(i / 20);
      s.push({ tag: F, ts: T0 + i * 1000, value: flow, quality: 0 }, { tag: T, ts: T0 + i * 1000, value: 20 + 0.5 * flow + 0.01 * Math.sin(i * 1.3), quality: 0 });
    }
    await store.write(s);
  });

  it('trains a model from a stored range for twin.train, lists it with its metrics for twin.read', async () => {
    const body = { name: 'line2-temp', spec: { kind: 'regression', target: T, inputs: [F] }, from: T0, to: T0 + 600_000, stepMs: 1000 };
    expect((await call('OPERATOR', 'POST', '/twin/models', body)).status).toBe(403);
    const made = await call('ENGINEER', 'POST', '/twin/models', body);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'line2-temp', kind: 'regression', target: T, inputs: [F], window: { from: T0, rows: 600 } });
    expect(made.body.validation.r2).toBeGreaterThan(0.99);
    expect((await call('ENGINEER', 'POST', '/twin/models', body)).status).toBe(409);
    expect((await call('ENGINEER', 'POST', '/twin/models', { ...body, overwrite: true })).status).toBe(201);

    const list = await call('OPERATOR', 'GET', '/twin/models');
    expect(list.body.models).toEqual([expect.objectContaining({ name: 'line2-temp', kind: 'regression', validation: expect.objectContaining({ rows: 120 }) })]);
    const one = await call('AUDITOR', 'GET', '/twin/models/line2-temp');
    expect(one.body).toMatchObject({ format: 'historian.twin.model', kind: 'regression', target: T });
    expect((await call('AUDITOR', 'GET', '/twin/models/none')).status).toBe(404);
    expect((await call('SERVICE', 'GET', '/twin/models')).status).toBe(403);
  });

  it('trains a single tag on its own sampling interval when no step is given, and returns the training report', async () => {
    const made = await call('ENGINEER', 'POST', '/twin/models', { name: 'line2-temp-level', spec: { kind: 'holt', target: T }, from: T0, to: T0 + 600_000 });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ kind: 'holt', window: { from: T0, rows: 600 }, report: { rows: 600, rejectedRows: expect.any(Number), warnings: expect.any(Array) } });
    const list = await call('OPERATOR', 'GET', '/twin/models');
    expect(list.body.models.find((m: { name: string }) => m.name === 'line2-temp-level').report).toEqual(made.body.report);
  });

  it('refuses impossible training with the field named', async () => {
    const base = { name: 'x', from: T0, to: T0 + 600_000 };
    const kind = await call('ENGINEER', 'POST', '/twin/models', { ...base, spec: { kind: 'neural', target: T } });
    expect(kind.status).toBe(400);
    expect(kind.body.message).toMatch(/^body\.spec/);
    const empty = await call('ENGINEER', 'POST', '/twin/models', { ...base, from: 1000, to: 2000, spec: { kind: 'holt', target: T } });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ field: 'from' });
    const self = await call('ENGINEER', 'POST', '/twin/models', { ...base, spec: { kind: 'regression', target: T, inputs: [T] } });
    expect(self.body).toMatchObject({ field: 'inputs' });
    expect((await call('ENGINEER', 'POST', '/twin/models', { ...base, name: '../etc', spec: { kind: 'holt', target: T } })).body.message).toMatch(/^body\.name/);
  });
});
