// An EGD producer for tests and the device benchmark: sends production datagrams in the
// published EGD format (32-byte header: PDU type 13, version 1, request id, producer id,
// exchange id, timestamp s/ns, status, configuration signature, reserved; then the data),
// written independently of the consumer in runtime/devices/egd. Layout documented in
// runtime/devices/egd/FORMAT-datagram.md.
import dgram from 'node:dgram';

export interface EgdProducerOptions {
  host: string;
  port: number;
  producerId: string;
  exchangeId: number;
  configSignature?: number;
  status?: number;
}

export interface EgdProducer {
  /** sends one production with `data`; returns its request id */
  send(data: Buffer, o?: { requestId?: number; timestampMs?: number; configSignature?: number }): Promise<number>;
  /** produces `data()` every `periodMs` until stop() */
  run(periodMs: number, data: () => Buffer): void;
  stop(): void;
  sent(): number;
  close(): Promise<void>;
}

export function encodeEgdProduction(o: EgdProducerOptions, requestId: number, timestampMs: number, data: Buffer, configSignature = o.configSignature ?? 0): Buffer {
  const h = Buffer.alloc(32);
  h.writeUInt8(13, 0);
  h.writeUInt8(1, 1);
  h.writeUInt16LE(requestId & 0xffff, 2);
  o.producerId.split('.').forEach((b, i) => h.writeUInt8(Number(b), 4 + i));
  h.writeUInt32LE(o.exchangeId >>> 0, 8);
  h.writeUInt32LE(Math.floor(timestampMs / 1000), 12);
  h.writeUInt32LE((timestampMs % 1000) * 1e6, 16);
  h.writeUInt32LE(o.status ?? 0, 20);
  h.writeUInt32LE(configSignature >>> 0, 24);
  return Buffer.concat([h, data]);
}

export async function startEgdProducer(o: EgdProducerOptions): Promise<EgdProducer> {
  const socket = dgram.createSocket('udp4');
  let seq = 0;
  let count = 0;
  let timer: NodeJS.Timeout | null = null;
  const send = (data: Buffer, x: { requestId?: number; timestampMs?: number; configSignature?: number } = {}) => new Promise<number>((resolve, reject) => {
    const id = x.requestId ?? (seq = (seq + 1) & 0xffff);
    socket.send(encodeEgdProduction(o, id, x.timestampMs ?? Date.now(), data, x.configSignature), o.port, o.host, (e) => {
      if (e) return reject(e);
      count++;
      resolve(id);
    });
  });
  return {
    send,
    run(periodMs, data) {
      if (timer) clearInterval(timer);
      timer = setInterval(() => { void send(data()).catch(() => {}); }, periodMs);
    },
    stop() { if (timer) clearInterval(timer); timer = null; },
    sent: () => count,
    close: () => new Promise<void>((resolve) => { if (timer) clearInterval(timer); socket.close(() => resolve()); }),
  };
}
