// System alarms of the fleet, raised through the process alarm service like the health
// alarms (runtime/health/system-alarms.ts): per gateway, "offline" (no heartbeat for the
// registry's offlineAfterMs) and "backlog growing" (its store-forward backlog only grew for
// backlogGrowthMs). Each watches a discrete system tag sys.fleet.<id>.<kind> fed 1/0.
import type { Sample } from '../model';
import type { AlarmSink } from '../health';
import type { FleetRegistry } from './fleet-registry';

export const FLEET_ALARM_GROUP = 'fleet';

export const fleetAlarmId = (gateway: string, kind: 'offline' | 'backlog_growing'): string => `sys.fleet.${gateway}.${kind}:DISCRETE`;

export class FleetAlarmMonitor {
  private timer: NodeJS.Timeout | null = null;
  private known = '';

  constructor(private readonly registry: FleetRegistry, private readonly alarms: AlarmSink, private readonly o: { intervalMs?: number; onError?: (e: unknown) => void } = {}) {}

  start(): this {
    this.check();
    const every = this.o.intervalMs ?? 1000;
    if (every > 0) { this.timer = setInterval(() => this.check(), every); this.timer.unref(); }
    return this;
  }

  check(): void {
    try {
      const list = this.registry.list();
      const ids = list.map((g) => g.id).join(',');
      if (ids !== this.known) {
        // a new gateway gets its alarms on its first heartbeat
        this.alarms.configure(FLEET_ALARM_GROUP, list.flatMap((g) => [
          {
            id: fleetAlarmId(g.id, 'offline'), tag: `sys.fleet.${g.id}.offline`, type: 'DISCRETE', equals: 1, priority: 'high',
            message: `Gateway ${g.id} (${g.site}) offline: no heartbeat for ${Math.round(this.registry.offlineAfterMs / 1000)} s`,
            consequence: 'Data of this gateway is not arriving; its buffer holds it until the link is back (up to its disk limit)',
            correctiveAction: 'Open Fleet; check the gateway\'s power, network and leaf node link; its buffer drains by itself once it reconnects',
          },
          {
            id: fleetAlarmId(g.id, 'backlog_growing'), tag: `sys.fleet.${g.id}.backlog_growing`, type: 'DISCRETE', equals: 1, priority: 'medium',
            message: `Gateway ${g.id} (${g.site}) backlog growing for ${Math.round(this.registry.backlogGrowthMs / 60_000)} min`,
            consequence: 'The gateway produces faster than it forwards; its buffer will reach its disk limit',
            correctiveAction: 'Open Fleet; check the gateway\'s uplink (refusals, quarantine, bandwidth) and the central ingest',
          },
        ]));
        this.known = ids;
      }
      const now = Date.now();
      const samples: Sample[] = list.flatMap((g) => [
        { tag: `sys.fleet.${g.id}.offline`, ts: now, value: g.online ? 0 : 1, quality: 0 },
        { tag: `sys.fleet.${g.id}.backlog_growing`, ts: now, value: g.backlogGrowing ? 1 : 0, quality: 0 },
      ]);
      if (samples.length) this.alarms.evaluate(samples);
    } catch (e) {
      (this.o.onError ?? ((err: unknown) => console.error('fleet alarms:', err)))(e);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
