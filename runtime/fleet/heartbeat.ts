// Gateway health heartbeat (FORMAT-heartbeat.md): what a gateway says about itself every
// few seconds on `sys.gateway.<id>.health`, and the collector that measures it on the
// gateway. Heartbeats are plain NATS messages (not JetStream): a missed one is the signal.
import fs from 'node:fs';
import os from 'node:os';

export const HEARTBEAT_VERSION = 1;

export interface DeviceState { name: string; connected: boolean; detail?: string | null }

export interface Heartbeat {
  v: number;
  id: string;
  site: string;
  version: string;
  /** when the gateway sent it (epoch ms, its clock) */
  at: number;
  uptimeS: number;
  /** process CPU use since the last heartbeat, percent of one core */
  cpuPercent: number;
  /** host load average (1 min) divided by the core count */
  load: number;
  memory: { rssBytes: number; hostFreeBytes: number; hostTotalBytes: number };
  disk: { freeBytes: number; totalBytes: number } | null;
  backlog: { samples: number; entries: number; oldestAgeMs: number; quarantined: number };
  devices: DeviceState[];
}

export const healthSubject = (id: string): string => `sys.gateway.${id}.health`;
export const HEALTH_WILDCARD = 'sys.gateway.*.health';

const ID = /^[A-Za-z0-9_-]+$/;
const finite = (v: unknown, field: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`heartbeat.${field}: must be a finite number`);
  return v;
};

/** Parses a heartbeat; throws naming the first bad field. */
export function decodeHeartbeat(data: Uint8Array | string): Heartbeat {
  let o: Record<string, any>;
  try { o = JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8')); } catch { throw new Error('heartbeat: not JSON'); }
  if (!o || typeof o !== 'object') throw new Error('heartbeat: must be an object');
  if (o.v !== HEARTBEAT_VERSION) throw new Error(`heartbeat.v: unsupported version ${JSON.stringify(o.v)}`);
  if (typeof o.id !== 'string' || !ID.test(o.id)) throw new Error('heartbeat.id: must match [A-Za-z0-9_-]+');
  if (typeof o.site !== 'string' || !o.site) throw new Error('heartbeat.site: must be a non-empty string');
  const b = o.backlog ?? {};
  const m = o.memory ?? {};
  return {
    v: o.v, id: o.id, site: o.site, version: String(o.version ?? ''), at: finite(o.at, 'at'), uptimeS: finite(o.uptimeS, 'uptimeS'),
    cpuPercent: finite(o.cpuPercent, 'cpuPercent'), load: finite(o.load, 'load'),
    memory: { rssBytes: finite(m.rssBytes, 'memory.rssBytes'), hostFreeBytes: finite(m.hostFreeBytes, 'memory.hostFreeBytes'), hostTotalBytes: finite(m.hostTotalBytes, 'memory.hostTotalBytes') },
    disk: o.disk ? { freeBytes: finite(o.disk.freeBytes, 'disk.freeBytes'), totalBytes: finite(o.disk.totalBytes, 'disk.totalBytes') } : null,
    backlog: { samples: finite(b.samples, 'backlog.samples'), entries: finite(b.entries, 'backlog.entries'), oldestAgeMs: finite(b.oldestAgeMs, 'backlog.oldestAgeMs'), quarantined: finite(b.quarantined ?? 0, 'backlog.quarantined') },
    devices: Array.isArray(o.devices) ? o.devices.filter((d: any) => d && typeof d.name === 'string').map((d: any) => ({ name: d.name, connected: d.connected === true, detail: typeof d.detail === 'string' ? d.detail : null })) : [],
  };
}

export function encodeHeartbeat(h: Heartbeat): Uint8Array {
  return Buffer.from(JSON.stringify(h));
}

export interface HeartbeatSource {
  id: string;
  site: string;
  version: string;
  /** directory whose file system is reported (the data directory) */
  dataDir?: string;
  backlog: () => Heartbeat['backlog'];
  devices?: () => DeviceState[];
  clock?: () => number;
}

/** Measures the gateway now; CPU is the process's share since the previous call. */
export class HeartbeatCollector {
  private lastCpu = process.cpuUsage();
  private lastAt = process.hrtime.bigint();
  constructor(private readonly s: HeartbeatSource) {
    if (!ID.test(s.id)) throw new Error('id: gateway id must match [A-Za-z0-9_-]+');
    if (!s.site) throw new Error('site: give the site the gateway belongs to (e.g. acme.izmir)');
  }

  collect(): Heartbeat {
    const cpu = process.cpuUsage(this.lastCpu);
    const now = process.hrtime.bigint();
    const wallUs = Number(now - this.lastAt) / 1000;
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    let disk: Heartbeat['disk'] = null;
    if (this.s.dataDir) {
      try {
        const st = fs.statfsSync(this.s.dataDir);
        disk = { freeBytes: st.bavail * st.bsize, totalBytes: st.blocks * st.bsize };
      } catch { /* not there yet: reported as unknown */ }
    }
    return {
      v: HEARTBEAT_VERSION, id: this.s.id, site: this.s.site, version: this.s.version, at: (this.s.clock ?? Date.now)(),
      uptimeS: Math.round(process.uptime()), cpuPercent: wallUs > 0 ? Math.round(((cpu.user + cpu.system) / wallUs) * 1000) / 10 : 0,
      load: Math.round((os.loadavg()[0] / Math.max(1, os.cpus().length)) * 100) / 100,
      memory: { rssBytes: process.memoryUsage.rss(), hostFreeBytes: os.freemem(), hostTotalBytes: os.totalmem() },
      disk, backlog: this.s.backlog(), devices: this.s.devices?.() ?? [],
    };
  }
}

/** Publishes a heartbeat every `intervalMs` (and once at start) through `publish`. */
export class HeartbeatPublisher {
  private timer: NodeJS.Timeout | null = null;
  readonly collector: HeartbeatCollector;
  sent = 0;
  lastError: string | null = null;

  constructor(source: HeartbeatSource, private readonly publish: (subject: string, data: Uint8Array) => void, private readonly intervalMs = 10_000) {
    if (!(intervalMs >= 100)) throw new Error('heartbeat interval: must be at least 100 ms');
    this.collector = new HeartbeatCollector(source);
  }

  start(): this {
    this.beat();
    this.timer = setInterval(() => this.beat(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  beat(): void {
    try {
      const h = this.collector.collect();
      this.publish(healthSubject(h.id), encodeHeartbeat(h));
      this.sent++;
      this.lastError = null;
    } catch (e) {
      // not connected right now: the next beat tries again; missing beats are the signal
      this.lastError = (e as Error).message;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
