// Shared bits of the export, layout and annotation route tests: a principal of a role and
// a small express app with routes mounted as the server mounts them.
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { permissionsOf, type Role } from '../../../runtime/auth/permissions';
import type { Principal } from '../../../runtime/auth/principal';
import { compilePattern } from '../../../runtime/model';
import { mountRoutes, type RouteDef } from '../../../runtime/server/api/route';

export function principalOf(role: Role, username = role.toLowerCase(), tagPattern: string | null = null): Principal {
  const match = tagPattern ? compilePattern(tagPattern) : () => true;
  return {
    kind: tagPattern ? 'token' : 'user', userId: `id-${username}`, username, name: `${username} name`, role,
    permissions: permissionsOf(role), tagPattern, expiresAt: null, mustChangePassword: false, allowsTag: match,
  };
}

export interface TestApp { url: string; close(): Promise<void> }

/** Serves `routes` under /api/v1; the bearer token is the role name (or `ROLE:user`). */
export async function serveRoutes(routes: RouteDef[]): Promise<TestApp> {
  const app = express();
  const api = express.Router();
  api.use(express.json());
  mountRoutes(api, routes, async (req) => {
    const h = req.headers.authorization;
    if (!h) return null;
    const [role, user] = h.replace(/^Bearer /, '').split(':');
    return principalOf(role as Role, user);
  });
  app.use('/api/v1', api);
  const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
