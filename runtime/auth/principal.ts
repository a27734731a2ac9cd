// Who is making a request, as every route and the WebSocket see it. For a token the
// permissions are the role's permissions narrowed to the token's scopes, and allowsTag
// applies the token's tag pattern; for a session every tag is allowed.
import { compilePattern } from '../model';
import type { Actor } from './events';
import type { Permission, Role } from './permissions';

export interface Principal {
  kind: 'user' | 'token';
  userId: string;
  username: string;
  /** Printed (full) name: shown in audit entries and signatures. */
  name: string;
  role: Role;
  /** Empty while a password change is pending. */
  permissions: ReadonlySet<Permission>;
  /** Token only: the operations it was granted. */
  scopes?: readonly Permission[];
  /** Token only: NATS-style tag pattern, null when unrestricted. */
  tagPattern?: string | null;
  tokenId?: string;
  /** Session only: JWT id, needed to log out. */
  jti?: string;
  /** Epoch ms when the session or token stops working (null = never). */
  expiresAt: number | null;
  mustChangePassword: boolean;
  allowsTag(tag: string): boolean;
}

export function can(p: Principal, permission: Permission): boolean {
  return p.permissions.has(permission);
}

export function tagMatcher(pattern: string | null | undefined): (tag: string) => boolean {
  if (!pattern) return () => true;
  return compilePattern(pattern);
}

export function actorOf(p: Principal): Actor {
  return { kind: p.kind, userId: p.userId, username: p.username, name: p.name, role: p.role };
}
