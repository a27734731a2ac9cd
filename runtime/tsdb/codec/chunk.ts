// The chunk container (FORMAT-chunk.md): 2 header bytes, a LEB128 sample count, then one
// bit stream holding the timestamp, value and quality sections in that order.
import { appendBits, BitReader, BitWriter } from './bits';
import { readGorillaValues, writeGorillaValues } from './gorilla-values';
import { Q_RUNS_RC, readQuality, qualityCodec, validateQuality, writeQuality, writeQualityBest } from './quality';
import {
  readDodTimestamps, readGapTimestamps, TS_DOD, TS_GAPS, validateTimestamps, writeDodTimestamps, writeGapTimestamps,
} from './timestamps';
import { readValues, V_DECIMAL_EXC, V_DICT, V_XOR, writeValues } from './values';
import { inScratch } from './scratch';

const V_LAST_V1 = V_DICT;
const V_LAST_V2 = V_DECIMAL_EXC;

/**
 * Format 3 (written): adds value codecs 6–8 (range-coded residuals). Format 2 (0xA2, adds
 * DECIMAL_EXC) and format 1 (0xA1) are still read.
 */
export const CHUNK_MAGIC = 0xa3;
export const CHUNK_MAGIC_V2 = 0xa2;
export const CHUNK_MAGIC_V1 = 0xa1;
/** Largest sample count a chunk header accepts (guards allocation on corrupt input). */
export const MAX_CHUNK_SAMPLES = 1 << 24;

export interface ChunkColumns {
  ts: Float64Array<ArrayBuffer>;
  values: Float64Array<ArrayBuffer>;
  quality: Uint16Array<ArrayBuffer>;
}

function checkInput(ts: ArrayLike<number>, values: ArrayLike<number>, quality: ArrayLike<number>, n: number | undefined): number {
  const count = n ?? ts.length;
  if (!Number.isInteger(count) || count < 0) throw new Error(`n: must be a non-negative integer (got ${n})`);
  if (count > MAX_CHUNK_SAMPLES) throw new Error(`n: at most ${MAX_CHUNK_SAMPLES} samples per chunk (got ${count})`);
  if (ts.length < count) throw new Error(`ts: has ${ts.length} entries, fewer than n = ${count}`);
  if (values.length < count) throw new Error(`values: has ${values.length} entries, fewer than n = ${count}`);
  if (quality.length < count) throw new Error(`quality: has ${quality.length} entries, fewer than n = ${count}`);
  validateTimestamps(ts, count);
  validateQuality(quality, count);
  return count;
}

function writeHeader(tsCodec: number, valueCodec: number, qCodec: number, n: number, body: BitWriter): Uint8Array {
  let varintLen = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 128)) varintLen++;
  const out = new Uint8Array(2 + varintLen + body.byteLength);
  out[0] = CHUNK_MAGIC;
  out[1] = (tsCodec << 6) | (valueCodec << 2) | qCodec;
  let p = 2;
  let v = n;
  while (v >= 0x80) { out[p++] = (v & 0x7f) | 0x80; v = Math.floor(v / 128); }
  out[p++] = v;
  body.copyTo(out, p);
  return out;
}

interface Header { tsCodec: number; valueCodec: number; qCodec: number; n: number; bodyStart: number }

function readHeader(buf: Uint8Array): Header {
  if (!(buf instanceof Uint8Array)) throw new Error('chunk: expected a Uint8Array');
  if (buf.length < 3) throw new Error(`corrupt chunk: ${buf.length} bytes is shorter than a chunk header`);
  if (buf[0] !== CHUNK_MAGIC && buf[0] !== CHUNK_MAGIC_V2 && buf[0] !== CHUNK_MAGIC_V1) {
    throw new Error(`corrupt chunk: bad magic byte 0x${buf[0].toString(16)} (expected 0xa1, 0xa2 or 0x${CHUNK_MAGIC.toString(16)})`);
  }
  let n = 0;
  let scale = 1;
  let p = 2;
  for (;;) {
    if (p >= buf.length) throw new Error('corrupt chunk: truncated sample count');
    const b = buf[p++];
    n += (b & 0x7f) * scale;
    if (b < 0x80) break;
    scale *= 128;
    if (scale > 2 ** 28) throw new Error('corrupt chunk: sample count varint too long');
  }
  if (n > MAX_CHUNK_SAMPLES) throw new Error(`corrupt chunk: sample count ${n} exceeds ${MAX_CHUNK_SAMPLES}`);
  const c = buf[1];
  const valueCodec = (c >>> 2) & 15;
  if (buf[0] === CHUNK_MAGIC_V1 && valueCodec > V_LAST_V1) throw new Error(`corrupt chunk: value codec ${valueCodec} does not exist in chunk format 1`);
  if (buf[0] !== CHUNK_MAGIC && valueCodec > V_LAST_V2) throw new Error(`corrupt chunk: value codec ${valueCodec} does not exist in chunk format ${buf[0] & 15}`);
  const qCodec = c & 3;
  if (buf[0] !== CHUNK_MAGIC && qCodec === Q_RUNS_RC) throw new Error(`corrupt chunk: quality codec ${qCodec} does not exist in chunk format ${buf[0] & 15}`);
  return { tsCodec: c >>> 6, valueCodec, qCodec, n, bodyStart: p };
}

export function chunkSampleCount(buf: Uint8Array): number {
  return readHeader(buf).n;
}

/** Value codec id of a chunk (see FORMAT-chunk.md), for statistics and tests. */
export function chunkValueCodec(buf: Uint8Array): number {
  return readHeader(buf).valueCodec;
}

/** Writes the smaller of the two timestamp encodings (both are cheap to produce). */
function writeTimestamps(w: BitWriter, ts: ArrayLike<number>, n: number): number {
  if (n < 2 || ts[0] < 0) {
    writeDodTimestamps(w, ts, n);
    return TS_DOD;
  }
  const gaps = new BitWriter((n >>> 5) + 8);
  writeGapTimestamps(gaps, ts, n);
  const dod = new BitWriter((n >>> 5) + 8);
  writeDodTimestamps(dod, ts, n);
  if (gaps.pos <= dod.pos) { appendBits(w, gaps); return TS_GAPS; }
  appendBits(w, dod);
  return TS_DOD;
}

export function encodeChunk(ts: ArrayLike<number>, values: ArrayLike<number>, quality: ArrayLike<number>, n?: number): Uint8Array {
  const count = checkInput(ts, values, quality, n);
  // the temporaries live in scratch memory (scratch.ts); the chunk itself is a new array
  return inScratch(() => {
    const w = new BitWriter((count >>> 1) + 16);
    const tsCodec = writeTimestamps(w, ts, count);
    const valueCodec = writeValues(w, values, count, true);
    const qCodec = writeQualityBest(w, quality, count);
    return writeHeader(tsCodec, valueCodec, qCodec, count, w);
  });
}

export function encodeGorillaChunk(ts: ArrayLike<number>, values: ArrayLike<number>, quality: ArrayLike<number>, n?: number): Uint8Array {
  const count = checkInput(ts, values, quality, n);
  const w = new BitWriter(count * 2 + 16);
  writeDodTimestamps(w, ts, count);
  writeGorillaValues(w, values, count);
  const qCodec = qualityCodec(quality, count);
  writeQuality(w, qCodec, quality, count);
  return writeHeader(TS_DOD, V_XOR, qCodec, count, w);
}

export function decodeChunk(buf: Uint8Array): ChunkColumns {
  return inScratch(() => decodeBody(buf));
}

function decodeBody(buf: Uint8Array): ChunkColumns {
  const h = readHeader(buf);
  const n = h.n;
  const r = new BitReader(buf, h.bodyStart);
  const ts = new Float64Array(n);
  const values = new Float64Array(n);
  const quality = new Uint16Array(n);
  if (h.tsCodec === TS_DOD) readDodTimestamps(r, ts, n);
  else if (h.tsCodec === TS_GAPS) readGapTimestamps(r, ts, n);
  else throw new Error(`corrupt chunk: unknown timestamp codec ${h.tsCodec}`);
  r.checkInBounds('timestamp section');
  readValues(r, h.valueCodec, values, n);
  r.checkInBounds('value section');
  readQuality(r, h.qCodec, quality, n);
  r.checkInBounds('quality section');
  if (r.limit - r.pos >= 8) {
    throw new Error(`corrupt chunk: ${(r.limit - r.pos) >>> 3} trailing bytes after the last section`);
  }
  return { ts, values, quality };
}

export { writeGorillaValues, readGorillaValues };
