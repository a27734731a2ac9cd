// One Modbus TCP device connection shared by its poll and write nodes: the shared device
// link (../device-session.ts: serialised requests, reconnect with backoff and jitter, state
// events) over the Modbus transport. An exception response is an answer from the device:
// it leaves the link up.
import type { BackoffOptions } from '../../platform';
import type { Clock } from '../clock';
import { DeviceSession } from '../device-session';
import type { RegisterKind } from './datatypes';
import { ModbusExceptionError, ModbusSerialTransport, type ModbusTransport, type TcpTarget } from './transport';

export { NotConnectedError, type ConnectionStats, type LinkState } from '../device-session';

export interface ConnectionOptions extends TcpTarget {
  backoff?: BackoffOptions;
  clock?: Clock;
  transport?: ModbusTransport;
}

export function validateTarget(t: Partial<TcpTarget>): TcpTarget {
  const host = String(t.host ?? '').trim();
  if (!host) throw new Error('host: must not be empty');
  const port = Number(t.port ?? 502);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port: must be an integer 1 … 65535 (got ${JSON.stringify(t.port)})`);
  const unitId = Number(t.unitId ?? 1);
  if (!Number.isInteger(unitId) || unitId < 0 || unitId > 255) throw new Error(`unitId: must be an integer 0 … 255 (got ${JSON.stringify(t.unitId)})`);
  const timeoutMs = Number(t.timeoutMs ?? 1000);
  if (!Number.isFinite(timeoutMs) || timeoutMs < 10 || timeoutMs > 60_000) throw new Error(`timeoutMs: must be 10 … 60000 ms (got ${JSON.stringify(t.timeoutMs)})`);
  return { host, port, unitId, timeoutMs };
}

export class ModbusConnection extends DeviceSession<ModbusTransport> {
  readonly target: TcpTarget;

  constructor(o: ConnectionOptions) {
    const target = validateTarget(o);
    super(o, {
      channel: o.transport ?? new ModbusSerialTransport(target), kind: 'modbus-tcp', target: `${target.host}:${target.port} unit ${target.unitId}`,
      peer: 'device', isAnswer: (e) => e instanceof ModbusExceptionError,
    });
    this.target = target;
  }

  read(kind: RegisterKind, address: number, count: number): Promise<number[]> {
    return this.run(() => this.channel.read(kind, address, count));
  }

  writeRegisters(address: number, words: number[]): Promise<void> {
    return this.run(() => this.channel.writeRegisters(address, words));
  }

  writeCoils(address: number, bits: boolean[]): Promise<void> {
    return this.run(() => this.channel.writeCoils(address, bits));
  }
}
