// The Historian API as the editor plugins see it: a chosen set of the API's own route
// definitions (tags, latest values, system health, alarms, flow versions), mounted under
// <admin root>/historian and authenticated with the editor's session (editor-principal.ts).
// Same validation, same permission table, same answers as /api/v1.
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { mountRoutes, sendError, HttpError, type Authenticate, type RouteDef } from './api/route';
import type { FlowNode } from '../flow-versions';

/** `method path` of the API routes the editor plugins call. */
export const EDITOR_API_ROUTES: readonly string[] = [
  'get /tags', 'get /tags/:tag', 'get /query', 'get /system/health', 'get /alarms',
  'get /flows/versions', 'get /flows/versions/:version', 'get /flows/versions/:from/diff/:to', 'post /flows/versions/:version/restore',
];

export function editorApiRouter(routes: readonly RouteDef[], authenticate: Authenticate): Router {
  const router = express.Router();
  mountRoutes(router, routes.filter((r) => EDITOR_API_ROUTES.includes(`${r.method} ${r.path}`)), authenticate);
  return router;
}

/**
 * A restore handed to the deploy path: the request becomes a full v2 deploy of the version's
 * flows, marked as a restore, and passes the deploy guard and then Node-RED's admin API,
 * exactly as the editor's Deploy button does. The caller's Authorization and signature
 * headers travel with it.
 */
export function restoreAsDeploy(guard: RequestHandler, httpAdmin: RequestHandler) {
  return (req: Request, res: Response, flows: FlowNode[], version: number): void => {
    req.historianRestore = { version };
    req.method = 'POST';
    req.url = '/flows';
    req.body = { flows };
    req.headers['node-red-api-version'] = 'v2';
    req.headers['node-red-deployment-type'] = 'full';
    const failed = (e?: unknown) => sendError(res, e ?? new HttpError(404, 'not_found', 'the deploy path did not answer'));
    guard(req, res, (e?: unknown) => {
      if (e) return failed(e);
      httpAdmin(req, res, failed as NextFunction);
    });
  };
}
