// GET /system/health: the whole process at a glance (stores, buffers, tier movers,
// devices, audit chain, bus links, disk, process) with the list of problems the system
// health page counts. Everyone signed in may look; actions (quarantine replay/purge,
// pause) stay on the buffer routes and their permissions.
import type { HealthReport } from '../../health';
import { defineRoute, type RouteDef } from '../api/route';

export interface SystemRouteDeps {
  health: () => HealthReport;
}

export function systemRoutes(deps: SystemRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get', path: '/system/health', group: 'system', permission: 'authenticated',
      summary: 'System health: stores, store-and-forward buffers, tier movers, devices, audit chain, NATS/MQTT links, disk, process, and the problems found',
      response: { description: '{ at, ok, problems: [{ area, kind, name, message }], thresholds, stores, buffers, tiers, devices, audit, links, disk, process }' },
      handler: ({ res }) => {
        res.setHeader('Cache-Control', 'no-store');
        return deps.health();
      },
    }),
  ];
}
