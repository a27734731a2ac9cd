// Who is calling from inside the Node-RED editor. The editor sends either one of our
// session JWTs or a session token Node-RED issued at its own login (through adminAuth,
// backed by our users); both are turned into the same Principal the API uses, with the
// permissions of the user's current role from the one permission table. A disabled or
// service account gets nothing. This lets the editor plugins use API routes, unchanged,
// under <admin root>/historian.
import type { Request } from 'express';
import type { AuthService } from '../auth';
import { permissionsOf } from '../auth';
import type { Principal } from '../auth';
import { nodeRedEditorSessions } from './deploy-signing';

function bearer(req: Request): string | null {
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m ? m[1] : null;
}

export function editorAuthenticate(
  auth: AuthService,
  apiAuthenticate: (req: Request) => Promise<Principal | null>,
  editorSessionUser: (token: string) => Promise<string | null> = nodeRedEditorSessions(),
): (req: Request) => Promise<Principal | null> {
  return async (req) => {
    const api = await apiAuthenticate(req).catch(() => null);
    if (api) return api;
    const token = bearer(req);
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
