// Composition of the central fleet view (registry + heartbeat subscription + alarms) from
// the distribution's settings; null when the fleet monitor is off or NATS is not set.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../platform';
import type { AlarmSink } from '../health';
import { natsConnectOptions, type NatsConnectionSettings } from '../uplink';
import { FleetAlarmMonitor } from './fleet-alarms';
import { FleetMonitor } from './fleet-monitor';
import { FleetRegistry } from './fleet-registry';

export interface Fleet { registry: FleetRegistry; monitor: FleetMonitor; alarms: FleetAlarmMonitor; close(): Promise<void> }

const SAVE_EVERY_MS = 10_000;

/** What the fleet needs of the distribution's settings (historian.fleet, historian.nats, the data directory). */
export interface FleetSettings {
  fleet?: { monitor?: boolean; offlineAfterSeconds?: number; backlogGrowthSeconds?: number };
  nats: NatsConnectionSettings;
  dataDir: string;
}

export function openFleet(cfg: FleetSettings, alarms: AlarmSink, log: (l: string) => void): Fleet | null {
  if (!cfg.fleet?.monitor) return null;
  if (!cfg.nats.url) {
    log('[historian] fleet: HISTORIAN_FLEET_MONITOR is on but HISTORIAN_NATS_URL is not set; no fleet view');
    return null;
  }
  const registry = new FleetRegistry({
    offlineAfterMs: (cfg.fleet.offlineAfterSeconds ?? 30) * 1000, backlogGrowthMs: (cfg.fleet.backlogGrowthSeconds ?? 300) * 1000,
  });
  // the registry outlives a central restart, so a gateway that died meanwhile still alarms
  const file = path.join(cfg.dataDir, 'fleet-registry.json');
  try {
    if (fs.existsSync(file)) log(`[historian] fleet: ${registry.restore(fs.readFileSync(file, 'utf8'))} gateways known from ${file}`);
  } catch (e) { log(`[historian] fleet: ignoring ${file}: ${(e as Error).message}`); }
  const save = () => {
    const text = registry.snapshot();
    if (text) { try { writeFileAtomic(file, text); } catch (e) { log(`[historian] fleet: cannot save ${file}: ${(e as Error).message}`); } }
  };
  const saver = setInterval(save, SAVE_EVERY_MS);
  saver.unref();
  const monitor = new FleetMonitor(registry, { ...natsConnectOptions({ ...cfg.nats, name: 'historian-fleet' }), reconnectTimeWaitMs: 1000 }, log).start();
  const fleetAlarms = new FleetAlarmMonitor(registry, alarms, { onError: (e) => log(`[historian] fleet alarms: ${(e as Error).message}`) }).start();
  return {
    registry, monitor, alarms: fleetAlarms,
    async close() { clearInterval(saver); fleetAlarms.stop(); await monitor.stop(); save(); },
  };
}
