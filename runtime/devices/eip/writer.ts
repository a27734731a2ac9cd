// Writes one engineering value to a Logix tag with Write Tag: the value is unscaled
// ((value − offset) / scale), checked against the type's range (no silent wrap-around)
// and sent with the type code the controller expects.
import { checkValue, CipError, encodeTagPath, writeTagRequest, STATUS, type CipType } from './cip';
import { writeNumber } from '../device-write';
import type { EipConnection } from './connection';
import { parseEipTag } from './tag-table';

export interface EipWriteTarget {
  address: string;
  type: CipType;
  scale: number;
  offset: number;
}

export function parseEipWriteTarget(input: Record<string, unknown>): EipWriteTarget {
  const t = parseEipTag({ ...input, tag: 'write.target' }, 0);
  return { address: t.address, type: t.type, scale: t.scale, offset: t.offset };
}

export function encodeEipWrite(target: EipWriteTarget, value: unknown): number {
  const v = writeNumber(value);
  if (target.type === 'bool') return v !== 0 ? 1 : 0;
  const raw = (v - target.offset) / target.scale;
  const out = target.type === 'real' || target.type === 'lreal' ? raw : Math.round(raw * 1e9) / 1e9;
  checkValue(target.type, out);
  return out;
}

export async function writeEipValue(conn: EipConnection, target: EipWriteTarget, value: unknown): Promise<{ address: string; raw: number }> {
  const raw = encodeEipWrite(target, value);
  const r = await conn.request(writeTagRequest(encodeTagPath(target.address), target.type, [raw]));
  if (r.status !== STATUS.SUCCESS) throw new CipError(r.status, r.extended, `write ${target.address}`);
  return { address: target.address, raw };
}

export { WRITE_ROLES, writeRoleError } from '../device-write';
