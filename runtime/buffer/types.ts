// Shared types of the durable queue.
export type Category = 'telemetry' | 'event' | 'alarm';
export const CATEGORIES: readonly Category[] = ['telemetry', 'event', 'alarm'];

export type FsyncPolicy = 'always' | 'interval' | 'never';
/** `spill`: RAM first, disk when RAM is full; `always`: every entry is journaled to disk. */
export type JournalMode = 'spill' | 'always';
/** What happens when the disk limit is reached. */
export type FullPolicy = 'block' | 'drop-oldest';

export type BufferEvent =
  | { type: 'disk-full'; policy: FullPolicy; diskBytes: number; limit: number }
  | { type: 'disk-ok'; diskBytes: number; limit: number }
  | { type: 'dropped'; entries: number; samples: number; totalDropped: number }
  | { type: 'quarantined'; id: string; reason: string }
  | { type: 'recovered'; entries: number; samples: number; tornSegments: number };

export interface Logger {
  info(m: string): void;
  warn(m: string): void;
  error(m: string): void;
}
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
