// EtherNet/IP encapsulation (CIP Vol. 2 ch. 2): the 24-byte header and the Common Packet
// Format that carries an explicit CIP message inside SendRRData (PROTOCOL.md).

export const ENCAP = {
  LIST_IDENTITY: 0x63,
  REGISTER_SESSION: 0x65,
  UNREGISTER_SESSION: 0x66,
  SEND_RR_DATA: 0x6f,
  SEND_UNIT_DATA: 0x70,
} as const;

export const CPF = {
  NULL_ADDRESS: 0x0000,
  CONNECTED_ADDRESS: 0x00a1,
  CONNECTED_DATA: 0x00b1,
  UNCONNECTED_DATA: 0x00b2,
} as const;

export const HEADER_BYTES = 24;

export interface EncapHeader {
  command: number;
  length: number;
  session: number;
  status: number;
  context: Buffer;
  options: number;
}

export function encodeEncap(command: number, session: number, context: Buffer, data: Buffer): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.writeUInt16LE(command, 0);
  h.writeUInt16LE(data.length, 2);
  h.writeUInt32LE(session, 4);
  h.writeUInt32LE(0, 8);
  context.copy(h, 12, 0, 8);
  h.writeUInt32LE(0, 20);
  return Buffer.concat([h, data]);
}

export function decodeEncapHeader(b: Buffer): EncapHeader {
  return { command: b.readUInt16LE(0), length: b.readUInt16LE(2), session: b.readUInt32LE(4), status: b.readUInt32LE(8), context: b.subarray(12, 20), options: b.readUInt32LE(20) };
}

export function registerSessionData(): Buffer {
  return Buffer.from([1, 0, 0, 0]); // protocol version 1, options 0
}

/** SendRRData body: interface handle 0, timeout, CPF with a null address and the unconnected message. */
export function sendRRData(message: Buffer, timeoutSec: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(0, 0);
  b.writeUInt16LE(Math.min(0xffff, Math.max(1, Math.ceil(timeoutSec))), 4);
  b.writeUInt16LE(2, 6); // item count
  b.writeUInt16LE(CPF.NULL_ADDRESS, 8);
  b.writeUInt16LE(0, 10);
  b.writeUInt16LE(CPF.UNCONNECTED_DATA, 12);
  b.writeUInt16LE(message.length, 14);
  return Buffer.concat([b, message]);
}

/** Finds the unconnected (or connected) data item of a SendRRData/SendUnitData body. */
export function cpfDataItem(body: Buffer): Buffer {
  if (body.length < 8) throw new Error('EtherNet/IP reply: common packet format too short');
  const count = body.readUInt16LE(6);
  let off = 8;
  for (let i = 0; i < count; i++) {
    const type = body.readUInt16LE(off);
    const len = body.readUInt16LE(off + 2);
    const data = body.subarray(off + 4, off + 4 + len);
    if (type === CPF.UNCONNECTED_DATA) return data;
    if (type === CPF.CONNECTED_DATA) return data.subarray(2); // after the sequence count
    off += 4 + len;
  }
  throw new Error('EtherNet/IP reply: no data item in the common packet format');
}

/** Wraps a message router request in Unconnected Send (Connection Manager 0x52) routed to backplane `slot`. */
export function unconnectedSend(request: Buffer, slot: number, timeoutMs: number): Buffer {
  // time_tick 2^n ms with n = 10 (1.024 s) is too coarse; n = 4 (16 ms) × ticks ≤ 255 covers 4 s.
  const tick = timeoutMs > 4000 ? 8 : 4;
  const ticks = Math.min(255, Math.max(1, Math.ceil(timeoutMs / (1 << tick))));
  const pad = request.length % 2;
  const d = Buffer.alloc(4 + request.length + pad + 2 + 2);
  d[0] = tick;
  d[1] = ticks;
  d.writeUInt16LE(request.length, 2);
  request.copy(d, 4);
  let o = 4 + request.length + pad;
  d[o++] = 1; // route path size in words
  d[o++] = 0;
  d[o++] = 0x01; // port segment: backplane
  d[o++] = slot;
  return Buffer.concat([Buffer.from([0x52, 2, 0x20, 0x06, 0x24, 0x01]), d]);
}
