// The distribution as the dashboard e2e test needs it: started as a child process with a
// flow of its own — a fast plant simulator written into the store, and ISA-18.2 alarms on
// pump 1 that are active from the start — plus helpers that read back through the API.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDistribution, ADMIN_PASSWORD, type Distribution } from '../../helpers/distribution';
import { makeTempDir } from '../../helpers/tmp';
import { createUser } from '../../helpers/signing';

export { ADMIN_PASSWORD };
export const PLANT_TAGS = ['flow', 'pressure', 'temperature'].map((p) => `acme.izmir.plant1.line1.cell1.pump1.${p}`);
export const LATCH_TAG = 'acme.izmir.plant1.line1.cell1.pump2.flow';
export const DASHBOARD_DIR = resolve(__dirname, '..', '..', '..', 'dist', 'dashboard');
const DAY = 86_400_000;

function testFlow(): object[] {
  return [
    { id: 't-tab', type: 'tab', label: 'Dashboard test plant' },
    // 360 samples/s over 36 tags: every tag at 10 Hz, so the chart gets many live points
    { id: 't-sim', type: 'plant-sim', z: 't-tab', seed: 3, prefix: 'acme.izmir.plant1', lines: 2, pumps: 3, rate: 360, mode: 'batch', faultRate: 0.001, autostart: true, wires: [['t-write', 't-alarms']] },
    { id: 't-write', type: 'historian-write', z: 't-tab', store: 't-store', logging: 'every', wires: [[]] },
    { id: 't-alarms', type: 'isa-alarm', z: 't-tab', name: 'pump 1', wires: [[]], alarms: [
      { id: 'pump1-flow-hi', type: 'HI', tag: PLANT_TAGS[0], priority: 'high', setpoint: 1, deadband: 0, message: 'Pump 1 flow high' },
      { id: 'pump1-temp-hihi', type: 'HIHI', tag: PLANT_TAGS[2], priority: 'urgent', setpoint: 1, deadband: 0, message: 'Pump 1 temperature very high' },
      { id: 'pump1-press-lo', type: 'LO', tag: PLANT_TAGS[1], priority: 'low', setpoint: 100, deadband: 0, message: 'Pump 1 pressure low' },
      // latching, its setpoint in the middle of the flow's range: it comes and goes, so a
      // latched alarm whose condition has cleared can be reset
      { id: 'pump2-flow-latch', type: 'HI', tag: LATCH_TAG, priority: 'medium', setpoint: 65, deadband: 0, latching: true,
        message: 'Pump 2 flow high (latched)', consequence: 'Cavitation wears the impeller', correctiveAction: 'Check the suction pressure, then reset' },
    ] },
    // a late-data window of 20 years lets the test load a decade of history
    { id: 't-store', type: 'historian-store', name: 'default', directory: 'tsdb/default', retentionDays: 0, blockHours: 2, fsync: 'interval', fsyncIntervalMs: 50, outOfOrderMinutes: 20 * 365 * 24 * 60 },
  ];
}

export interface DashboardServer {
  url: string;
  dist: Distribution;
  token: string;
  /** samples stored for `tag` in [from, to) */
  storedCount(tag: string, from: number, to: number): Promise<number>;
  lastExport(): Promise<{ username: string; target: string; newValue: { from: number; to: number; format: string; layout: string } }>;
  alarm(id: string): Promise<{ state: string; acknowledged: boolean; shelve?: { reason?: string } | null }>;
  /** Creates a user with an administrator-set (temporary) password. */
  createUser(username: string, name: string, role: string, password: string): Promise<void>;
  /** a JSON call to the API as admin */
  call(method: string, path: string, body?: unknown): Promise<any>;
  stop(): Promise<void>;
}

/**
 * `stoppedMs`: the store's record says it ran before and was stopped this long before this
 * start (runtime/tsdb/FORMAT-uptime.md), as after a restart; views then show that downtime.
 */
export async function startDashboardServer(opts: { stoppedMs?: number } = {}): Promise<DashboardServer> {
  const dir = await makeTempDir('dashboard-e2e-');
  const flowFile = join(dir, 'flow.json');
  writeFileSync(flowFile, JSON.stringify(testFlow()));
  if (opts.stoppedMs) {
    const storeDir = join(dir, 'data', 'tsdb', 'default');
    mkdirSync(storeDir, { recursive: true });
    const stop = Date.now() - opts.stoppedMs;
    writeFileSync(join(storeDir, 'uptime.json'), JSON.stringify({ version: 1, runs: [[stop - 3_600_000, stop]] }));
  }
  const dist = await startDistribution({ dataDir: join(dir, 'data'), env: { HISTORIAN_DEMO_FLOW: flowFile } });
  const token = await dist.login();
  const json = async (path: string, init: RequestInit = {}) => {
    const r = await dist.request(path, { ...init, token });
    const body = await r.text();
    if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${r.status} ${body}`);
    return body ? JSON.parse(body) : undefined;
  };
  // ten years of daily values for the 10 y view, through the ingest API
  const now = Date.now();
  const history = [];
  for (let d = 3650; d >= 1; d--) history.push({ tag: PLANT_TAGS[0], timestamp: now - d * DAY, value: 40 + (d % 365) / 36.5 });
  await json('/api/v1/metrics', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(history) });
  return {
    url: dist.url, dist, token,
    async storedCount(tag, from, to) {
      const q = new URLSearchParams({ kind: 'raw', tag, from: String(from), to: String(to) });
      return (await json(`/api/v1/query?${q}`)).samples.length;
    },
    async lastExport() {
      return (await json('/api/v1/audit?action=data.export&limit=1')).entries[0];
    },
    async alarm(id) {
      return (await json('/api/v1/alarms?all=true')).alarms.find((a: { id: string }) => a.id === id);
    },
    async createUser(username, name, role, password) {
      // as an administrator does it: signed, the password temporary (changed at first login)
      await createUser(dist, token, { username, name, role, password, temporary: true });
    },
    call: (method, path, body) => json(path, { method, ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }) }),
    stop: () => dist.stop(),
  };
}
