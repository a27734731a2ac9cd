// GET /fleet/gateways: the central's fleet registry (gateway heartbeats), filterable by
// site, for the dashboard's Fleet page and for other systems.
import { z } from 'zod';
import type { FleetRegistry } from '../../fleet';
import { defineRoute, type RouteDef } from '../api/route';

export interface FleetRouteDeps {
  /** null when this process does not watch the fleet (HISTORIAN_FLEET_MONITOR off) */
  registry: () => FleetRegistry | null;
  connected: () => boolean;
}

export function fleetRoutes(deps: FleetRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get', path: '/fleet/gateways', group: 'fleet', permission: 'fleet.read',
      summary: 'Gateways seen by their heartbeats: online/offline, last seen, backlog, host metrics, device states; optionally of one site',
      query: z.object({ site: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be a site such as acme.izmir').optional() }),
      response: { description: '{ enabled, connected, offlineAfterMs, backlogGrowthMs, sites, gateways: [{ id, site, online, lastSeen, backlogGrowing, heartbeat }] }' },
      handler: ({ res, query }) => {
        res.setHeader('Cache-Control', 'no-store');
        const r = deps.registry();
        if (!r) return { enabled: false, connected: false, offlineAfterMs: null, backlogGrowthMs: null, sites: [], gateways: [] };
        return { enabled: true, connected: deps.connected(), offlineAfterMs: r.offlineAfterMs, backlogGrowthMs: r.backlogGrowthMs, sites: r.sites(), gateways: r.list({ site: query.site }) };
      },
    }),
  ];
}
