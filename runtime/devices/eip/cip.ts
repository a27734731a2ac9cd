// CIP message-router encoding for Logix controllers (PROTOCOL.md): symbolic tag paths,
// the atomic data types, Read Tag / Read Tag Fragmented / Write Tag requests and the
// Multiple Service Packet that carries many of them in one request.

/** Logix atomic data types and their CIP type codes. */
export const CIP_TYPES = {
  bool: 0xc1, sint: 0xc2, int: 0xc3, dint: 0xc4, lint: 0xc5, usint: 0xc6, uint: 0xc7, udint: 0xc8, ulint: 0xc9, real: 0xca, lreal: 0xcb,
} as const;
export type CipType = keyof typeof CIP_TYPES;
export const CIP_TYPE_NAMES = Object.keys(CIP_TYPES) as CipType[];

const SIZES: Record<CipType, number> = { bool: 1, sint: 1, int: 2, dint: 4, lint: 8, usint: 1, uint: 2, udint: 4, ulint: 8, real: 4, lreal: 8 };
const BY_CODE = new Map<number, CipType>(CIP_TYPE_NAMES.map((t) => [CIP_TYPES[t], t]));

export function typeSize(t: CipType): number {
  return SIZES[t];
}

export function typeOfCode(code: number): CipType | undefined {
  return BY_CODE.get(code);
}

export const SERVICE = {
  MULTIPLE_SERVICE_PACKET: 0x0a,
  READ_TAG: 0x4c,
  WRITE_TAG: 0x4d,
  READ_TAG_FRAGMENTED: 0x52,
  UNCONNECTED_SEND: 0x52,
} as const;

/** General status codes (CIP Vol. 1 Appendix B) the client tells apart. */
export const STATUS = {
  SUCCESS: 0x00,
  CONNECTION_FAILURE: 0x01,
  PATH_SEGMENT_ERROR: 0x04,
  PATH_DESTINATION_UNKNOWN: 0x05,
  PARTIAL_TRANSFER: 0x06,
  SERVICE_NOT_SUPPORTED: 0x08,
  NOT_ENOUGH_DATA: 0x13,
  TOO_MUCH_DATA: 0x15,
  EMBEDDED_SERVICE_ERROR: 0x1e,
  GENERAL_ERROR: 0xff,
} as const;

export class CipError extends Error {
  constructor(readonly status: number, readonly extended: number[], context: string) {
    super(`${context}: CIP status 0x${status.toString(16).padStart(2, '0')}${extended.length ? ` (extended ${extended.map((e) => '0x' + e.toString(16).padStart(4, '0')).join(' ')})` : ''} ${statusText(status, extended)}`.trim());
    this.name = 'CipError';
  }
}

export function statusText(status: number, ext: number[] = []): string {
  switch (status) {
    case 0x04: return 'path segment error (tag does not exist)';
    case 0x05: return 'path destination unknown (tag or member does not exist)';
    case 0x06: return 'partial transfer';
    case 0x08: return 'service not supported';
    case 0x13: return 'not enough data';
    case 0x15: return 'too much data';
    case 0xff:
      if (ext[0] === 0x2105) return 'index out of range';
      if (ext[0] === 0x2107) return 'data type mismatch';
      return 'general error';
    default: return '';
  }
}

// --- tag paths ---------------------------------------------------------------------------

/**
 * Encodes a Logix tag name as an EPATH of ANSI extended symbol segments (0x91) and member
 * segments for array indices: `Program:Main.Motor[3].Speed`, `Matrix[1,2]`.
 */
export function encodeTagPath(name: string): Buffer {
  const parts: Buffer[] = [];
  // "Program:<name>" is one symbol; the dots after it separate members.
  const re = /([A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z_][A-Za-z0-9_]*)?)((?:\[\s*\d+(?:\s*,\s*\d+)*\s*\])?)(?:\.|$)/y;
  let pos = 0;
  while (pos < name.length) {
    re.lastIndex = pos;
    const m = re.exec(name);
    if (!m || m[0].length === 0) throw new Error(`address: "${name}" is not a Logix tag name (at character ${pos + 1})`);
    const sym = Buffer.from(m[1], 'ascii');
    if (sym.length > 40) throw new Error(`address: "${m[1]}" is longer than 40 characters`);
    const seg = Buffer.alloc(2 + sym.length + (sym.length % 2));
    seg[0] = 0x91;
    seg[1] = sym.length;
    sym.copy(seg, 2);
    parts.push(seg);
    if (m[2]) {
      for (const s of m[2].slice(1, -1).split(',')) parts.push(memberSegment(Number(s.trim())));
    }
    pos = re.lastIndex;
    if (m[0].endsWith('.') && pos === name.length) throw new Error(`address: "${name}" ends with a dot`);
  }
  if (parts.length === 0) throw new Error('address: must not be empty');
  return Buffer.concat(parts);
}

function memberSegment(i: number): Buffer {
  if (!Number.isInteger(i) || i < 0 || i > 0xffffffff) throw new Error(`address: array index ${i} out of range`);
  if (i <= 0xff) return Buffer.from([0x28, i]);
  if (i <= 0xffff) { const b = Buffer.from([0x29, 0, 0, 0]); b.writeUInt16LE(i, 2); return b; }
  const b = Buffer.from([0x2a, 0, 0, 0, 0, 0]);
  b.writeUInt32LE(i, 2);
  return b;
}

/** Logical path to the Message Router (class 0x02, instance 1), the target of a Multiple Service Packet. */
export const MESSAGE_ROUTER_PATH = Buffer.from([0x20, 0x02, 0x24, 0x01]);
/** Connection Manager (class 0x06, instance 1), the target of Unconnected Send. */
export const CONNECTION_MANAGER_PATH = Buffer.from([0x20, 0x06, 0x24, 0x01]);

export function mrRequest(service: number, path: Buffer, data: Buffer = Buffer.alloc(0)): Buffer {
  if (path.length % 2) throw new Error('internal: EPATH must have an even length');
  return Buffer.concat([Buffer.from([service, path.length / 2]), path, data]);
}

export interface MrResponse {
  service: number;
  status: number;
  extended: number[];
  data: Buffer;
}

export function parseMrResponse(buf: Buffer): MrResponse {
  if (buf.length < 4) throw new Error(`CIP reply too short (${buf.length} bytes)`);
  const extWords = buf[3];
  const extended: number[] = [];
  for (let i = 0; i < extWords; i++) extended.push(buf.readUInt16LE(4 + 2 * i));
  return { service: buf[0], status: buf[2], extended, data: buf.subarray(4 + 2 * extWords) };
}

// --- services ----------------------------------------------------------------------------

export function readTagRequest(path: Buffer, elements: number): Buffer {
  const d = Buffer.alloc(2);
  d.writeUInt16LE(elements, 0);
  return mrRequest(SERVICE.READ_TAG, path, d);
}

export function readTagFragmentedRequest(path: Buffer, elements: number, byteOffset: number): Buffer {
  const d = Buffer.alloc(6);
  d.writeUInt16LE(elements, 0);
  d.writeUInt32LE(byteOffset, 2);
  return mrRequest(SERVICE.READ_TAG_FRAGMENTED, path, d);
}

export function writeTagRequest(path: Buffer, type: CipType, values: number[]): Buffer {
  const d = Buffer.alloc(4 + values.length * SIZES[type]);
  d.writeUInt16LE(CIP_TYPES[type], 0);
  d.writeUInt16LE(values.length, 2);
  values.forEach((v, i) => encodeValue(d, 4 + i * SIZES[type], type, v));
  return mrRequest(SERVICE.WRITE_TAG, path, d);
}

/** Bytes a Read Tag reply carries for `elements` values: header 4 + type 2 + data. */
export function readReplySize(type: CipType, elements: number): number {
  return 4 + 2 + SIZES[type] * elements;
}

export function multipleServiceRequest(requests: Buffer[]): Buffer {
  const head = Buffer.alloc(2 + 2 * requests.length);
  head.writeUInt16LE(requests.length, 0);
  let off = head.length;
  requests.forEach((r, i) => { head.writeUInt16LE(off, 2 + 2 * i); off += r.length; });
  return mrRequest(SERVICE.MULTIPLE_SERVICE_PACKET, MESSAGE_ROUTER_PATH, Buffer.concat([head, ...requests]));
}

/** Splits a Multiple Service Packet reply's data into the embedded replies. */
export function parseMultipleServiceReply(data: Buffer, expected: number): MrResponse[] {
  if (data.length < 2) throw new Error('Multiple Service Packet reply too short');
  const n = data.readUInt16LE(0);
  if (n !== expected) throw new Error(`Multiple Service Packet reply holds ${n} replies, ${expected} expected`);
  const offs: number[] = [];
  for (let i = 0; i < n; i++) offs.push(data.readUInt16LE(2 + 2 * i));
  return offs.map((o, i) => parseMrResponse(data.subarray(o, i + 1 < n ? offs[i + 1] : data.length)));
}

// --- values ------------------------------------------------------------------------------

export function decodeValue(buf: Buffer, off: number, type: CipType): number {
  switch (type) {
    case 'bool': return buf[off] !== 0 ? 1 : 0;
    case 'sint': return buf.readInt8(off);
    case 'usint': return buf.readUInt8(off);
    case 'int': return buf.readInt16LE(off);
    case 'uint': return buf.readUInt16LE(off);
    case 'dint': return buf.readInt32LE(off);
    case 'udint': return buf.readUInt32LE(off);
    case 'lint': return Number(buf.readBigInt64LE(off));
    case 'ulint': return Number(buf.readBigUInt64LE(off));
    case 'real': return buf.readFloatLE(off);
    case 'lreal': return buf.readDoubleLE(off);
  }
}

const RANGES: Partial<Record<CipType, [number, number]>> = {
  sint: [-128, 127], usint: [0, 255], int: [-32768, 32767], uint: [0, 65535], dint: [-2147483648, 2147483647], udint: [0, 4294967295],
  lint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], ulint: [0, Number.MAX_SAFE_INTEGER],
};

/** Throws naming the value when it does not fit the type (no silent wrap-around on a write). */
export function checkValue(type: CipType, v: number): void {
  const r = RANGES[type];
  if (!r) return;
  if (!Number.isInteger(v) || v < r[0] || v > r[1]) throw new Error(`msg.payload: ${v} does not fit ${type.toUpperCase()} (${r[0]} … ${r[1]}, integers)`);
}

export function encodeValue(buf: Buffer, off: number, type: CipType, v: number): void {
  switch (type) {
    case 'bool': buf[off] = v ? 0xff : 0; return;
    case 'sint': buf.writeInt8(v, off); return;
    case 'usint': buf.writeUInt8(v, off); return;
    case 'int': buf.writeInt16LE(v, off); return;
    case 'uint': buf.writeUInt16LE(v, off); return;
    case 'dint': buf.writeInt32LE(v, off); return;
    case 'udint': buf.writeUInt32LE(v, off); return;
    case 'lint': buf.writeBigInt64LE(BigInt(v), off); return;
    case 'ulint': buf.writeBigUInt64LE(BigInt(v), off); return;
    case 'real': buf.writeFloatLE(v, off); return;
    case 'lreal': buf.writeDoubleLE(v, off); return;
  }
}
