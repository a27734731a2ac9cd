// Session routes: login (public), logout, who am I.
import { z } from 'zod';
import type { AuthService } from '../../auth/auth-service';
import { isAuthError } from '../../auth/errors';
import { defineRoute, HttpError, type RouteDef } from './route';

function asHttp(e: unknown): never {
  if (isAuthError(e)) throw new HttpError(e.status, e.code, e.message, e.details ? { details: e.details } : {});
  throw e;
}

export function authRoutes(auth: AuthService): RouteDef[] {
  return [
    defineRoute({
      method: 'post', path: '/login', group: 'auth', permission: 'public',
      summary: 'Log in with user name and password; answers a session JWT in `token`',
      body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }),
      handler: async ({ body, req }) => auth.login({ ...body, address: req.ip, source: 'api' }).catch(asHttp),
    }),
    defineRoute({
      method: 'post', path: '/logout', group: 'auth', permission: 'authenticated',
      summary: 'Revoke the current session token',
      handler: ({ principal, req }) => {
        try {
          auth.logout(principal as never, req.ip);
        } catch (e) { asHttp(e); }
        return { ok: true };
      },
    }),
  ];
}
