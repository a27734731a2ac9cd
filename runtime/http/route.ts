// HTTP routes are declared once: the same declaration validates requests (400 listing every
// failing field), enforces the permission (401/403) and generates /api/v1/openapi.json.
// Every route of the distribution uses it: the data API, the auth routes, the audit routes.
import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import type { ZodType } from 'zod';
import type { Principal } from '../auth';
import { authenticationRequired, HttpError, validationError } from './errors';
import { sendError, sendJson } from './respond';

export type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';

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
  /**
   * The request body as documented when the route reads it itself (after authentication)
   * or takes several content types: per content type, a schema for the description only.
   */
  bodyDoc?: { description: string; content: Record<string, ZodType> };
  /** description of a successful answer */
  response?: { status?: number; description: string; schema?: ZodType; contentType?: string };
  /** Returns the JSON body, or undefined when the handler wrote the response itself (streams). */
  handler: (ctx: RouteContext<P, Q, B>) => unknown | Promise<unknown>;
}

export function defineRoute<P, Q, B>(def: RouteDef<P, Q, B>): RouteDef<P, Q, B> {
  return def;
}

/**
 * The caller of a request, or null when it sent no credentials. Refused credentials
 * (expired, revoked, malformed) throw an HttpError 401 naming the reason.
 */
export type Authenticate = (req: Request) => Promise<Principal | null>;

function validate<T>(schema: ZodType<T> | undefined, value: unknown, where: 'params' | 'query' | 'body'): T {
  if (!schema) return value as T;
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(where, r.error);
  return r.data;
}

/** Throws the 403 the caller deserves, or returns when it holds the permission. */
export function assertAllowed(p: Principal, permission: string): void {
  if (p.permissions.has(permission as never)) return;
  if (p.mustChangePassword) {
    throw new HttpError(403, 'password_change_required', 'change your password first (POST /api/v1/me/password)', { permission });
  }
  throw new HttpError(403, 'forbidden', `role ${p.role} lacks permission "${permission}"`, { permission });
}

/** Who may call a route: null for public routes (whoever it is), the principal otherwise (401/403 thrown). */
export async function authorize(permission: RouteDef['permission'], req: Request, authenticate: Authenticate): Promise<Principal | null> {
  if (permission === 'public') return authenticate(req).catch(() => null);
  const principal = await authenticate(req);
  if (!principal) throw authenticationRequired();
  if (permission !== 'authenticated') assertAllowed(principal, permission);
  return principal;
}

/** The authenticated caller of a non-public route (the route layer guarantees one). */
export function callerOf(ctx: { principal: Principal | null }): Principal {
  if (!ctx.principal) throw authenticationRequired();
  return ctx.principal;
}

/** JSON bodies of API routes: at most 1 MB (ingest reads its own, larger bodies). */
const jsonParser = express.json({ limit: '1mb' });

/**
 * Reads a JSON body into req.body. Done after the caller is established, so an anonymous
 * client cannot make the server buffer and parse a megabyte; a body already read (Node-RED's
 * admin routes parse their own) is left as it is.
 */
function readJsonBody(req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    jsonParser(req, res, (e?: unknown) => {
      if (!e) return resolve();
      const type = (e as { type?: string }).type;
      if (type === 'entity.too.large') return reject(new HttpError(413, 'payload_too_large', 'request body is too large (at most 1 MB)'));
      if (type === 'entity.parse.failed') return reject(new HttpError(400, 'bad_request', 'body: invalid JSON'));
      reject(e);
    });
  });
}

/**
 * The express handler of one route: `who` establishes the caller (401/403 thrown), then
 * the JSON body is read (unless the route reads its own: `bodyDoc`), params, query and body are validated, the handler runs, and any error is answered by
 * sendError. mountRoutes uses it behind our authentication; node admin endpoints use it
 * behind Node-RED's own permission check (nodes/lib/admin-route.ts).
 */
export function routeHandler(r: RouteDef, who: (req: Request) => Promise<Principal | null>): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    (async () => {
      const principal = await who(req);
      if (!r.bodyDoc) await readJsonBody(req, res);
      const params = validate(r.params, req.params, 'params');
      const query = validate(r.query, req.query, 'query');
      const body = validate(r.body, req.body, 'body');
      const out = await r.handler({ req, res, params, query, body, principal });
      if (out === undefined || res.headersSent) return;
      const status = r.response?.status ?? 200;
      // a GET keeps express's ETag, so a client may revalidate it (304)
      if (req.method === 'GET' || req.method === 'HEAD') res.status(status).json(out);
      else sendJson(res, status, out);
    })().catch((e) => sendError(res, e, next));
  };
}

/** Mounts routes on an express router behind authentication and permission checks. */
export function mountRoutes(router: Router, routes: readonly RouteDef[], authenticate: Authenticate): void {
  for (const r of routes) {
    router[r.method](r.path, routeHandler(r, (req) => authorize(r.permission, req, authenticate)));
  }
}
