// Compression figures of the chunk codecs on SKAB real sensor data, side by side with
// plain Gorilla in the same run. Each channel of each file is one series, cut into chunks
// of RECOMMENDED_CHUNK_SAMPLES as the engine cuts them; bytes are whole encoded chunks
// (header, timestamps, values, quality) divided by samples.
import { encodeChunk, encodeGorillaChunk, RECOMMENDED_CHUNK_SAMPLES } from '../../../runtime/tsdb/codec';
import { readSkab, SKAB_CHANNELS, skabAllFiles } from './skab';

export interface ChannelCompression { channel: string; ours: number; gorilla: number; ratio: number }
export interface FileCompression { file: string; channels: ChannelCompression[]; ours: number; gorilla: number; ratio: number }
export interface SkabCompression { files: FileCompression[]; maxRatio: number; chunkSamples: number }

export interface SeriesBytes { samples: number; ours: number; gorilla: number }

/** Encodes one series both ways in chunks of `chunkSamples` and returns the total bytes. */
export function seriesBytes(
  ts: ArrayLike<number>, values: ArrayLike<number>, quality?: ArrayLike<number>,
  chunkSamples = RECOMMENDED_CHUNK_SAMPLES,
): SeriesBytes {
  const n = ts.length;
  const q = quality ?? new Uint16Array(n);
  let ours = 0;
  let gorilla = 0;
  for (let s = 0; s < n; s += chunkSamples) {
    const e = Math.min(n, s + chunkSamples);
    const t = Array.prototype.slice.call(ts, s, e) as number[];
    const v = Array.prototype.slice.call(values, s, e) as number[];
    const qq = Array.prototype.slice.call(q, s, e) as number[];
    ours += encodeChunk(t, v, qq).length;
    gorilla += encodeGorillaChunk(t, v, qq).length;
  }
  return { samples: n, ours, gorilla };
}

/** Bytes per sample for every SKAB file and channel, ours vs plain Gorilla. */
export function measureSkabCompression(chunkSamples = RECOMMENDED_CHUNK_SAMPLES): SkabCompression {
  const files: FileCompression[] = [];
  let maxRatio = 0;
  for (const file of skabAllFiles()) {
    const f = readSkab(file);
    const channels: ChannelCompression[] = [];
    let ours = 0;
    let gorilla = 0;
    let samples = 0;
    for (const channel of SKAB_CHANNELS) {
      const b = seriesBytes(f.ts, f.channels[channel], undefined, chunkSamples);
      channels.push({ channel, ours: b.ours / b.samples, gorilla: b.gorilla / b.samples, ratio: b.ours / b.gorilla });
      ours += b.ours;
      gorilla += b.gorilla;
      samples += b.samples;
    }
    const ratio = ours / gorilla;
    files.push({ file, channels, ours: ours / samples, gorilla: gorilla / samples, ratio });
    if (ratio > maxRatio) maxRatio = ratio;
  }
  return { files, maxRatio, chunkSamples };
}

export interface SeriesColumns { ts: ArrayLike<number>; values: ArrayLike<number>; quality?: ArrayLike<number> }

/**
 * Bytes per sample over many series (e.g. a day of the demo plant, one series per tag),
 * ours vs plain Gorilla, chunked like the engine.
 */
export function measureSeriesCompression(series: Iterable<SeriesColumns>, chunkSamples = RECOMMENDED_CHUNK_SAMPLES):
  { samples: number; ours: number; gorilla: number; ratio: number } {
  let samples = 0;
  let ours = 0;
  let gorilla = 0;
  for (const s of series) {
    const b = seriesBytes(s.ts, s.values, s.quality, chunkSamples);
    samples += b.samples;
    ours += b.ours;
    gorilla += b.gorilla;
  }
  if (samples === 0) throw new Error('measureSeriesCompression: no samples');
  return { samples, ours: ours / samples, gorilla: gorilla / samples, ratio: ours / gorilla };
}
