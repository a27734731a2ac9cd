// The index section of a block file (FORMAT-block.md): per series its tag, chunk entries
// with their summaries, and rollup entries. Version 2 packed chunk entries into ~40 bytes
// instead of 90: offsets follow from lengths, times and counts are varints and the four
// sample values of a summary are decimal integers where they round-trip. Version 3
// (written) also shares each tag's prefix with the previous tag, writes offsets as the
// distance from where the previous section ended (0), times across series as deltas,
// rollup entries as varints (28 bytes → ~8), and a chunk's integral against
// step·(sum − last): for a slow tag every block holds one chunk per series, so the
// per-series part was most of the index. Version 4 (written) leaves the summary of small
// chunks out (derived from the chunk on read, block.ts), codes counts and spans against
// the previous entry, the sum as a decimal, and shares tag suffixes too.
import type { ChunkEntry, RollupEntry, SeriesIndex } from './block';
import { addToBits, bitsDiff, predictIntegral } from './float-bits';
import type { Summary } from './summary';

/** integral stored as a bit-pattern difference to its prediction (flag in the scale byte) */
const PREDICTED_INTEGRAL = 0x80;
/** version 4: the entry carries no summary beyond count and times */
const NO_SUMMARY = 0x40;
/** version 4: sum stored as a decimal integer plus a bit-pattern difference */
const PREDICTED_SUM = 0x20;
const SCALE_BITS = 0x0f;
/** version 4 codes rollup resolutions in whole minutes where they are */
const MINUTE = 60_000;

/**
 * Chunks holding fewer samples are indexed without summary (version 4): decoding one takes
 * microseconds, and its summary (~25 bytes) would cost more than 0.02 byte per sample.
 * Below this size a slow tag's week (an hourly tag: 168 samples) paid ~0.15 byte/sample
 * for summaries that a view hardly ever folds: a chunk is folded only when it lies inside
 * one bucket, and a week-long chunk does so only for views of about 20 years.
 */
export const SUMMARY_MIN_SAMPLES = 1024;

const P10: number[] = Array.from({ length: 13 }, (_, i) => 10 ** i);
const F64_VALUES = 15;
const MAX_INT = 2 ** 50;

class Out {
  buf = Buffer.alloc(1 << 12);
  p = 0;
  private room(n: number): void {
    if (this.p + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.p + n));
    this.buf.copy(next, 0, 0, this.p);
    this.buf = next;
  }
  u8(v: number): void { this.room(1); this.buf[this.p++] = v; }
  u16(v: number): void { this.room(2); this.p = this.buf.writeUInt16LE(v, this.p); }
  u32(v: number): void { this.room(4); this.p = this.buf.writeUInt32LE(v, this.p); }
  f64(v: number): void { this.room(8); this.p = this.buf.writeDoubleLE(v, this.p); }
  /** unsigned LEB128 of an integer below 2^53 (arithmetic, not 32-bit bit operations) */
  uv(v: number): void {
    this.room(8);
    while (v >= 128) { this.buf[this.p++] = (v % 128) | 128; v = Math.floor(v / 128); }
    this.buf[this.p++] = v;
  }
  sv(v: number): void { this.uv(v >= 0 ? 2 * v : -2 * v - 1); }
  bytes(b: Buffer): void { this.room(b.length); b.copy(this.buf, this.p); this.p += b.length; }
}

class In {
  p = 0;
  constructor(readonly b: Buffer) {}
  private need(n: number): void { if (this.p + n > this.b.length) throw new Error('index truncated'); }
  u8(): number { this.need(1); return this.b[this.p++]; }
  u16(): number { this.need(2); const v = this.b.readUInt16LE(this.p); this.p += 2; return v; }
  u32(): number { this.need(4); const v = this.b.readUInt32LE(this.p); this.p += 4; return v; }
  f64(): number { this.need(8); const v = this.b.readDoubleLE(this.p); this.p += 8; return v; }
  uv(): number {
    let v = 0, scale = 1;
    for (;;) {
      const x = this.u8();
      v += (x & 127) * scale;
      if (x < 128) return v;
      scale *= 128;
      if (scale > 2 ** 56) throw new Error('index varint too long');
    }
  }
  sv(): number { const z = this.uv(); return z % 2 === 0 ? z / 2 : -(z + 1) / 2; }
  bytes(n: number): Buffer { this.need(n); const v = this.b.subarray(this.p, this.p + n); this.p += n; return v; }
  str(): string { const n = this.u16(); this.need(n); const s = this.b.toString('utf8', this.p, this.p + n); this.p += n; return s; }
}

/** The smallest scale at which all of `vs` are exact decimals, or F64_VALUES. */
function commonScale(vs: number[]): number {
  let k = 0;
  for (const v of vs) {
    if (v === 0 && 1 / v < 0) return F64_VALUES;
    while (k <= 12 && !(Math.round(v * P10[k]) / P10[k] === v && Math.abs(v * P10[k]) < MAX_INT)) k++;
    if (k > 12) return F64_VALUES;
  }
  // a value checked at a smaller scale must still fit at the final one (a large max beside a
  // 2-decimal last: max × 100 past 2^53 lost its sign and digits)
  for (const v of vs) if (!(Math.abs(v * P10[k]) < MAX_INT)) return F64_VALUES;
  return k;
}

/** Index version 4 (FORMAT-block.md). */
export function encodeIndex(series: SeriesIndex[]): Buffer {
  const o = new Out();
  o.u32(series.length);
  let prevTag = Buffer.alloc(0);
  // where the previous series' sections ended: the next one normally starts there
  let end = 8;
  let prevTs = 0, prevCount = 0, prevSpan = 0, prevLen = 0;
  for (const s of series) {
    const tag = Buffer.from(s.tag, 'utf8');
    const [shared, suffix] = sharedEnds(tag, prevTag);
    o.uv(shared); o.uv(suffix); o.uv(tag.length - shared - suffix); o.bytes(tag.subarray(shared, tag.length - suffix));
    prevTag = tag;
    const first = s.chunks.length ? s.chunks[0].offset : end;
    o.sv(first - end);
    o.uv(s.chunks.length);
    let next = first;
    for (const c of s.chunks) {
      if (c.offset !== next) throw new Error('block index: chunks of a series must be contiguous');
      next += c.len;
      const m = c.summary;
      const span = m.lastTs - m.firstTs;
      o.sv(c.len - prevLen); o.u32(c.crc);
      o.sv(m.count - prevCount); o.sv(m.firstTs - prevTs); o.sv(span - prevSpan);
      prevLen = c.len; prevCount = m.count; prevTs = m.firstTs; prevSpan = span;
      if (m.count < SUMMARY_MIN_SAMPLES) { o.u8(NO_SUMMARY); continue; }
      const k = commonScale([m.min, m.max, m.first, m.last]);
      const e = bitsDiff(m.integral, predictIntegral(m.sum, m.last, m.count, m.firstTs, m.lastTs));
      const predicted = e !== null && Math.abs(e) < 2 ** 20;
      let sumInt = NaN, sumE: number | null = null;
      if (k !== F64_VALUES) {
        sumInt = Math.round(m.sum * P10[k]) + 0;
        // zigzag doubles the magnitude and a uv holds < 2^53: |S| must stay below 2^52
        if (Number.isSafeInteger(sumInt) && Math.abs(sumInt) < 2 ** 52) sumE = bitsDiff(m.sum, sumInt / P10[k]);
      }
      const sumPredicted = sumE !== null && Math.abs(sumE) < 2 ** 20;
      o.u8(k | (predicted ? PREDICTED_INTEGRAL : 0) | (sumPredicted ? PREDICTED_SUM : 0));
      if (k === F64_VALUES) { o.f64(m.min); o.f64(m.max); o.f64(m.first); o.f64(m.last); }
      else {
        const lo = Math.round(m.min * P10[k]) + 0;
        o.sv(lo);
        for (const v of [m.max, m.first, m.last]) o.sv(Math.round(v * P10[k]) - lo);
      }
      if (sumPredicted) { o.sv(sumInt); o.sv(sumE!); } else o.f64(m.sum);
      if (predicted) o.sv(e); else o.f64(m.integral);
      o.uv(m.quality);
    }
    o.u8(s.rollups.length);
    for (const r of s.rollups) {
      o.uv(r.res % MINUTE === 0 ? 2 * (r.res / MINUTE) : 2 * r.res + 1);
      o.uv(r.rows); o.sv(r.offset - next); o.uv(r.len); o.u32(r.crc);
      next = r.offset + r.len;
    }
    end = Math.max(end, next);
  }
  return o.buf.subarray(0, o.p);
}

/** Bytes `tag` shares with `prev` at its start, and then at its end (not overlapping). */
function sharedEnds(tag: Buffer, prev: Buffer): [number, number] {
  const most = Math.min(tag.length, prev.length);
  let shared = 0;
  while (shared < most && tag[shared] === prev[shared]) shared++;
  let suffix = 0;
  while (suffix < most - shared && tag[tag.length - 1 - suffix] === prev[prev.length - 1 - suffix]) suffix++;
  return [shared, suffix];
}

/** Index version 3 (written before version 4; kept for the format tests' round trips). */
export function encodeIndexV3(series: SeriesIndex[]): Buffer {
  const o = new Out();
  o.u32(series.length);
  let prevTag = Buffer.alloc(0);
  // where the previous series' sections ended: the next one normally starts there
  let end = 8;
  let prevTs = 0;
  for (const s of series) {
    const tag = Buffer.from(s.tag, 'utf8');
    let shared = 0;
    const most = Math.min(tag.length, prevTag.length);
    while (shared < most && tag[shared] === prevTag[shared]) shared++;
    o.uv(shared); o.uv(tag.length - shared); o.bytes(tag.subarray(shared));
    prevTag = tag;
    const first = s.chunks.length ? s.chunks[0].offset : end;
    o.sv(first - end);
    o.uv(s.chunks.length);
    let next = first;
    for (const c of s.chunks) {
      if (c.offset !== next) throw new Error('block index: chunks of a series must be contiguous');
      next += c.len;
      const m = c.summary;
      o.uv(c.len); o.u32(c.crc); o.uv(m.count);
      o.sv(m.firstTs - prevTs); o.uv(m.lastTs - m.firstTs);
      prevTs = m.firstTs;
      const vals = [m.min, m.max, m.first, m.last];
      const k = commonScale(vals);
      const e = bitsDiff(m.integral, predictIntegral(m.sum, m.last, m.count, m.firstTs, m.lastTs));
      const predicted = e !== null && Math.abs(e) < 2 ** 20;
      o.u8(k | (predicted ? PREDICTED_INTEGRAL : 0));
      if (k === F64_VALUES) for (const v of vals) o.f64(v);
      else for (const v of vals) o.sv(Math.round(v * P10[k]) + 0);
      o.f64(m.sum);
      if (predicted) o.sv(e); else o.f64(m.integral);
      o.u16(m.quality);
    }
    o.u8(s.rollups.length);
    for (const r of s.rollups) {
      o.uv(r.res); o.uv(r.rows); o.sv(r.offset - next); o.uv(r.len); o.u32(r.crc);
      next = r.offset + r.len;
    }
    end = Math.max(end, next);
  }
  return o.buf.subarray(0, o.p);
}

export function decodeIndex(b: Buffer, version: number): Map<string, SeriesIndex> {
  return version === 1 ? decodeIndexV1(b) : version === 2 ? decodeIndexV2(b) : version === 3 ? decodeIndexV3(b) : decodeIndexV4(b);
}

function decodeIndexV4(b: Buffer): Map<string, SeriesIndex> {
  const out = new Map<string, SeriesIndex>();
  const r = new In(b);
  const n = r.u32();
  let prevTag = Buffer.alloc(0);
  let end = 8;
  let prevTs = 0, prevCount = 0, prevSpan = 0, prevLen = 0;
  for (let k = 0; k < n; k++) {
    const shared = r.uv(), suffix = r.uv(), rest = r.uv();
    if (shared + suffix > prevTag.length || rest > b.length) throw new Error('index tag out of range');
    const tagBytes = Buffer.concat([prevTag.subarray(0, shared), r.bytes(rest), prevTag.subarray(prevTag.length - suffix)]);
    prevTag = tagBytes;
    const tag = tagBytes.toString('utf8');
    let offset = end + r.sv();
    const nc = r.uv();
    if (nc > b.length) throw new Error('index chunk count out of range');
    const chunks: ChunkEntry[] = new Array(nc);
    for (let i = 0; i < nc; i++) {
      const len = prevLen + r.sv(), crc = r.u32();
      const count = prevCount + r.sv(), firstTs = prevTs + r.sv(), span = prevSpan + r.sv();
      prevLen = len; prevCount = count; prevTs = firstTs; prevSpan = span;
      const lastTs = firstTs + span;
      if (len < 0 || count < 1 || span < 0) throw new Error('index chunk entry out of range');
      const flags = r.u8();
      if (flags & NO_SUMMARY) {
        if (count >= SUMMARY_MIN_SAMPLES) throw new Error(`index leaves out the summary of a chunk of ${count} samples`);
        const summary: Summary = { count, firstTs, lastTs, min: NaN, max: NaN, sum: NaN, first: NaN, last: NaN, integral: NaN, quality: 0 };
        chunks[i] = { offset, len, crc, summary, partial: true };
        offset += len;
        continue;
      }
      const scale = flags & SCALE_BITS;
      if (scale > 12 && scale !== F64_VALUES) throw new Error(`index value scale ${scale}`);
      let min: number, max: number, first: number, last: number, sum: number;
      if (scale === F64_VALUES) { min = r.f64(); max = r.f64(); first = r.f64(); last = r.f64(); }
      else {
        const lo = r.sv(), p = P10[scale];
        min = lo / p; max = (lo + r.sv()) / p; first = (lo + r.sv()) / p; last = (lo + r.sv()) / p;
      }
      if (flags & PREDICTED_SUM) {
        if (scale === F64_VALUES) throw new Error('index sum predicted without a scale');
        const s = r.sv();
        sum = addToBits(s / P10[scale], r.sv());
      } else sum = r.f64();
      const integral = flags & PREDICTED_INTEGRAL ? addToBits(predictIntegral(sum, last, count, firstTs, lastTs), r.sv()) : r.f64();
      const quality = r.uv();
      const summary: Summary = { count, firstTs, lastTs, min, max, sum, first, last, integral, quality };
      chunks[i] = { offset, len, crc, summary };
      offset += len;
    }
    const nr = r.u8();
    const rollups: RollupEntry[] = [];
    for (let i = 0; i < nr; i++) {
      const z = r.uv();
      const res = z % 2 === 0 ? (z / 2) * MINUTE : (z - 1) / 2;
      const rows = r.uv(), at = offset + r.sv(), len = r.uv(), crc = r.u32();
      rollups.push({ res, rows, offset: at, len, crc });
      offset = at + len;
    }
    end = Math.max(end, offset);
    out.set(tag, { tag, chunks, rollups });
  }
  if (r.p !== b.length) throw new Error('index has trailing bytes');
  return out;
}

function decodeIndexV3(b: Buffer): Map<string, SeriesIndex> {
  const out = new Map<string, SeriesIndex>();
  const r = new In(b);
  const n = r.u32();
  let prevTag = Buffer.alloc(0);
  let end = 8;
  let prevTs = 0;
  for (let k = 0; k < n; k++) {
    const shared = r.uv(), rest = r.uv();
    if (shared > prevTag.length || rest > b.length) throw new Error('index tag out of range');
    const tagBytes = Buffer.concat([prevTag.subarray(0, shared), r.bytes(rest)]);
    prevTag = tagBytes;
    const tag = tagBytes.toString('utf8');
    let offset = end + r.sv();
    const nc = r.uv();
    if (nc > b.length) throw new Error('index chunk count out of range');
    const chunks: ChunkEntry[] = new Array(nc);
    for (let i = 0; i < nc; i++) {
      const len = r.uv(), crc = r.u32(), count = r.uv();
      const firstTs = prevTs + r.sv();
      const lastTs = firstTs + r.uv();
      prevTs = firstTs;
      const flags = r.u8();
      const scale = flags & ~PREDICTED_INTEGRAL;
      if (scale > 12 && scale !== F64_VALUES) throw new Error(`index value scale ${scale}`);
      const vals = [0, 0, 0, 0];
      for (let j = 0; j < 4; j++) vals[j] = scale === F64_VALUES ? r.f64() : r.sv() / P10[scale];
      const sum = r.f64();
      const integral = flags & PREDICTED_INTEGRAL ? addToBits(predictIntegral(sum, vals[3], count, firstTs, lastTs), r.sv()) : r.f64();
      const quality = r.u16();
      const summary: Summary = { count, firstTs, lastTs, min: vals[0], max: vals[1], sum, first: vals[2], last: vals[3], integral, quality };
      chunks[i] = { offset, len, crc, summary };
      offset += len;
    }
    const nr = r.u8();
    const rollups: RollupEntry[] = [];
    for (let i = 0; i < nr; i++) {
      const res = r.uv(), rows = r.uv(), at = offset + r.sv(), len = r.uv(), crc = r.u32();
      rollups.push({ res, rows, offset: at, len, crc });
      offset = at + len;
    }
    end = Math.max(end, offset);
    out.set(tag, { tag, chunks, rollups });
  }
  if (r.p !== b.length) throw new Error('index has trailing bytes');
  return out;
}

function decodeIndexV2(b: Buffer): Map<string, SeriesIndex> {
  const out = new Map<string, SeriesIndex>();
  const r = new In(b);
  const n = r.u32();
  for (let k = 0; k < n; k++) {
    const tag = r.str();
    let offset = r.f64();
    const nc = r.uv();
    if (nc > b.length) throw new Error('index chunk count out of range');
    const chunks: ChunkEntry[] = new Array(nc);
    let prevTs = 0;
    for (let i = 0; i < nc; i++) {
      const len = r.uv(), crc = r.u32(), count = r.uv();
      const firstTs = prevTs + r.sv();
      const lastTs = firstTs + r.uv();
      prevTs = lastTs;
      const scale = r.u8();
      if (scale > 12 && scale !== F64_VALUES) throw new Error(`index value scale ${scale}`);
      const vals = [0, 0, 0, 0];
      for (let j = 0; j < 4; j++) vals[j] = scale === F64_VALUES ? r.f64() : r.sv() / P10[scale];
      const sum = r.f64(), integral = r.f64(), quality = r.u16();
      const summary: Summary = { count, firstTs, lastTs, min: vals[0], max: vals[1], sum, first: vals[2], last: vals[3], integral, quality };
      chunks[i] = { offset, len, crc, summary };
      offset += len;
    }
    out.set(tag, { tag, chunks, rollups: readRollups(r) });
  }
  if (r.p !== b.length) throw new Error('index has trailing bytes');
  return out;
}

function readRollups(r: In): RollupEntry[] {
  const nr = r.u8();
  const rollups: RollupEntry[] = [];
  for (let i = 0; i < nr; i++) rollups.push({ res: r.f64(), rows: r.u32(), offset: r.f64(), len: r.u32(), crc: r.u32() });
  return rollups;
}

/** Version 1: fixed 90-byte chunk entries (blocks written before index version 2). */
function decodeIndexV1(b: Buffer): Map<string, SeriesIndex> {
  const out = new Map<string, SeriesIndex>();
  const n = b.readUInt32LE(0);
  let p = 4;
  for (let k = 0; k < n; k++) {
    const tl = b.readUInt16LE(p);
    const tag = b.toString('utf8', p + 2, p + 2 + tl); p += 2 + tl;
    const nc = b.readUInt32LE(p); p += 4;
    const chunks: ChunkEntry[] = new Array(nc);
    for (let i = 0; i < nc; i++) {
      const offset = b.readDoubleLE(p), len = b.readUInt32LE(p + 8), crc = b.readUInt32LE(p + 12);
      p += 16;
      const f = (j: number) => b.readDoubleLE(p + 8 * j);
      const summary: Summary = {
        count: f(0), firstTs: f(1), lastTs: f(2), min: f(3), max: f(4), sum: f(5), first: f(6), last: f(7), integral: f(8),
        quality: b.readUInt16LE(p + 72),
      };
      p += 74;
      chunks[i] = { offset, len, crc, summary };
    }
    const r = new In(b);
    r.p = p;
    const rollups = readRollups(r);
    p = r.p;
    out.set(tag, { tag, chunks, rollups });
  }
  return out;
}

