// Types shared by the storage engine's parts. Column batches rather than sample objects
// travel between them so the hot paths stay allocation-free per sample.

export interface Logger {
  info(msg: string, ...args: unknown[]): void;
  warn(msg: string, ...args: unknown[]): void;
  error(msg: string, ...args: unknown[]): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Sorted (ascending ts, unique ts) columns of one series. */
export interface Columns {
  ts: Float64Array;
  values: Float64Array;
  quality: Uint16Array;
}

/** A batch of one series' samples as the streaming queries yield it. */
export interface SeriesBatch extends Columns {
  tag: string;
}

export type FsyncPolicy = 'always' | 'interval' | 'never';

export type Interpolation = 'step' | 'linear';

export type Clock = () => number;
