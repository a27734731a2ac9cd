// Authentication and permission middleware for express routes and the WebSocket upgrade.
// 401 = no or bad credentials; 403 = known caller without the permission (or with a
// password change pending). The principal is left on req.principal for the handlers.
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthService } from '../auth-service';
import { AuthError, isAuthError } from '../errors';
import type { Permission } from '../permissions';
import type { Principal } from '../principal';
import { sendAuthError } from './respond';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by authenticate()/requirePermission(). */
      principal?: Principal;
    }
  }
}

/** Authenticates the Authorization header; any valid session or token passes. */
export function authenticate(auth: AuthService): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.principal) return next();
    try {
      req.principal = auth.authenticateBearer(req.headers.authorization);
      next();
    } catch (e) {
      if (isAuthError(e)) sendAuthError(res, e);
      else next(e);
    }
  };
}

/** Throws the 403 the principal deserves, or returns when it holds the permission. */
export function assertPermission(p: Principal, permission: Permission): void {
  if (p.permissions.has(permission)) return;
  if (p.mustChangePassword) {
    throw new AuthError('password_change_required', 'change your password first (POST /api/v1/me/password)', { permission });
  }
  throw new AuthError('forbidden', `permission "${permission}" required`, { permission });
}

/** Authenticates, then requires one permission. */
export function requirePermission(auth: AuthService, permission: Permission): RequestHandler {
  const authn = authenticate(auth);
  return (req: Request, res: Response, next: NextFunction) => {
    authn(req, res, (err?: unknown) => {
      if (err) return next(err);
      try {
        assertPermission(req.principal!, permission);
        next();
      } catch (e) {
        if (isAuthError(e)) sendAuthError(res, e);
        else next(e);
      }
    });
  };
}

/** The same two factories bound to one service: `const { requirePermission } = authMiddleware(auth)`. */
export function authMiddleware(auth: AuthService) {
  return {
    authenticate: authenticate(auth),
    requirePermission: (permission: Permission) => requirePermission(auth, permission),
  };
}

/** The principal set by the middleware; throws if a route was mounted without it. */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw new Error('route mounted without authenticate()/requirePermission()');
  return req.principal;
}

/**
 * Credentials of a WebSocket upgrade: the Authorization header, or (browsers cannot set
 * headers on a WebSocket) an `access_token` query parameter. Throws AuthError (401).
 */
export function authenticateUpgrade(auth: AuthService, req: IncomingMessage): Principal {
  if (req.headers.authorization) return auth.authenticateBearer(req.headers.authorization);
  const url = new URL(req.url ?? '/', 'http://localhost');
  const token = url.searchParams.get('access_token');
  if (!token) return auth.authenticateBearer(undefined);
  return auth.authenticateToken(token);
}
