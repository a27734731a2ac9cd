// A real Modbus TCP server on loopback for the device tests (modbus-serial's ServerTCP),
// serving four plain arrays and counting every request it receives, by function code,
// straight off the socket so coalescing is proven on the wire.
import type { Socket } from 'node:net';
import { ServerTCP } from 'modbus-serial';
import { freePort } from '../../helpers/ports';

export interface TestModbusServer {
  port: number;
  holding: number[];
  input: number[];
  coils: boolean[];
  discretes: boolean[];
  /** requests received, by function code (1 coils, 2 discretes, 3 holding, 4 input, 5/15 write coils, 6/16 write registers) */
  requests: Map<number, number>;
  total(): number;
  resetCounts(): void;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startModbusServer(size = 10_000, unitId = 1): Promise<TestModbusServer> {
  const port = await freePort();
  const holding = new Array(size).fill(0);
  const input = new Array(size).fill(0);
  const coils = new Array(size).fill(false);
  const discretes = new Array(size).fill(false);
  const requests = new Map<number, number>();
  const check = (addr: number, n = 1) => {
    if (addr < 0 || addr + n > size) throw Object.assign(new Error('illegal address'), { modbusErrorCode: 2 });
  };
  const vector = {
    getCoil: (a: number) => { check(a); return coils[a]; },
    getDiscreteInput: (a: number) => { check(a); return discretes[a]; },
    getInputRegister: (a: number) => { check(a); return input[a]; },
    getHoldingRegister: (a: number) => { check(a); return holding[a]; },
    getMultipleInputRegisters: (a: number, n: number) => { check(a, n); return input.slice(a, a + n); },
    getMultipleHoldingRegisters: (a: number, n: number) => { check(a, n); return holding.slice(a, a + n); },
    setRegister: (a: number, v: number) => { check(a); holding[a] = v; },
    setCoil: (a: number, v: boolean) => { check(a); coils[a] = v; },
  };
  let server: ServerTCP | null = null;

  const start = () => new Promise<void>((resolve, reject) => {
    const s = new ServerTCP(vector as never, { host: '127.0.0.1', port, unitID: unitId });
    server = s;
    s.on('serverError', reject);
    s.on('socketError', () => {});
    s.on('error', () => {});
    const net = (s as unknown as { _server: import('node:net').Server })._server;
    net.on('connection', (sock: Socket) => {
      let buf = Buffer.alloc(0);
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 8) {
          const len = buf.readUInt16BE(4);
          if (buf.length < 6 + len) break;
          const fc = buf[7];
          requests.set(fc, (requests.get(fc) ?? 0) + 1);
          buf = buf.subarray(6 + len);
        }
      });
    });
    s.on('initialized', () => resolve());
  });

  await start();
  return {
    port, holding, input, coils, discretes, requests,
    total: () => [...requests.values()].reduce((a, b) => a + b, 0),
    resetCounts: () => requests.clear(),
    stop: () => new Promise<void>((resolve) => {
      const s = server;
      server = null;
      if (!s) return resolve();
      s.close(() => resolve());
    }),
    start,
  };
}
