// Permission checks made outside the declared API routes (whose permissions the OpenAPI
// description carries as x-permission / x-also-checks). With the routes, this list is what
// the permission-usage test compares with the permission table: a permission in the table
// that nothing checks fails it.
import type { Permission } from '../auth';
import { DEPLOY_PERMISSIONS } from './deploy-signing';

/** The live WebSocket's upgrade (security.ts). */
export const LIVE_PERMISSION: Permission = 'live.subscribe';
/** The Prometheus endpoint /metrics (app.ts). */
export const METRICS_PERMISSION: Permission = 'metrics.read';

export const NON_ROUTE_CHECKS: ReadonlyArray<{ permission: string; where: string }> = [
  { permission: LIVE_PERMISSION, where: 'WebSocket /api/v1/live (upgrade)' },
  { permission: METRICS_PERMISSION, where: 'GET /metrics' },
  ...DEPLOY_PERMISSIONS.map((permission) => ({ permission, where: 'deploy through the editor admin API (POST /editor/flows)' })),
];
