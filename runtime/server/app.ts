// The composition root: one express app and one HTTP server holding the dashboard (/),
// the Node-RED editor and admin API (/editor), the HTTP API (/api/v1), the live
// WebSocket (/api/v1/live), health, readiness and metrics.
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { services, SERVICES_SETTING } from '../registry';
import { LiveSocket } from '../live';
import { installDemoFlow } from './demo-flow';
import { quietenBundledModules } from './quiet-modules';
import { installDemoLayout } from './demo-layout';
import { loadSettings, PACKAGE_ROOT, type LoadedSettings } from './load-settings';
import { setupMetrics } from './metrics';
import { authorize, mountRoutes, type Authenticate, type RouteDef, defineRoute, sendError, HttpError, toHttpError } from './api/route';
import { openApiDocument } from './api/openapi';
import type { Capabilities } from './api/contract';
import type { DeploySigningRouter } from './deploy-signing';
import { SecurityLayer } from './security';
import { ComplianceLayer } from './compliance';
import { tierRoutes } from './routes/tier-routes';
import { alarmRoutes } from './routes/alarm-routes';
import { calcRoutes } from './routes/calc-routes';
import { twinRoutes } from './routes/twin-routes';
import { TwinModelStore } from '../twin';
import { openAlarms } from './alarm-wiring';
import { SystemEvents } from './system-events';
import { bufferRoutes } from './routes/buffer-routes';
import { registerBufferMetrics } from '../buffer';
import { exportRoutes } from './routes/export-routes';
import { layoutRoutes } from './routes/layout-routes';
import { annotationRoutes } from './routes/annotation-routes';
import { LayoutStore } from '../layouts';
import { AnnotationStore } from '../annotations';
import type { ExportEvent } from '../export';
import { tsdbRoutes } from './routes/tsdb-routes';
import { dashboardStatic } from './dashboard-static';
import { ingestRoutes } from './routes/ingest-routes';
import { DedupeLog } from '../ingest';
import { RateLimiter } from '../ingest';
import { TokenTagBudget } from '../ingest';
import { TokenTagLedger } from '../ingest';
import { DiskWatermark } from '../disk';
import os from 'node:os';
import { backupRoutes, openStores } from './routes/backup-routes';
import { BackupRunner, BackupSchedule } from '../backup';
import { actorFields, CRITICAL } from '../audit';
import { applyTrustProxy } from './trust-proxy';
import { loadTls, type TlsMaterial } from './tls';
import { securityHeaders } from './security-headers';
import { startRedirectServer, type RedirectServer } from './https-redirect';
import { SystemHealth, DEFAULT_THRESHOLDS } from '../health';
import { SystemAlarmMonitor } from '../health';
import { HeapTrimmer, PidLockError, releasePidLock, takePidLock } from '../platform';
import { openFleet } from '../fleet';
import { fleetRoutes } from './routes/fleet-routes';
import { systemRoutes } from './routes/system-routes';
import { accountRoutes } from './routes/account-routes';
import { tagStatsRoutes } from './routes/tag-stats-routes';
import { flowRoutes, type FlowAccess } from './routes/flow-routes';
import { METRICS_PERMISSION } from './permission-checks';
import { FlowVersionStore } from '../flow-versions';
import { flowVersionRoutes } from './routes/flow-version-routes';
import { editorApiRouter, restoreAsDeploy } from './editor-api';
import { editorAuthenticate } from './editor-principal';
import { frameRoutes } from './routes/frame-routes';
import { frameStoreFor, closeFrameStore } from '../frames';

// Node-RED ships no types; it is a process-wide singleton initialised once here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RED = require('node-red');

export interface Historian {
  app: Express;
  server: Server;
  port: number;
  url: string;
  settings: LoadedSettings;
  /** the HTTPS certificate in use; null when serving plain HTTP */
  tls: TlsMaterial | null;
  /** the plain-HTTP port that redirects to HTTPS, when configured */
  redirectPort: number | null;
  stop(): Promise<void>;
}

export interface StartOptions {
  settingsFile?: string;
  log?: (line: string) => void;
}

const VERSION: string = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version;

export async function startHistorian(opts: StartOptions = {}): Promise<Historian> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const settings = loadSettings(opts.settingsFile);
  const { historian: cfg, red: redSettings } = settings;
  // one server per data directory: a second would append to the same audit chain and
  // SQLite files from its own state, and find every store taken
  const dirLock = join(cfg.dataDir, 'historian.pid');
  mkdirSync(cfg.dataDir, { recursive: true });
  try {
    takePidLock(dirLock, `data directory ${cfg.dataDir}`);
  } catch (e) {
    if (e instanceof PidLockError) throw new Error(`${e.message}, another Historian server: stop it first, or give this one a data directory of its own (HISTORIAN_DATA_DIR)`);
    throw e;
  }
  // before anything opens: a bad certificate setting stops start-up with its name
  const tls = await loadTls(cfg.tls, cfg.dataDir, log);
  const svc = services();
  svc.dataDir = cfg.dataDir;
  // below the watermark stores refuse writes (507) so the space left serves SQLite and reads
  const disk = new DiskWatermark({
    dir: cfg.dataDir, minFreePercent: cfg.disk.minFreePercent,
    minFreeBytes: cfg.disk.minFreeMb === undefined ? undefined : cfg.disk.minFreeMb * 1_048_576,
  });
  svc.disk = disk;
  const install = installDemoFlow(cfg.dataDir, redSettings.flowFile ?? 'flows.json', cfg.demoFlow, redSettings.credentialSecret);
  if (install === 'installed') log(`[historian] first start: installed the demo plant flows (Plant, Uplink, Archive, Audit) into ${cfg.dataDir}`);
  else if (install === 'empty') log(`[historian] first start: empty workspace in ${cfg.dataDir} (HISTORIAN_DEMO_FLOW=${cfg.demoFlow})`);

  const events = SystemEvents.open(cfg.nats, svc.metrics, log);
  svc.events = events;
  const compliance = ComplianceLayer.open(cfg.dataDir, svc.metrics, log);
  const offAuditEvents = compliance.trail.onAppend((entry) => events?.publish('sys.audit', entry));
  const security = await SecurityLayer.open(cfg, log, (e) => {
    compliance.recordAuthEvent(e);
    events?.publish(`sys.auth.${e.type}`, { ...e, at: new Date(e.at).toISOString() });
  });
  const signedDeploys = cfg.security.requireSignedDeploys ?? false;
  compliance.attach(security.auth, signedDeploys);
  await compliance.startVerification();
  const dedupe = new DedupeLog(join(cfg.dataDir, 'ingest-dedupe.db'));
  redSettings.adminAuth = security.adminAuth();
  // the process registry, handed to our nodes (nodes/lib/services.ts)
  redSettings[SERVICES_SETTING] = svc;
  const authenticate: Authenticate = (req) => security.authenticate(req);

  const app = express();
  applyTrustProxy(app, cfg.security.trustProxy);
  app.disable('x-powered-by');
  const headers = securityHeaders({ tls: !!tls, hstsMaxAge: cfg.tls.hstsMaxAge ?? 15_552_000, editorRoot: redSettings.httpAdminRoot ?? '/editor' });
  app.use(headers);
  const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, app) : createServer(app);
  const live = new LiveSocket(svc.live, {
    authorize: (req) => security.authorizeUpgrade(req),
    mayPattern: (req, pattern) => security.mayPattern(req, pattern),
  });
  // a session that ends (logout, disable, role change, revoked token) takes its live connections with it
  const offSessionChange = security.onSessionChange(() => {
    live.recheck().catch((e: Error) => log(`[historian] live: could not check connections: ${e.message}`));
  });
  const metrics = setupMetrics(svc.metrics, svc.live, () => live.clientCount);
  registerBufferMetrics(svc.metrics, () => svc.components.buffers.entries());
  // Process-level alarm state exists before flows start: isa-alarm nodes configure their
  // groups in it, operators command it through the API.
  const alarms = openAlarms(cfg.dataDir, compliance, live, events);
  // System health (stores, buffers, movers, devices, audit chain, links, disk, process) and
  // the built-in system alarms raised from it through the same alarm service.
  const sa = cfg.systemAlarms;
  // Backups, asked for on the Health page or the API, and scheduled when HISTORIAN_BACKUP_DIR is set: one at a time
  const hostName = os.hostname();
  const backups = new BackupRunner({ dataDir: cfg.dataDir, version: VERSION, host: hostName, stores: () => openStores(svc.components.stores), disk });
  const backupSchedule = cfg.backup.dir ? new BackupSchedule({
    runner: backups, dataDir: cfg.dataDir, dir: cfg.backup.dir, everyMs: (cfg.backup.everyHours ?? 24) * 3_600_000, keep: cfg.backup.keep ?? 7, host: hostName, log,
    record: (run) => compliance.trail.append({ action: CRITICAL.systemBackup, target: 'system', ...actorFields(null), newValue: { scheduled: true, file: run.file, ...BackupRunner.facts(run) } }),
  }) : null;
  const health = new SystemHealth({
    stores: () => svc.components.stores.entries(), buffers: () => svc.components.buffers.entries(),
    tiers: () => svc.components.tiers.entries(), devices: () => svc.components.devices.entries(),
    audit: () => compliance.lastVerify,
    links: () => (events ? [{ name: 'system-events', kind: 'NATS', connected: events.connected, detail: cfg.nats.url ?? null }] : []),
    dataDir: cfg.dataDir, version: VERSION, disk, backup: () => backupSchedule?.status() ?? null,
  }, {
    bufferPending: sa.bufferPending ?? DEFAULT_THRESHOLDS.bufferPending, bufferFailed: sa.bufferFailed ?? DEFAULT_THRESHOLDS.bufferFailed,
    diskFreePercent: sa.diskFreePercent ?? DEFAULT_THRESHOLDS.diskFreePercent,
    deviceDownMs: sa.deviceDownSeconds !== undefined ? sa.deviceDownSeconds * 1000 : DEFAULT_THRESHOLDS.deviceDownMs,
  });
  const systemAlarms = new SystemAlarmMonitor(health, alarms.service, {
    intervalMs: sa.intervalMs ?? 5000, onError: (e) => log(`[historian] system alarms: ${(e as Error).message}`),
  }).start();
  // heap pages V8 keeps after a burst (first start's demo history, a bulk import) go back to the system
  const heapTrim = new HeapTrimmer({ thresholdBytes: (cfg.process.heapTrimMb ?? 64) * 1048576, log }).start();
  const fleet = openFleet(cfg, alarms.service, log);
  const twinModels = TwinModelStore.forDataDir(cfg.dataDir);
  const layouts = LayoutStore.openIn(cfg.dataDir);
  if (install === 'installed') {
    // a demo flow may ship its home layout next to it: flows/demo-plant.json → flows/demo-plant.layout.json
    const overview = cfg.demoFlow.replace(/\.json$/i, '') + '.layout.json';
    if (existsSync(overview)) log(`[historian] first start: shared layout "${installDemoLayout(layouts, overview).name}" is the dashboard's home page`);
  }
  const annotations = AnnotationStore.openIn(cfg.dataDir);
  // every deploy's flows, for the editor's versions tab (diff, export, restore)
  const flowVersions = FlowVersionStore.forDataDir(cfg.dataDir, cfg.flowVersions.keep);
  let restoreDeploy: ReturnType<typeof restoreAsDeploy> | null = null;
  // event frames: one store per data directory, shared with the event-frame nodes
  const frames = frameStoreFor(cfg.dataDir);
  // Frames opening, closing or changing reach dashboards on the live socket as bare ids:
  // a page reads the frame through the API, which checks frames.read (PROTOCOL.md).
  const offFrameChanges = frames.onChange((f, change) => live.broadcast({ type: 'frame', change, id: f.id }));
  // Every export is an audit event, written before the first byte leaves.
  const recordExport = async (e: ExportEvent) => {
    const user = e.user ? security.auth.getUser(e.user) : null;
    await compliance.trail.appendAsync({
      action: 'data.export', target: e.tags.join(','), username: e.user, userId: user?.id ?? null, userName: user?.name ?? null, role: user?.role ?? null,
      newValue: { from: e.from, to: e.to, format: e.format, layout: e.layout, points: e.points },
    });
  };
  let ready = false;
  let stopping = false;

  app.get('/health', (_req, res) => { res.json({ status: 'ok', version: VERSION }); });
  // Not ready while the disk is below the watermark: writes are refused (reads still work),
  // and the body says so, so an orchestrator or operator sees why (README "Disk pressure").
  app.get('/ready', (_req, res) => {
    const d = disk.state();
    const body = { ready: ready && !d.low, stopping, writable: !d.low, disk: { freeBytes: d.freeBytes, totalBytes: d.totalBytes, watermarkBytes: d.watermarkBytes, low: d.low } };
    res.status(body.ready ? 200 : 503).json(d.low ? { ...body, reason: 'disk_low: new writes are refused (507) until space is freed; reads and logins work' } : body);
  });
  // Prometheus scrapes with a bearer token (an API token of a SERVICE account with
  // `metrics.read`); only /health and /ready answer without one.
  app.get('/metrics', async (req, res) => {
    try {
      await authorize(METRICS_PERMISSION, req, authenticate);
      res.setHeader('Content-Type', svc.metrics.contentType);
      res.end(await svc.metrics.metrics());
    } catch (e) {
      sendError(res, e);
    }
  });

  let flowAccess: FlowAccess | null = null;
  let deployGuard: DeploySigningRouter | null = null;
  const stores = svc.components.stores;
  const recordVersion = (flows: unknown, username: string, deploymentType: string) => {
    try {
      const u = security.auth.getUser(username);
      flowVersions.record({ flows, user: { username: u.username, name: u.name, role: u.role }, deploymentType });
    } catch (e) {
      log(`[historian] flow versions: could not store the deployed flows: ${(e as Error).message}`);
    }
  };
  const routes: RouteDef[] = [
    defineRoute({
      method: 'get', path: '/openapi.json', group: 'system', permission: 'authenticated',
      summary: 'This API description (OpenAPI 3.1)',
      handler: () => openApiDocument(routes, { title: 'Historian API', version: VERSION }, {
        root: redSettings.httpAdminRoot ?? '/editor', routes: [...(deployGuard?.routes ?? []), ...svc.adminRoutes],
      }),
    }),
    defineRoute({
      method: 'get', path: '/capabilities', group: 'system', permission: 'authenticated',
      summary: 'What this server offers (route groups), for clients to detect features without probing routes',
      response: { description: '{ version, features: [group] }' },
      handler: () => ({ version: VERSION, features: [...new Set(routes.map((r) => r.group))].sort() }) satisfies Capabilities,
    }),
    ...security.routes(compliance.signatures!),
    ...tsdbRoutes({ trail: compliance.trail, signatures: compliance.signatures!, stores }),
    ...compliance.routes(security.auth),
    ...tierRoutes({ tiers: svc.components.tiers }),
    ...alarmRoutes({ service: () => alarms.service, ...alarms.routeDeps }),
    ...calcRoutes({ stores }),
    ...bufferRoutes({ buffers: () => svc.components.buffers.entries(), trail: compliance.trail, signatures: compliance.signatures! }),
    ...exportRoutes({ onExport: recordExport, stores }),
    ...layoutRoutes({ store: layouts }),
    ...annotationRoutes({ store: annotations, trail: compliance.trail }),
    ...frameRoutes({ frames, trail: compliance.trail, signatures: compliance.signatures!, onExport: recordExport, stores }),
    ...twinRoutes({ models: () => twinModels, stores }),
    ...systemRoutes({ health: () => health.collect() }),
    ...backupRoutes({ dataDir: cfg.dataDir, host: hostName, runner: backups, trail: compliance.trail, signatures: compliance.signatures! }),
    ...fleetRoutes({ registry: () => fleet?.registry ?? null, connected: () => fleet?.monitor.connected ?? false }),
    ...accountRoutes(security.auth),
    ...tagStatsRoutes(Date.now, stores),
    ...flowRoutes({ flows: () => flowAccess, trail: compliance.trail, signatures: compliance.signatures! }),
    ...flowVersionRoutes({
      versions: () => flowVersions,
      isInstalled: (type) => !!RED.nodes.getType(type),
      deploy: (req, res, flows, version) => {
        if (!restoreDeploy) throw new HttpError(503, 'unavailable', 'the flow runtime is not running');
        restoreDeploy(req, res, flows, version);
      },
    }),
    ...ingestRoutes({
      stores, dedupe, limiter: new RateLimiter(cfg.ingest.samplesPerSecond, cfg.ingest.samplesPerSecond * 2),
      newTags: new TokenTagBudget(cfg.ingest.maxNewTagsPerTokenPerMinute || null), disk,
      tagLedger: new TokenTagLedger(join(cfg.dataDir, 'ingest-token-tags.db'), cfg.ingest.maxTagsPerToken || null),
    }),
  ];
  const api = express.Router();
  // ingest reads its (up to 8 MB) body itself, after authentication; every other route gets JSON here
  mountRoutes(api, routes, authenticate);
  api.use((_req, res) => { res.status(404).json({ error: 'not_found', message: 'no such API route' }); });
  app.use('/api/v1', api);

  quietenBundledModules();
  RED.init(server, redSettings);
  // the API's view of the deployed flows (GET /flows, alarm limit changes)
  flowAccess = {
    get: () => RED.runtime.flows.getFlows({}),
    set: async (flows, rev, username) => {
      await RED.runtime.flows.setFlows({ flows: { flows, rev }, deploymentType: 'nodes', user: { username } });
      recordVersion(flows, username, 'api');
    },
  };
  metrics.hookNodeRed(RED.hooks);
  // Deploys pass the signature guard (428 without a signing token when signed deploys are
  // on) and are recorded in the audit trail either way.
  deployGuard = compliance.deployGuard(security.auth, signedDeploys,
    () => RED.runtime.flows.getFlows({}).then((r: { flows: unknown }) => r.flows),
    (d) => { flowVersions.record({ flows: d.flows, user: d.signer ? { username: d.signer.username, name: d.signer.name ?? null, role: d.signer.role ?? null } : null, deploymentType: d.deploymentType, signature: d.signature, restoredFrom: d.restoredFrom }); });
  restoreDeploy = restoreAsDeploy(deployGuard, RED.httpAdmin);
  app.use(`${redSettings.httpAdminRoot.replace(/\/$/, '')}/historian`, editorApiRouter(routes, editorAuthenticate(security.auth, authenticate)));
  app.use(redSettings.httpAdminRoot, deployGuard);
  app.use(redSettings.httpAdminRoot, RED.httpAdmin);
  app.use(redSettings.httpNodeRoot, RED.httpNode);

  const dashboardDir = join(PACKAGE_ROOT, 'dist', 'dashboard');
  if (existsSync(join(dashboardDir, 'index.html'))) {
    // compressed, hashed assets cached immutable; client-side routes fall back to index.html
    const clientRoute = /^\/(?!api\/|editor|http\/|health|ready|metrics).*/;
    app.use('/', dashboardStatic(dashboardDir, (p) => clientRoute.test(p)).handler);
  } else {
    log('[historian] warning: dashboard not built (dist/dashboard missing); run `npm run build`');
  }
  // JSON errors for anything the routes above did not answer.
  app.use((err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if ((err as { type?: string }).type === 'entity.too.large') return void res.status(413).json({ error: 'payload_too_large', message: 'request body is too large' });
    if ((err as { type?: string }).type === 'entity.parse.failed') return void res.status(400).json({ error: 'bad_request', message: 'body: invalid JSON' });
    if (!toHttpError(err)) log(`[historian] error answering ${req.method} ${req.path}: ${err instanceof Error ? err.stack : String(err)}`);
    sendError(res, err);
  });

  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/api/v1/live') void live.handleUpgrade(req, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new Error(`HISTORIAN_PORT: port ${cfg.port} on ${cfg.host} is in use by another program; stop it or choose another port`));
      else if (e.code === 'EACCES') reject(new Error(`HISTORIAN_PORT: port ${cfg.port} needs privileges this process does not have; choose a port above 1023`));
      else reject(e);
    };
    server.once('error', failed);
    server.listen(cfg.port, cfg.host, () => { server.off('error', failed); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  const host = cfg.host === '0.0.0.0' || cfg.host === '::' ? 'localhost' : cfg.host;
  const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
  let redirect: RedirectServer | null = null;
  if (tls) {
    log(`[historian] HTTPS: ${tls.generated ? 'self-signed ' : ''}certificate ${tls.certFile} for ${tls.names}, valid until ${tls.validTo.toISOString()}`);
    log(`[historian] HTTPS: certificate SHA-256 fingerprint ${tls.fingerprint256}`);
    if (cfg.tls.redirectPort) {
      redirect = await startRedirectServer({ port: cfg.tls.redirectPort, host: cfg.host, httpsPort: port, headers, fallbackHost: host }).catch((e: Error) => {
        server.close();
        throw new Error(`tls.redirectPort: cannot listen on ${cfg.tls.redirectPort} (${e.message})`);
      });
      log(`[historian] HTTPS: plain HTTP on port ${redirect.port} redirects to ${url}`);
    }
  } else if (cfg.tls.redirectPort) {
    log('[historian] warning: HISTORIAN_HTTP_REDIRECT_PORT is set but HTTPS is off; no redirect server started');
  }
  // Ready means flows are running, not only that the runtime started.
  const flowsStarted = new Promise<void>((resolve) => RED.events.once('flows:started', () => resolve()));
  await RED.start();
  await flowsStarted;
  ready = true;
  log(`[historian] ready: dashboard ${url}/  editor ${url}/editor  API ${url}/api/v1  (data ${cfg.dataDir})`);
  if (backupSchedule) {
    const st = backupSchedule.start().status();
    log(`[historian] backups: every ${st.everyHours} h into ${st.dir}, the newest ${st.keep} kept; next at ${new Date(st.nextAt!).toISOString()}`);
  } else {
    log('[historian] backups: none scheduled (set HISTORIAN_BACKUP_DIR to a directory outside the data directory; README "Backup and restore")');
  }

  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      ready = false;
      offSessionChange();
      live.close();
      backupSchedule?.stop();
      // Stopping Node-RED closes every node: stores flush, buffers persist, timers stop.
      await RED.stop();
      systemAlarms.stop();
      heapTrim.stop();
      await fleet?.close();
      alarms.close();
      layouts.close();
      annotations.close();
      offFrameChanges();
      closeFrameStore(cfg.dataDir);
      offAuditEvents();
      compliance.close();
      security.close();
      await events?.close();
      svc.events = null;
      dedupe.close();
      await redirect?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      releasePidLock(dirLock);
      log('[historian] stopped');
    })();
    return stopped;
  };

  return { app, server, port, url, settings, tls, redirectPort: redirect?.port ?? null, stop };
}
