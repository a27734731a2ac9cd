// The auth API as data: method, path under /api/v1, the permission it needs and the
// action name (what the audit trail and the e-signature rules key on). The server mounts
// them with mountAuthRoutes; the route × role test reads the same list.
import type { RequestHandler, Router } from 'express';
import type { AuthService } from '../auth-service';
import type { Permission } from '../permissions';
import type { ZodType } from 'zod';
import * as h from './handlers';
import * as schema from './schemas';
import { authenticate, requirePermission } from './middleware';
import { createUserAction, resetPasswordAction, updateUserAction, type SignedActionOf } from './signed-actions';

export interface AuthRoute {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Relative to the API root (/api/v1). */
  path: string;
  /** 'public' = no authentication; 'authenticated' = any valid session or token. */
  access: Permission | 'public' | 'authenticated';
  /** Stable action name, e.g. "users.role.change" targets for signatures and audit. */
  action: string;
  handler: (auth: AuthService) => RequestHandler;
  /** Request body schema (validated by the handler; also documents the route in OpenAPI). */
  body?: ZodType;
  /** The signature-worthy actions a request may be (which one, and its target: `signedAction`). */
  signs?: readonly string[];
  signedAction?: SignedActionOf;
}

export const AUTH_ROUTES: readonly AuthRoute[] = [
  { method: 'post', path: '/login', access: 'public', action: 'auth.login', handler: h.loginHandler, body: schema.loginBody },
  { method: 'post', path: '/logout', access: 'authenticated', action: 'auth.logout', handler: h.logoutHandler },
  { method: 'get', path: '/me', access: 'authenticated', action: 'auth.me', handler: () => h.meHandler() },
  { method: 'post', path: '/me/password', access: 'authenticated', action: 'auth.password.change', handler: h.changePasswordHandler, body: schema.changePasswordBody },
  { method: 'get', path: '/users', access: 'users.manage', action: 'users.list', handler: h.listUsersHandler },
  { method: 'post', path: '/users', access: 'users.manage', action: 'users.create', handler: h.createUserHandler, body: schema.createUserBody,
    signs: ['users.create'], signedAction: createUserAction },
  { method: 'get', path: '/users/:id', access: 'users.manage', action: 'users.get', handler: h.getUserHandler },
  { method: 'patch', path: '/users/:id', access: 'users.manage', action: 'users.update', handler: h.updateUserHandler, body: schema.updateUserBody,
    signs: ['users.role.change', 'users.disable', 'users.enable', 'users.update'], signedAction: updateUserAction },
  { method: 'post', path: '/users/:id/password', access: 'users.manage', action: 'users.password.reset', handler: h.resetPasswordHandler, body: schema.resetPasswordBody,
    signs: ['users.password.reset'], signedAction: resetPasswordAction },
  { method: 'post', path: '/users/:id/unlock', access: 'users.manage', action: 'users.unlock', handler: h.unlockUserHandler },
  { method: 'get', path: '/tokens', access: 'tokens.manage', action: 'tokens.list', handler: h.listTokensHandler },
  { method: 'post', path: '/tokens', access: 'tokens.manage', action: 'tokens.create', handler: h.createTokenHandler, body: schema.createTokenBody },
  { method: 'delete', path: '/tokens/:id', access: 'tokens.manage', action: 'tokens.revoke', handler: h.revokeTokenHandler },
];

export interface MountOptions {
  /**
   * Extra middleware per route, run after authentication and before the handler — the
   * place for the e-signature check (428 without a signing token) on critical actions.
   */
  before?: (route: AuthRoute) => RequestHandler[];
}

/** The access-check middleware a route needs (empty for public routes). */
export function accessMiddleware(auth: AuthService, access: AuthRoute['access']): RequestHandler[] {
  if (access === 'public') return [];
  if (access === 'authenticated') return [authenticate(auth)];
  return [requirePermission(auth, access)];
}

/** Declares every auth route on a router mounted at /api/v1 (which must parse JSON bodies). */
export function mountAuthRoutes(router: Router, auth: AuthService, opts: MountOptions = {}): void {
  for (const r of AUTH_ROUTES) {
    const chain = [...accessMiddleware(auth, r.access), ...(opts.before?.(r) ?? []), r.handler(auth)];
    router[r.method](r.path, ...chain);
  }
}
