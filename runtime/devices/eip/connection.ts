// One EtherNet/IP device connection shared by its poll and write nodes: the shared device
// link (../device-session.ts: serialised requests, reconnect with backoff and jitter, state
// events) over one registered session. A CIP error status is an answer from the
// controller and leaves the link up; a timeout or reset drops it.
import type { BackoffOptions } from '../../platform';
import type { Clock } from '../clock';
import { DeviceSession } from '../device-session';
import { parseMrResponse, type MrResponse } from './cip';
import { EipSession, type EipTarget } from './session';

export { NotConnectedError, type LinkState } from '../device-session';

/** The request/reply channel, behind an interface so the connection logic can be tested on its own. */
export interface EipChannel {
  connect(): Promise<void>;
  close(): Promise<void>;
  request(mr: Buffer): Promise<Buffer>;
  onClose(cb: () => void): void;
}

export interface EipConnectionOptions extends Partial<EipTarget> {
  host: string;
  /** largest CIP message (request or reply) in bytes; 504 is the Logix limit for unconnected messages */
  maxPacket?: number;
  backoff?: BackoffOptions;
  clock?: Clock;
  channel?: EipChannel;
}

export function validateEipTarget(t: Partial<EipTarget> & { maxPacket?: number }): EipTarget & { maxPacket: number } {
  const host = String(t.host ?? '').trim();
  if (!host) throw new Error('host: must not be empty');
  const port = Number(t.port ?? 44818);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port: must be an integer 1 … 65535 (got ${JSON.stringify(t.port)})`);
  const slot = Number(t.slot ?? 0);
  if (!Number.isInteger(slot) || slot < 0 || slot > 255) throw new Error(`slot: must be an integer 0 … 255 (got ${JSON.stringify(t.slot)})`);
  const timeoutMs = Number(t.timeoutMs ?? 2000);
  if (!Number.isFinite(timeoutMs) || timeoutMs < 50 || timeoutMs > 60_000) throw new Error(`timeoutMs: must be 50 … 60000 ms (got ${JSON.stringify(t.timeoutMs)})`);
  const maxPacket = Number(t.maxPacket ?? 504);
  if (!Number.isInteger(maxPacket) || maxPacket < 100 || maxPacket > 4002) throw new Error(`maxPacket: must be an integer 100 … 4002 bytes (got ${JSON.stringify(t.maxPacket)})`);
  return { host, port, slot, timeoutMs, maxPacket };
}

export class EipConnection extends DeviceSession<EipChannel> {
  readonly target: EipTarget & { maxPacket: number };

  constructor(o: EipConnectionOptions) {
    const target = validateEipTarget(o);
    super(o, { channel: o.channel ?? new EipSession(target), kind: 'ethernet-ip', target: `${target.host}:${target.port} slot ${target.slot}`, peer: 'controller' });
    this.target = target;
  }

  /** Sends one message router request; resolves with the reply whatever its CIP status. */
  request(mr: Buffer): Promise<MrResponse> {
    return this.run(async () => parseMrResponse(await this.channel.request(mr)));
  }
}
