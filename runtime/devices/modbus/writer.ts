// Writes one engineering value to a holding register range or a coil: the value is
// unscaled ((value − offset) / scale), encoded in the tag's data type and byte/word order.
import type { ModbusConnection } from './connection';
import { encodeRegisters } from './datatypes';
import { parseTag, type ModbusTag } from './tag-table';

export interface WriteTarget {
  register: 'holding' | 'coil';
  address: number;
  type: ModbusTag['type'];
  byteOrder: ModbusTag['byteOrder'];
  wordOrder: ModbusTag['wordOrder'];
  scale: number;
  offset: number;
}

export function parseWriteTarget(input: Record<string, unknown>): WriteTarget {
  const register = String(input.register ?? 'holding').toLowerCase();
  if (register !== 'holding' && register !== 'coil') throw new Error(`register: only holding registers and coils can be written (got ${JSON.stringify(input.register)})`);
  const t = parseTag({ ...input, tag: 'write.target', register }, 0);
  return { register, address: t.address, type: t.type, byteOrder: t.byteOrder, wordOrder: t.wordOrder, scale: t.scale, offset: t.offset };
}

/** Converts a message value (number, boolean, numeric string) into registers or bits. */
export function encodeWrite(target: WriteTarget, value: unknown): { words?: number[]; bits?: boolean[] } {
  let v: number;
  if (typeof value === 'boolean') v = value ? 1 : 0;
  else if (typeof value === 'number') v = value;
  else if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) v = Number(value);
  else throw new Error(`msg.payload: must be a number or boolean (got ${value === null ? 'null' : typeof value})`);
  if (!Number.isFinite(v)) throw new Error(`msg.payload: must be finite (got ${v})`);
  if (target.register === 'coil') return { bits: [v !== 0] };
  const raw = target.type === 'bool' ? v : (v - target.offset) / target.scale;
  return { words: encodeRegisters(raw, target) };
}

export async function writeValue(conn: ModbusConnection, target: WriteTarget, value: unknown): Promise<{ address: number; words?: number[]; bits?: boolean[] }> {
  const enc = encodeWrite(target, value);
  if (enc.bits) await conn.writeCoils(target.address, enc.bits);
  else await conn.writeRegisters(target.address, enc.words!);
  return { address: target.address, ...enc };
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
