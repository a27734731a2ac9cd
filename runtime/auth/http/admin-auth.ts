// The Node-RED `adminAuth` setting backed by our users, so the editor has the same
// accounts, passwords, lockout and roles as the API:
// - `authenticate` runs the full login rules (failures count toward the lockout) and
//   refuses accounts whose password must be changed first;
// - `users` maps a user name to the editor permissions of its current role (Node-RED
//   calls it for its own session tokens), disabled and service accounts get nothing;
// - `tokens` lets a Historian session JWT (`Authorization: Bearer <jwt>`) open the editor
//   and its admin API directly — Node-RED tries it when the bearer token is not one of
//   its own sessions.
// Only a refusal (an AuthError: unknown user, wrong password, lockout, revoked token) is
// "not authenticated"; anything else — the user database failing — is thrown, so Node-RED
// answers an error and the log shows it instead of a login form saying "wrong password".
import type { AuthService } from '../auth-service';
import { isAuthError } from '../errors';
import { editorPermissionsOf, type Role } from '../permissions';

export interface EditorUser {
  username: string;
  permissions: string[];
  /** Printed name, shown in the editor's user menu. */
  name?: string;
}

export interface AdminAuthSettings {
  type: 'credentials';
  sessionExpiryTime: number;
  users: (username: string) => Promise<EditorUser | null>;
  authenticate: (username: string, password: string) => Promise<EditorUser | null>;
  tokens: (token: string) => Promise<EditorUser | null>;
  tokenHeader: string;
}

function editorUser(username: string, role: Role, name: string): EditorUser | null {
  const permissions = editorPermissionsOf(role);
  return permissions.length === 0 ? null : { username, permissions, name };
}

export function adminAuthFor(auth: AuthService): AdminAuthSettings {
  return {
    type: 'credentials',
    sessionExpiryTime: Math.max(1, Math.floor(auth.sessionTtlMs / 1000)),
    async users(username) {
      try {
        const u = auth.getUser(username);
        return u.disabled ? null : editorUser(u.username, u.role, u.name);
      } catch (e) {
        if (isAuthError(e)) return null;
        throw e;
      }
    },
    async authenticate(username, password) {
      try {
        const u = await auth.authenticatePassword({ username, password, source: 'editor', allowMustChange: false });
        return editorUser(u.username, u.role, u.name);
      } catch (e) {
        if (isAuthError(e)) return null;
        throw e;
      }
    },
    async tokens(token) {
      try {
        const p = auth.authenticateToken(token);
        if (p.kind !== 'user' || p.mustChangePassword) return null;
        return editorUser(p.username, p.role, p.name);
      } catch (e) {
        if (isAuthError(e)) return null;
        throw e;
      }
    },
    tokenHeader: 'authorization',
  };
}
