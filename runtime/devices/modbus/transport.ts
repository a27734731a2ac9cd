// The Modbus TCP client behind a small interface, implemented on `modbus-serial`.
// Keeping the library behind it lets the connection logic (queue, reconnect, quality) be
// tested against a fake and keeps library quirks in one place.
import ModbusRTU from 'modbus-serial';
import type { RegisterKind } from './datatypes';

export interface ModbusTransport {
  connect(): Promise<void>;
  close(): Promise<void>;
  isOpen(): boolean;
  read(kind: RegisterKind, address: number, count: number): Promise<number[]>;
  writeRegisters(address: number, words: number[]): Promise<void>;
  writeCoils(address: number, bits: boolean[]): Promise<void>;
  /** called when the transport notices the link went away */
  onClose(cb: () => void): void;
}

export interface TcpTarget {
  host: string;
  port: number;
  unitId: number;
  timeoutMs: number;
}

/** A Modbus exception response from the device (the link itself is fine). */
export class ModbusExceptionError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'ModbusExceptionError';
  }
}

function wrap(e: unknown): Error {
  const err = e as { modbusCode?: number; message?: string };
  if (err && typeof err.modbusCode === 'number') return new ModbusExceptionError(err.modbusCode, err.message ?? `Modbus exception ${err.modbusCode}`);
  return e instanceof Error ? e : new Error(String(e));
}

export class ModbusSerialTransport implements ModbusTransport {
  private client: ModbusRTU | null = null;
  private closeCbs: Array<() => void> = [];

  constructor(private readonly target: TcpTarget) {}

  async connect(): Promise<void> {
    await this.close();
    const client = new ModbusRTU();
    this.client = client;
    // modbus-serial re-emits socket errors; without a listener they would crash the process.
    (client as unknown as { on(ev: string, cb: (...a: unknown[]) => void): void }).on('error', () => {});
    client.on('close', () => {
      if (this.client === client) for (const cb of this.closeCbs) cb();
    });
    try {
      await client.connectTCP(this.target.host, { port: this.target.port, timeout: this.target.timeoutMs } as never);
    } catch (e) {
      this.client = null;
      try { client.destroy(() => {}); } catch { /* already gone */ }
      throw wrap(e);
    }
    client.setID(this.target.unitId);
    client.setTimeout(this.target.timeoutMs);
  }

  close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (!c) return Promise.resolve();
    return new Promise((resolve) => {
      try {
        c.close(() => resolve());
      } catch {
        resolve();
      }
      // close() never calls back when the socket is already gone
      setTimeout(resolve, 200).unref();
    });
  }

  isOpen(): boolean {
    return !!this.client && this.client.isOpen;
  }

  onClose(cb: () => void): void {
    this.closeCbs.push(cb);
  }

  private c(): ModbusRTU {
    if (!this.client || !this.client.isOpen) throw new Error('not connected');
    return this.client;
  }

  async read(kind: RegisterKind, address: number, count: number): Promise<number[]> {
    try {
      const c = this.c();
      switch (kind) {
        case 'holding': return (await c.readHoldingRegisters(address, count)).data;
        case 'input': return (await c.readInputRegisters(address, count)).data;
        case 'coil': return (await c.readCoils(address, count)).data.slice(0, count).map((b) => (b ? 1 : 0));
        case 'discrete': return (await c.readDiscreteInputs(address, count)).data.slice(0, count).map((b) => (b ? 1 : 0));
      }
    } catch (e) {
      throw wrap(e);
    }
  }

  async writeRegisters(address: number, words: number[]): Promise<void> {
    try {
      await this.c().writeRegisters(address, words);
    } catch (e) {
      throw wrap(e);
    }
  }

  async writeCoils(address: number, bits: boolean[]): Promise<void> {
    try {
      const c = this.c();
      if (bits.length === 1) await c.writeCoil(address, bits[0]);
      else await c.writeCoils(address, bits);
    } catch (e) {
      throw wrap(e);
    }
  }
}
