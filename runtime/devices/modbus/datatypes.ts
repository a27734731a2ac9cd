// Register data types and their decoding/encoding. Modbus transfers 16-bit registers,
// each high byte first on the wire; devices disagree on the byte order inside a register
// and the word order of multi-register values, so both are per tag:
//   byteOrder BE + wordOrder BE = "ABCD" (big-endian, the Modbus convention)
//   byteOrder BE + wordOrder LE = "CDAB" (word swap, common on PLCs)
//   byteOrder LE + wordOrder BE = "BADC" (byte swap)
//   byteOrder LE + wordOrder LE = "DCBA" (little-endian)
export const REGISTER_KINDS = ['coil', 'discrete', 'input', 'holding'] as const;
export type RegisterKind = (typeof REGISTER_KINDS)[number];

export const DATA_TYPES = ['int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'bool', 'bit'] as const;
export type DataType = (typeof DATA_TYPES)[number];

export type Order = 'BE' | 'LE';

export function isBitKind(kind: RegisterKind): boolean {
  return kind === 'coil' || kind === 'discrete';
}

/** Registers (or bits, for coils/discretes) one value occupies. */
export function widthOf(kind: RegisterKind, type: DataType): number {
  if (isBitKind(kind)) return 1;
  switch (type) {
    case 'int32': case 'uint32': case 'float32': return 2;
    case 'float64': return 4;
    default: return 1;
  }
}

export interface Encoding {
  type: DataType;
  byteOrder: Order;
  wordOrder: Order;
  /** bit index 0 (LSB) … 15 for type "bit" */
  bit?: number;
}

// Reorders the registers of one value into big-endian byte order.
function toBigEndian(words: ArrayLike<number>, offset: number, count: number, e: Encoding, buf: Buffer): void {
  for (let i = 0; i < count; i++) {
    const w = words[offset + (e.wordOrder === 'BE' ? i : count - 1 - i)] & 0xffff;
    const hi = e.byteOrder === 'BE' ? w >>> 8 : w & 0xff;
    const lo = e.byteOrder === 'BE' ? w & 0xff : w >>> 8;
    buf[2 * i] = hi;
    buf[2 * i + 1] = lo;
  }
}

const scratch = Buffer.alloc(8);

/** Decodes the raw (unscaled) value of a register-table tag starting at `offset`. */
export function decodeRegisters(words: ArrayLike<number>, offset: number, e: Encoding): number {
  switch (e.type) {
    case 'bit': return (words[offset] >>> (e.bit ?? 0)) & 1;
    case 'bool': return words[offset] & 0xffff ? 1 : 0;
  }
  const n = e.type === 'float64' ? 4 : e.type === 'int16' || e.type === 'uint16' ? 1 : 2;
  toBigEndian(words, offset, n, e, scratch);
  switch (e.type) {
    case 'int16': return scratch.readInt16BE(0);
    case 'uint16': return scratch.readUInt16BE(0);
    case 'int32': return scratch.readInt32BE(0);
    case 'uint32': return scratch.readUInt32BE(0);
    case 'float32': return scratch.readFloatBE(0);
    case 'float64': return scratch.readDoubleBE(0);
  }
  throw new Error(`type: unknown data type "${String(e.type)}"`);
}

const RANGES: Partial<Record<DataType, [number, number]>> = {
  int16: [-32768, 32767], uint16: [0, 65535], int32: [-2147483648, 2147483647], uint32: [0, 4294967295],
};

/** Encodes a raw value into registers in the tag's byte/word order (for writes). */
export function encodeRegisters(value: number, e: Encoding): number[] {
  if (!Number.isFinite(value)) throw new Error(`value: must be a finite number (got ${value})`);
  if (e.type === 'bool') return [value ? 1 : 0];
  if (e.type === 'bit') throw new Error('type: a single bit inside a register cannot be written without a read-modify-write; write the whole register as uint16');
  const range = RANGES[e.type];
  let v = value;
  if (range) {
    v = Math.round(value);
    if (v < range[0] || v > range[1]) throw new Error(`value: ${value} is out of range for ${e.type} (${range[0]} … ${range[1]})`);
  }
  const n = e.type === 'float64' ? 4 : e.type === 'int16' || e.type === 'uint16' ? 1 : 2;
  const buf = Buffer.alloc(2 * n);
  switch (e.type) {
    case 'int16': buf.writeInt16BE(v); break;
    case 'uint16': buf.writeUInt16BE(v); break;
    case 'int32': buf.writeInt32BE(v); break;
    case 'uint32': buf.writeUInt32BE(v); break;
    case 'float32': buf.writeFloatBE(v); break;
    case 'float64': buf.writeDoubleBE(v); break;
  }
  const words: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const hi = buf[2 * i], lo = buf[2 * i + 1];
    const w = e.byteOrder === 'BE' ? (hi << 8) | lo : (lo << 8) | hi;
    words[e.wordOrder === 'BE' ? i : n - 1 - i] = w;
  }
  return words;
}
