// Who is logged in, and what the role may do: the UI shows no control for an action
// the permission table (runtime/auth/permissions.ts) refuses.
export interface Me {
  userId: string;
  username: string;
  name: string;
  role: 'ADMIN' | 'ENGINEER' | 'OPERATOR' | 'AUDITOR' | 'SERVICE';
  permissions: string[];
  mustChangePassword: boolean;
  /** absolute end of this session (ISO time) */
  expiresAt?: string;
}

let current: Me | null = null;

export function setMe(me: Me | null): void { current = me; }
export function me(): Me | null { return current; }

export function can(permission: string): boolean {
  return !!current && current.permissions.includes(permission);
}
