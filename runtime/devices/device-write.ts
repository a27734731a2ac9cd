// What every device write (Modbus, EtherNet/IP) shares: the message value it accepts and
// who may write. Each protocol's writer unscales and encodes the number for its device.

/** A message value as a number: a finite number, a boolean (1/0) or a numeric string. */
export function writeNumber(value: unknown): number {
  let v: number;
  if (typeof value === 'boolean') v = value ? 1 : 0;
  else if (typeof value === 'number') v = value;
  else if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) v = Number(value);
  else throw new Error(`msg.payload: must be a number or boolean (got ${value === null ? 'null' : typeof value})`);
  if (!Number.isFinite(v)) throw new Error(`msg.payload: must be finite (got ${v})`);
  return v;
}

/** Roles that may write to devices when a message carries a user (msg.user.role). */
export const WRITE_ROLES = ['ENGINEER', 'ADMIN'] as const;

/** Null when allowed; an error message when msg.user names a role that may not write. */
export function writeRoleError(user: unknown, required: boolean): string | null {
  const role = user && typeof user === 'object' ? (user as { role?: unknown }).role : undefined;
  if (role === undefined) return required ? 'msg.user.role: this node requires a user with role ENGINEER or ADMIN' : null;
  const r = String(role).toUpperCase();
  return (WRITE_ROLES as readonly string[]).includes(r) ? null : `msg.user.role: ${r} may not write to devices (ENGINEER or ADMIN required)`;
}
