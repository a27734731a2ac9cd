// The EGD (Ethernet Global Data) production datagram (FORMAT-datagram.md): a 32-byte
// header followed by the exchange's data, all little-endian except the producer id, which
// is an IPv4 address in network order.
export const EGD_PORT = 18246;
export const EGD_HEADER_BYTES = 32;
export const EGD_PDU_TYPE = 13;
export const EGD_PDU_VERSION = 1;
export const EGD_MAX_DATA = 1400;

export interface EgdDatagram {
  /** sequence number of the production, wraps at 65536 */
  requestId: number;
  /** producer id in dotted form (usually the producer's IP address) */
  producerId: string;
  exchangeId: number;
  /** producer's timestamp, epoch ms (0 when the producer does not set it) */
  timestampMs: number;
  status: number;
  configSignature: number;
  data: Buffer;
}

export class EgdFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EgdFormatError';
  }
}

export function decodeEgd(buf: Buffer): EgdDatagram {
  if (buf.length < EGD_HEADER_BYTES) throw new EgdFormatError(`datagram of ${buf.length} bytes is shorter than the ${EGD_HEADER_BYTES}-byte EGD header`);
  if (buf[0] !== EGD_PDU_TYPE) throw new EgdFormatError(`PDU type ${buf[0]} is not an EGD production (13)`);
  if (buf[1] !== EGD_PDU_VERSION) throw new EgdFormatError(`EGD version ${buf[1]} is not supported (1)`);
  if (buf.length - EGD_HEADER_BYTES > EGD_MAX_DATA) throw new EgdFormatError(`EGD data of ${buf.length - EGD_HEADER_BYTES} bytes exceeds ${EGD_MAX_DATA}`);
  const sec = buf.readUInt32LE(12);
  const nsec = buf.readUInt32LE(16);
  return {
    requestId: buf.readUInt16LE(2),
    producerId: `${buf[4]}.${buf[5]}.${buf[6]}.${buf[7]}`,
    exchangeId: buf.readUInt32LE(8),
    timestampMs: sec * 1000 + Math.floor(nsec / 1e6),
    status: buf.readUInt32LE(20),
    configSignature: buf.readUInt32LE(24),
    data: buf.subarray(EGD_HEADER_BYTES),
  };
}
