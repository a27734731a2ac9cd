// Writes one engineering value to a holding register range or a coil: the value is
// unscaled ((value − offset) / scale), encoded in the tag's data type and byte/word order.
import { writeNumber } from '../device-write';
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
  const v = writeNumber(value);
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

export { WRITE_ROLES, writeRoleError } from '../device-write';
