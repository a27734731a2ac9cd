// What a registered buffer (services().components.buffers) offers the HTTP API and the
// metrics: its status and its quarantine.
import type { QuarantineItem } from './quarantine';

export interface BufferStatus {
  connected: boolean;
  /** sending paused by an operator (entries keep being buffered) */
  paused: boolean;
  /** entries not yet acknowledged (in flight included) */
  pending: number;
  pendingSamples: number;
  inFlight: number;
  ramBytes: number;
  diskBytes: number;
  oldestAgeMs: number;
  sent: number;
  sentSamples: number;
  sentPerSecond: number;
  retries: number;
  quarantined: number;
  dropped: number;
  droppedSamples: number;
  diskFull: boolean;
  blocked: number;
  lastError: string | null;
  /** when the last send or connection attempt failed (ms); absent or null when unknown */
  lastErrorAt?: number | null;
  /** when an entry was last delivered (ms): after lastErrorAt, the error is behind it */
  lastSentAt?: number | null;
}

export interface BufferComponent {
  status(): BufferStatus;
  quarantined(): QuarantineItem[];
  replayQuarantine(ids?: readonly string[]): Promise<number>;
  purgeQuarantine(ids?: readonly string[]): number;
  pause?(): Promise<void>;
  resume?(): void;
}

export function isBufferComponent(x: unknown): x is BufferComponent {
  return !!x && typeof (x as BufferComponent).status === 'function' && typeof (x as BufferComponent).quarantined === 'function';
}
