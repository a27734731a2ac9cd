// Process-level services shared by the server and the nodes. Node-RED loads our nodes
// with require() from the same dist/ tree as the server, so a module-level singleton
// would usually be enough; keeping it on globalThis also survives a second copy of the
// module (tests load TypeScript sources while a server may run from dist/).
import { Registry as MetricsRegistry } from 'prom-client';
import { LiveBus } from '../live';
import { ComponentRegistry } from './components';
import type { StoreHandle } from '../tsdb';
import type { DiskWatermark } from '../disk';

export interface Services {
  live: LiveBus;
  metrics: MetricsRegistry;
  components: {
    stores: ComponentRegistry<StoreHandle>;
    buffers: ComponentRegistry<unknown>;
    alarms: ComponentRegistry<unknown>;
    twins: ComponentRegistry<unknown>;
    tiers: ComponentRegistry<unknown>;
    /** device connections reporting DeviceHealth (runtime/devices/health.ts) */
    devices: ComponentRegistry<unknown>;
  };
  /** Data directory of the running distribution (set by the server; tests may set it). */
  dataDir: string | null;
  /** System events on NATS (sys.>) when NATS is configured; null otherwise. */
  events: { publish(subject: string, data: unknown): void } | null;
  /** Low-space watermark of the data disk (set by the server): stores refuse writes below it. */
  disk: DiskWatermark | null;
}

const KEY = Symbol.for('historian.services');

function create(): Services {
  return {
    live: new LiveBus(),
    metrics: new MetricsRegistry(),
    components: {
      stores: new ComponentRegistry('store'),
      buffers: new ComponentRegistry('buffer'),
      alarms: new ComponentRegistry('alarm group'),
      twins: new ComponentRegistry('twin'),
      tiers: new ComponentRegistry('tier mover'),
      devices: new ComponentRegistry('device connection'),
    },
    dataDir: null,
    events: null,
    disk: null,
  };
}

export function services(): Services {
  const g = globalThis as unknown as Record<symbol, Services | undefined>;
  let s = g[KEY];
  if (!s) {
    s = create();
    g[KEY] = s;
  }
  return s;
}

/** Replaces the services with fresh ones (tests). */
export function resetServices(): Services {
  (globalThis as unknown as Record<symbol, Services | undefined>)[KEY] = undefined;
  return services();
}

export { ComponentRegistry } from './components';
