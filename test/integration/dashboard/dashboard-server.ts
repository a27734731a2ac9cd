// The server side of the dashboard in one process, composed like runtime/server/app.ts
// minus Node-RED: the real identity layer, a real store that publishes durable samples on
// the live bus, the live WebSocket, the query, export, layout and annotation routes, and
// the built dashboard. A plant writer puts a sample per tag every 100 ms. Alarm routes are
// a small stand-in with the alarm API's shapes (GET /alarms, ack, bulk ack, shelve that
// answers 428 without a signing token, POST /re-auth) until the alarm API is mounted.
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { resetServices, services } from '../../../runtime/registry';
import { StoreHandle } from '../../../runtime/tsdb/store-handle';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { LiveSocket } from '../../../runtime/live/live-socket';
import { SecurityLayer } from '../../../runtime/server/security';
import { mountRoutes, defineRoute, HttpError, type RouteDef } from '../../../runtime/server/api/route';
import { tsdbRoutes, type TsdbRouteDeps } from '../../../runtime/server/routes/tsdb-routes';
import { exportRoutes } from '../../../runtime/server/routes/export-routes';
import { layoutRoutes } from '../../../runtime/server/routes/layout-routes';
import { annotationRoutes } from '../../../runtime/server/routes/annotation-routes';
import { LayoutStore } from '../../../runtime/layouts/layout-store';
import { AnnotationStore } from '../../../runtime/annotations/annotation-store';
import type { ExportEvent } from '../../../runtime/export/export-service';
import type { HistorianConfig } from '../../../runtime/server/load-settings';
import { makeTempDir } from '../../helpers/tmp';
import { z } from 'zod';

export const ADMIN_PASSWORD = 'Plant-Operator-2026!';
export const PLANT_TAGS = ['flow', 'pressure', 'temperature'].map((p) => `acme.izmir.plant1.line1.cell1.pump1.${p}`);
export const DASHBOARD_DIR = resolve(__dirname, '..', '..', '..', 'dist', 'dashboard');

export interface DashboardServer {
  url: string;
  store: TsdbStore;
  security: SecurityLayer;
  exports: ExportEvent[];
  alarms: Array<Record<string, any>>;
  stop(): Promise<void>;
}

function stubAlarmRoutes(alarms: Array<Record<string, any>>): RouteDef[] {
  const find = (id: string) => { const a = alarms.find((x) => x.id === id); if (!a) throw new HttpError(404, 'not_found', `id: no alarm "${id}"`); return a; };
  const ack = (a: Record<string, any>) => { a.acknowledged = true; a.state = 'C'; a.stateName = 'Acknowledged'; };
  return [
    defineRoute({ method: 'get', path: '/alarms', group: 'alarms', permission: 'alarms.read', summary: 'stand-in', handler: () => ({ alarms }) }),
    defineRoute({ method: 'post', path: '/alarms/ack', group: 'alarms', permission: 'alarms.ack', summary: 'stand-in', body: z.object({ ids: z.array(z.string()) }),
      handler: ({ body }) => { body.ids.forEach((id) => ack(find(id))); return { ok: true }; } }),
    defineRoute({ method: 'post', path: '/alarms/:id/ack', group: 'alarms', permission: 'alarms.ack', summary: 'stand-in',
      handler: ({ req }) => { ack(find(String(req.params.id))); return { ok: true }; } }),
    defineRoute({ method: 'post', path: '/alarms/:id/shelve', group: 'alarms', permission: 'alarms.shelve', summary: 'stand-in',
      body: z.object({ durationMs: z.number().optional(), oneShot: z.boolean().optional(), reason: z.string().min(1) }),
      handler: ({ req, body, principal }) => {
        if (req.headers['x-historian-signature'] !== 'signed-alarms.shelve') throw new HttpError(428, 'signature_required', 'signature required');
        const a = find(String(req.params.id));
        a.state = 'E'; a.stateName = 'Shelved';
        a.shelve = { user: principal!.username, reason: body.reason, until: body.durationMs ? Date.now() + body.durationMs : null, oneShot: !!body.oneShot };
        return { ok: true };
      } }),
    defineRoute({ method: 'post', path: '/re-auth', group: 'audit', permission: 'authenticated', summary: 'stand-in',
      body: z.object({ username: z.string(), password: z.string(), meaning: z.string(), action: z.string(), target: z.string() }),
      handler: ({ body }) => {
        if (body.password !== ADMIN_PASSWORD) throw new HttpError(401, 'unauthorized', 'password: wrong');
        return { token: `signed-${body.action}`, expiresAt: Date.now() + 60_000 };
      } }),
  ];
}

export async function startDashboardServer(opts: { history?: (store: TsdbStore) => Promise<void> } = {}): Promise<DashboardServer> {
  const svc = resetServices();
  const dataDir = await makeTempDir('dashboard-e2e-');
  svc.dataDir = dataDir;
  const security = await SecurityLayer.open({ dataDir, security: { adminPassword: ADMIN_PASSWORD } } as unknown as HistorianConfig, () => undefined);
  const store = await TsdbStore.open({ dir: join(dataDir, 'store'), fsync: 'never', maintenanceIntervalMs: 0, outOfOrderWindowMs: 20 * 365 * 86_400_000 });
  svc.components.stores.register('default', new StoreHandle('default', Promise.resolve(store)));
  const unpublish = store.onDurable((s) => svc.live.publish(s));
  if (opts.history) await opts.history(store);

  const layouts = LayoutStore.openIn(dataDir);
  const annotations = AnnotationStore.openIn(dataDir);
  const exports: ExportEvent[] = [];
  const alarms: Array<Record<string, any>> = [
    { id: 'pump1-flow-hi', tag: PLANT_TAGS[0], type: 'HI', priority: 'high', state: 'B', stateName: 'Unacknowledged', since: Date.now() - 60_000, acknowledged: false, value: 62.5, limit: 60, message: 'Pump 1 flow high' },
    { id: 'pump1-temp-hihi', tag: PLANT_TAGS[2], type: 'HIHI', priority: 'urgent', state: 'B', stateName: 'Unacknowledged', since: Date.now() - 30_000, acknowledged: false, value: 91, limit: 90, message: 'Pump 1 temperature very high' },
    { id: 'pump1-press-lo', tag: PLANT_TAGS[1], type: 'LO', priority: 'low', state: 'C', stateName: 'Acknowledged', since: Date.now() - 600_000, acknowledged: true, value: 1.1, limit: 1.2, message: 'Pump 1 pressure low' },
  ];
  const routes: RouteDef[] = [
    // the audit trail and signatures serve only tag-metadata changes, which the dashboard does not make
    ...tsdbRoutes(new Proxy({}, { get: (_t, k) => { throw new Error(`dashboard test server: ${String(k)} is not wired`); } }) as TsdbRouteDeps),
    ...exportRoutes({ onExport: (e) => { exports.push(e); } }),
    ...layoutRoutes({ store: layouts }),
    ...annotationRoutes({ store: annotations }),
    ...stubAlarmRoutes(alarms),
  ];
  const app = express();
  const api = express.Router();
  api.use(express.json());
  security.mountRoutes(api);
  mountRoutes(api, routes, (req) => security.authenticate(req));
  api.use((_req, res) => { res.status(404).json({ error: 'not_found', message: 'no such API route' }); });
  app.use('/api/v1', api);
  app.use('/', express.static(DASHBOARD_DIR));
  const server: Server = createServer(app);
  const live = new LiveSocket(svc.live, { authorize: (req) => security.authorizeUpgrade(req), mayPattern: (req, p) => security.mayPattern(req, p) });
  server.on('upgrade', (req, socket, head) => { if ((req.url ?? '').split('?')[0] === '/api/v1/live') void live.handleUpgrade(req, socket, head); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));

  let i = 0;
  const plant = setInterval(() => {
    const ts = Date.now();
    i++;
    void store.write([
      { tag: PLANT_TAGS[0], ts, value: Math.round((50 + 10 * Math.sin(i / 20)) * 100) / 100, quality: i % 50 === 0 ? 0x8003 : 0 },
      { tag: PLANT_TAGS[1], ts, value: Math.round((3 + Math.cos(i / 30)) * 100) / 100, quality: 0 },
      { tag: PLANT_TAGS[2], ts, value: Math.round((70 + 5 * Math.sin(i / 50)) * 100) / 100, quality: 0 },
    ]).catch(() => undefined);
  }, 100);

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    store, security, exports, alarms,
    async stop() {
      clearInterval(plant);
      live.close();
      unpublish();
      await new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
      await store.close();
      layouts.close();
      annotations.close();
      security.close();
    },
  };
}
