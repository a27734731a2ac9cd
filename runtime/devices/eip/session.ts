// One TCP connection to an EtherNet/IP device with a registered session: sends a CIP
// request (Unconnected Send over SendRRData) and resolves with the reply. One request is
// outstanding at a time (the connection serialises them); each carries its own sender
// context so a late reply to a timed-out request is never taken for the next one.
import net from 'node:net';
import { decodeEncapHeader, encodeEncap, ENCAP, HEADER_BYTES, cpfDataItem, registerSessionData, sendRRData, unconnectedSend } from './encapsulation';

export interface EipTarget {
  host: string;
  port: number;
  /** backplane slot of the controller (0 for CompactLogix) */
  slot: number;
  timeoutMs: number;
}

export class EipSession {
  private socket: net.Socket | null = null;
  private rx: Buffer = Buffer.alloc(0);
  private session = 0;
  private seq = 0;
  private pending: { context: string; resolve: (b: Buffer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  private closeCb: (() => void) | null = null;

  constructor(readonly target: EipTarget) {}

  onClose(cb: () => void): void {
    this.closeCb = cb;
  }

  async connect(): Promise<void> {
    await this.close();
    const s = await new Promise<net.Socket>((resolve, reject) => {
      const sock = net.connect({ host: this.target.host, port: this.target.port });
      const timer = setTimeout(() => { sock.destroy(); reject(new Error(`connect to ${this.target.host}:${this.target.port} timed out after ${this.target.timeoutMs} ms`)); }, this.target.timeoutMs);
      sock.once('connect', () => { clearTimeout(timer); resolve(sock); });
      sock.once('error', (e) => { clearTimeout(timer); reject(e); });
    });
    s.setNoDelay(true);
    this.socket = s;
    this.rx = Buffer.alloc(0);
    s.on('data', (d) => this.onData(d));
    s.on('error', () => { /* 'close' follows */ });
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = null;
      this.failPending(new Error('connection closed by the device'));
      this.closeCb?.();
    });
    const reply = await this.exchange(ENCAP.REGISTER_SESSION, registerSessionData());
    this.session = reply.session;
  }

  isOpen(): boolean {
    return this.socket !== null && this.session !== 0;
  }

  /** Sends one message router request to the controller and returns its reply. */
  async request(mr: Buffer): Promise<Buffer> {
    if (!this.socket) throw new Error('not connected');
    const body = sendRRData(unconnectedSend(mr, this.target.slot, this.target.timeoutMs), this.target.timeoutMs / 1000);
    const reply = await this.exchange(ENCAP.SEND_RR_DATA, body);
    return cpfDataItem(reply.data);
  }

  private exchange(command: number, data: Buffer): Promise<{ session: number; data: Buffer }> {
    const sock = this.socket;
    if (!sock) return Promise.reject(new Error('not connected'));
    if (this.pending) return Promise.reject(new Error('internal: a request is already outstanding'));
    const context = Buffer.alloc(8);
    context.writeUInt32LE(++this.seq >>> 0, 0);
    context.write('hist', 4, 'ascii');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = null;
        reject(new Error(`no reply within ${this.target.timeoutMs} ms`));
      }, this.target.timeoutMs);
      this.pending = {
        context: context.toString('hex'),
        timer,
        reject,
        resolve: (frame) => {
          const h = decodeEncapHeader(frame);
          if (h.status !== 0) return reject(new Error(`EtherNet/IP encapsulation status 0x${h.status.toString(16)} for command 0x${command.toString(16)}`));
          if (h.command !== command) return reject(new Error(`EtherNet/IP reply command 0x${h.command.toString(16)}, expected 0x${command.toString(16)}`));
          resolve({ session: h.session, data: frame.subarray(HEADER_BYTES) });
        },
      };
      sock.write(encodeEncap(command, this.session, context, data));
    });
  }

  private onData(d: Buffer): void {
    this.rx = this.rx.length ? Buffer.concat([this.rx, d]) : d;
    while (this.rx.length >= HEADER_BYTES) {
      const len = this.rx.readUInt16LE(2);
      if (this.rx.length < HEADER_BYTES + len) return;
      const frame = this.rx.subarray(0, HEADER_BYTES + len);
      this.rx = this.rx.subarray(HEADER_BYTES + len);
      const p = this.pending;
      if (!p || frame.subarray(12, 20).toString('hex') !== p.context) continue; // late reply to a timed-out request
      clearTimeout(p.timer);
      this.pending = null;
      p.resolve(frame);
    }
  }

  private failPending(e: Error): void {
    const p = this.pending;
    if (!p) return;
    clearTimeout(p.timer);
    this.pending = null;
    p.reject(e);
  }

  async close(): Promise<void> {
    const s = this.socket;
    const session = this.session;
    this.socket = null;
    this.session = 0;
    this.failPending(new Error('connection closed'));
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      // UnRegisterSession has no reply; the device closes its side.
      if (!s.destroyed) s.end(encodeEncap(ENCAP.UNREGISTER_SESSION, session, Buffer.alloc(8), Buffer.alloc(0)));
      setTimeout(() => { s.destroy(); resolve(); }, 200).unref();
    });
  }
}
