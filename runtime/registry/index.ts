// The one typed registry of the process: process-level services (live bus, metrics, the
// audit trail, the alarm service, system events, the disk watermark) and the flow-level
// components nodes register by name (stores, buffers, alarm groups, twins, tier movers,
// devices). The server fills it at start-up and hands it to its routes; nodes reach it
// through nodes/lib/services.ts. It is the only process-wide lookup: Node-RED loads our
// nodes with require() from the same dist/ tree as the server, so a module singleton would
// usually be enough, but it is kept on globalThis so that a second copy of this module
// (tests load TypeScript sources while a server may run from dist/) sees the same one.
import { Registry as MetricsRegistry } from 'prom-client';
import { LiveBus } from '../live';
import { ComponentRegistry } from './components';
import type { StoreHandle } from '../tsdb';
import type { DiskWatermark } from '../disk';
import type { AuditTrail } from '../audit';
import type { ProcessAlarmService } from '../alarm';
import type { AlarmGroupComponent } from '../alarm';
import type { BufferComponent } from '../buffer';
import type { DeviceComponent } from '../devices';
import type { TierMover } from '../tier';
import type { TwinComponent } from '../twin';
import type { RouteDef } from '../http';

export interface Components {
  stores: ComponentRegistry<StoreHandle>;
  /** store-forward nodes */
  buffers: ComponentRegistry<BufferComponent>;
  /** isa-alarm nodes, by node id */
  alarms: ComponentRegistry<AlarmGroupComponent>;
  /** twin-predict nodes, by node id */
  twins: ComponentRegistry<TwinComponent>;
  tiers: ComponentRegistry<TierMover>;
  /** device connections reporting DeviceHealth (runtime/devices/health.ts) */
  devices: ComponentRegistry<DeviceComponent>;
}

export interface Services {
  live: LiveBus;
  metrics: MetricsRegistry;
  components: Components;
  /** Data directory of the running distribution (set by the server; tests may set it). */
  dataDir: string | null;
  /** System events on NATS (sys.>) when NATS is configured; null otherwise. */
  events: { publish(subject: string, data: unknown): void } | null;
  /** Low-space watermark of the data disk (set by the server): stores refuse writes below it. */
  disk: DiskWatermark | null;
  /** The Part 11 audit trail (set by the server at start-up, null after shutdown). */
  auditTrail: AuditTrail | null;
  /** The process alarm service (runtime/alarm/process-service.ts), null until opened. */
  alarmService: ProcessAlarmService | null;
  /** Admin endpoints nodes declared under the editor root (nodes/lib/admin-route.ts), for the OpenAPI. */
  adminRoutes: RouteDef[];
}

/** The Node-RED setting under which the server hands this registry to our nodes. */
export const SERVICES_SETTING = 'historianServices';

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
    auditTrail: null,
    alarmService: null,
    adminRoutes: [],
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
