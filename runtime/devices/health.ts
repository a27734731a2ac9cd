// What a device connection tells the system health page and the system alarms: its link
// state, since when, the last successful read and error counters. Connections register
// themselves in services().components.devices (the device config nodes do it).
export interface DeviceHealth {
  /** protocol, e.g. "modbus-tcp" */
  kind: string;
  /** where it connects, e.g. "10.0.0.5:502 unit 1" */
  target: string;
  state: string;
  connected: boolean;
  /** epoch ms of the last state change (null: never changed) */
  since: number | null;
  /** epoch ms of the last request the device answered */
  lastGoodAt: number | null;
  requests: number;
  errors: number;
  lastError: string | null;
}

export interface DeviceComponent {
  health(): DeviceHealth;
}

export function isDeviceComponent(x: unknown): x is DeviceComponent {
  return !!x && typeof (x as DeviceComponent).health === 'function';
}

/**
 * DeviceHealth kept from events, for adapters whose connection object does not track it
 * itself (e.g. the OPC UA subscription): state changes, answered reads, errors.
 */
export class DeviceHealthTracker implements DeviceComponent {
  private st = 'connecting';
  private since: number | null = null;
  private lastGoodAt: number | null = null;
  private requests = 0;
  private errors = 0;
  private lastError: string | null = null;

  constructor(readonly kind: string, readonly target: string, private readonly now: () => number = Date.now) {}

  state(s: string, detail?: string): void {
    if (s !== this.st) this.since = this.now();
    this.st = s;
    if (s === 'disconnected' && detail) this.error(detail);
  }

  /** The device answered (a read, a data change notification). */
  good(n = 1): void {
    this.requests += n;
    this.lastGoodAt = this.now();
  }

  error(message: string): void {
    this.errors++;
    this.lastError = message;
  }

  health(): DeviceHealth {
    return {
      kind: this.kind, target: this.target, state: this.st, connected: this.st === 'connected', since: this.since,
      lastGoodAt: this.lastGoodAt, requests: this.requests, errors: this.errors, lastError: this.lastError,
    };
  }
}
