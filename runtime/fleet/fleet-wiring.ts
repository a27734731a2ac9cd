// Composition of the central fleet view (registry + heartbeat subscription + alarms) from
// the distribution's settings; null when the fleet monitor is off or NATS is not set.
import type { AlarmSink } from '../health/system-alarms';
import { natsConnectOptions } from '../uplink/connection-settings';
import type { HistorianConfig } from '../server/load-settings';
import { FleetAlarmMonitor } from './fleet-alarms';
import { FleetMonitor } from './fleet-monitor';
import { FleetRegistry } from './fleet-registry';

export interface Fleet { registry: FleetRegistry; monitor: FleetMonitor; alarms: FleetAlarmMonitor; close(): Promise<void> }

export function openFleet(cfg: Pick<HistorianConfig, 'fleet' | 'nats'>, alarms: AlarmSink, log: (l: string) => void): Fleet | null {
  if (!cfg.fleet?.monitor) return null;
  if (!cfg.nats.url) {
    log('[historian] fleet: HISTORIAN_FLEET_MONITOR is on but HISTORIAN_NATS_URL is not set; no fleet view');
    return null;
  }
  const registry = new FleetRegistry({
    offlineAfterMs: (cfg.fleet.offlineAfterSeconds ?? 30) * 1000, backlogGrowthMs: (cfg.fleet.backlogGrowthSeconds ?? 300) * 1000,
  });
  const monitor = new FleetMonitor(registry, { ...natsConnectOptions({ ...cfg.nats, name: 'historian-fleet' }), reconnectTimeWaitMs: 1000 }, log).start();
  const fleetAlarms = new FleetAlarmMonitor(registry, alarms, { onError: (e) => log(`[historian] fleet alarms: ${(e as Error).message}`) }).start();
  return {
    registry, monitor, alarms: fleetAlarms,
    async close() { fleetAlarms.stop(); await monitor.stop(); },
  };
}
