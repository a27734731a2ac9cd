// Who is calling from inside the Node-RED editor. The editor sends either one of our
// tokens or a session token Node-RED issued at its own login (through adminAuth, backed by
// our users); both are turned into the same Principal the API uses, with the permissions of
// the user's current role from the one permission table. A disabled or service account
// gets nothing. The editor API (editor plugins using API routes, unchanged, under
// <admin root>/historian) and the deploy guard (deploy-signing.ts) both identify the
// editor user here.
import type { Request } from 'express';
import type { AuthService } from '../auth';
import { permissionsOf } from '../auth';
import type { Principal } from '../auth';
import { bearerToken } from '../http';
import { nodeRedEditorSessions } from './node-red-sessions';

export type EditorSessionUser = (token: string) => Promise<string | null>;

/**
 * `apiAuthenticate` identifies the caller by our own credentials; when it finds nobody,
 * the bearer token is looked up as a Node-RED editor session.
 */
export function editorAuthenticate(
  auth: AuthService,
  apiAuthenticate: (req: Request) => Promise<Principal | null>,
  editorSessionUser: EditorSessionUser = nodeRedEditorSessions(),
): (req: Request) => Promise<Principal | null> {
  return async (req) => {
    const api = await apiAuthenticate(req).catch(() => null);
    if (api) return api;
    const token = bearerToken(req.headers.authorization);
    if (!token) return null;
    const username = await editorSessionUser(token);
    if (!username) return null;
    try {
      const u = auth.getUser(username);
      if (u.disabled || u.role === 'SERVICE') return null;
      return {
        kind: 'user', userId: u.id, username: u.username, name: u.name, role: u.role,
        permissions: permissionsOf(u.role), expiresAt: null, mustChangePassword: false, allowsTag: () => true,
      };
    } catch {
      return null;
    }
  };
}
