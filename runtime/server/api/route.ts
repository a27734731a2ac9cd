// HTTP routes are declared once: the same declaration validates requests (400 naming the
// failing field), enforces the permission (401/403) and generates /api/v1/openapi.json.
import type { Request, Response, NextFunction, Router } from 'express';
import { z, type ZodType } from 'zod';

export type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';

import type { Principal } from '../../auth';

export type { Principal };

export interface RouteContext<P, Q, B> {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
  principal: Principal | null;
}

export interface RouteDef<P = any, Q = any, B = any> {
  method: Method;
  /** express-style path relative to /api/v1, e.g. `/tags/:tag` */
  path: string;
  summary: string;
  group: string;
  /** permission required; `authenticated` = any caller who is logged in; `public` = no login (login itself) */
  permission: string | 'authenticated' | 'public';
  /** Further permissions the handler checks for some requests (e.g. a retention change in a tag update). */
  alsoChecks?: string[];
  /** Critical actions this route may demand an electronic signature for (428 without one). */
  signs?: string[];
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  /** description of a successful answer */
  response?: { status?: number; description: string; schema?: ZodType; contentType?: string };
  /** Returns the JSON body, or undefined when the handler wrote the response itself (streams). */
  handler: (ctx: RouteContext<P, Q, B>) => unknown | Promise<unknown>;
}

export function defineRoute<P, Q, B>(def: RouteDef<P, Q, B>): RouteDef<P, Q, B> {
  return def;
}

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

export type Authenticate = (req: Request) => Promise<Principal | null>;

function issuesOf(where: string, err: z.ZodError): Array<{ path: string; message: string }> {
  return err.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
}

function validate<T>(schema: ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return value as T;
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = issuesOf(where, r.error);
    throw new HttpError(400, 'bad_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
  }
  return r.data;
}

/** Mounts routes on an express router behind authentication and permission checks. */
export function mountRoutes(router: Router, routes: RouteDef[], authenticate: Authenticate): void {
  for (const r of routes) {
    router[r.method](r.path, (req: Request, res: Response, next: NextFunction) => {
      (async () => {
        let principal: Principal | null = null;
        if (r.permission !== 'public') {
          principal = await authenticate(req);
          if (!principal) throw new HttpError(401, 'unauthorized', 'authentication required: send "Authorization: Bearer <token>"');
          if (r.permission !== 'authenticated' && !principal.permissions.has(r.permission as never)) {
            throw new HttpError(403, 'forbidden', `role ${principal.role} lacks permission "${r.permission}"`);
          }
        } else {
          principal = await authenticate(req).catch(() => null);
        }
        const params = validate(r.params, req.params, 'params');
        const query = validate(r.query, req.query, 'query');
        const body = validate(r.body, req.body, 'body');
        const out = await r.handler({ req, res, params, query, body, principal });
        if (out !== undefined && !res.headersSent) res.status(r.response?.status ?? 200).json(out);
      })().catch((e) => sendError(res, e, next));
    });
  }
}

export function sendError(res: Response, e: unknown, next?: NextFunction): void {
  if (res.headersSent) {
    res.destroy(e instanceof Error ? e : undefined);
    return;
  }
  if (e instanceof HttpError) {
    if (e.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(e.status).json({ error: e.code, message: e.message, ...e.extra });
    return;
  }
  if (next) return next(e);
  res.status(500).json({ error: 'internal', message: 'internal error' });
}
