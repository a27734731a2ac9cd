// Node admin endpoints (the editor's calc-tag preview, twin-predict's train button) are
// declared with the API's route definition (runtime/http) and answered by the same
// pipeline: schema validation listing every issue, one error-to-answer mapping. They live
// under Node-RED's admin root, so Node-RED's adminAuth checks the editor permission
// (`permission` here is an editor permission, e.g. `flows.write`).
import { routeHandler, type RouteDef } from '../../runtime/http';
import type { RED } from './red';
import { servicesOf } from './services';

type Middleware = (req: unknown, res: unknown, next: () => void) => void;

export function mountAdminRoute(RED: RED, route: RouteDef): void {
  const admin = RED.httpAdmin as Record<string, Function> | undefined;
  if (!admin) return;
  const guard: Middleware = RED.auth?.needsPermission?.(route.permission) ?? ((_q, _s, next) => next());
  admin[route.method](route.path, guard, routeHandler(route, async () => null));
  // documented in /api/v1/openapi.json (x-editor-api)
  const declared = servicesOf(RED).adminRoutes;
  const i = declared.findIndex((r) => r.method === route.method && r.path === route.path);
  if (i >= 0) declared[i] = route;
  else declared.push(route);
}
