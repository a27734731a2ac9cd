// Quality stream, run-length encoded: quality rarely changes, so a chunk is usually one
// run. Q_CONST: one 16-bit code for every sample. Q_RUNS: run count, then
// (16-bit code, run length) pairs. Q_RUNS_RC (chunk format 3): the distinct codes once,
// then the runs range coded (a sensor near its limit flips between GOOD and UNCERTAIN
// dozens of times a chunk; each flip costs a few bits instead of ~30).
import { bitLength, BitReader, BitWriter } from './bits';
import { BitModels, RangeDecoder, RangeEncoder } from './range-coder';

export const Q_CONST = 0;
export const Q_RUNS = 1;
export const Q_RUNS_RC = 2;
/** distinct codes a Q_RUNS_RC section may list */
const MAX_CODES = 256;
/** contexts of a run: its code index (for the length) or the previous run's (for the code), capped */
const LEN_CONTEXTS = 8;

export function validateQuality(q: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) {
    const c = q[i];
    if (!(c >= 0 && c <= 0xffff && Number.isInteger(c))) throw new Error(`quality[${i}]: must be a uint16 code (got ${c})`);
  }
}

export function qualityCodec(q: ArrayLike<number>, n: number): number {
  for (let i = 1; i < n; i++) if (q[i] !== q[0]) return Q_RUNS;
  return Q_CONST;
}

/**
 * Writes the quality section with the smaller of the run codings when quality changes
 * (format 3); returns the codec id used.
 */
export function writeQualityBest(w: BitWriter, q: ArrayLike<number>, n: number): number {
  const codec = qualityCodec(q, n);
  if (codec === Q_CONST) { writeQuality(w, codec, q, n); return codec; }
  const runs = new BitWriter(16);
  writeQuality(runs, Q_RUNS, q, n);
  const rc = new BitWriter(16);
  if (writeRunsRangeCoded(rc, q, n) && rc.pos < runs.pos) { appendTo(w, rc); return Q_RUNS_RC; }
  appendTo(w, runs);
  return Q_RUNS;
}

function appendTo(dst: BitWriter, src: BitWriter): void {
  src.forEachWord((word, bits) => dst.write(bits === 32 ? word : word >>> (32 - bits), bits));
}

class RunModels {
  /** code index (a binary tree of up to 8 levels) given the previous run's index, capped */
  readonly code = new BitModels(LEN_CONTEXTS * 256);
  /** bit length of the run length (5 levels), per code index */
  readonly exp = new BitModels(LEN_CONTEXTS * 32);
  readonly mant = new BitModels(LEN_CONTEXTS * 26 * 4);
}

function codeBits(d: number): number {
  return d <= 1 ? 0 : bitLength(d - 1);
}

/** Q_RUNS_RC: `len` D, D × u(16) codes, `len` B, B range-coded bytes of (code index, length) per run. */
function writeRunsRangeCoded(w: BitWriter, q: ArrayLike<number>, n: number): boolean {
  const codes: number[] = [];
  const index = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (index.has(q[i])) continue;
    if (codes.length === MAX_CODES) return false;
    index.set(q[i], codes.length);
    codes.push(q[i]);
  }
  const bits = codeBits(codes.length);
  const enc = new RangeEncoder(64);
  const m = new RunModels();
  let prev = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && q[j] === q[i]) j++;
    const c = index.get(q[i])!;
    let node = 1;
    for (let k = bits - 1; k >= 0; k--) {
      const b = (c >>> k) & 1;
      enc.bit(m.code, (prev < LEN_CONTEXTS ? prev : LEN_CONTEXTS - 1) * 256 + node, b);
      node = node * 2 + b;
    }
    encodeLength(enc, m, c < LEN_CONTEXTS ? c : LEN_CONTEXTS - 1, j - i);
    prev = c;
    i = j;
  }
  const bytes = enc.finish();
  w.writeLen(codes.length);
  for (const c of codes) w.write(c, 16);
  w.writeLen(bytes.length);
  for (let k = 0; k < bytes.length; k++) w.write(bytes[k], 8);
  return true;
}

/** A run length 1 ≤ len ≤ 2^24: bit length (adaptive tree), 2 adaptive bits below the leading one, the rest at 1/2. */
function encodeLength(enc: RangeEncoder, m: RunModels, ctx: number, len: number): void {
  const e = bitLength(len);
  let node = 1;
  for (let k = 4; k >= 0; k--) {
    const b = (e >>> k) & 1;
    enc.bit(m.exp, ctx * 32 + node, b);
    node = node * 2 + b;
  }
  const rest = e - 1;
  const top = rest < 2 ? rest : 2;
  const low = rest - top;
  const topBits = (len - (1 << rest)) >>> low;
  let mnode = 1;
  for (let k = top - 1; k >= 0; k--) {
    const b = (topBits >>> k) & 1;
    enc.bit(m.mant, (ctx * 26 + e) * 4 + mnode, b);
    mnode = mnode * 2 + b;
  }
  if (low > 0) enc.direct(len & ((1 << low) - 1), low);
}

function decodeLength(dec: RangeDecoder, m: RunModels, ctx: number): number {
  let node = 1;
  for (let k = 0; k < 5; k++) node = node * 2 + dec.bit(m.exp, ctx * 32 + node);
  const e = node - 32;
  if (e === 0 || e > 25) throw new Error(`corrupt chunk: quality run length of ${e} bits`);
  const rest = e - 1;
  const top = rest < 2 ? rest : 2;
  const low = rest - top;
  let mnode = 1;
  for (let k = 0; k < top; k++) mnode = mnode * 2 + dec.bit(m.mant, (ctx * 26 + e) * 4 + mnode);
  return (1 << rest) + ((mnode - (1 << top)) << low) + (low > 0 ? dec.direct(low) : 0);
}

function readRunsRangeCoded(r: BitReader, out: Uint16Array, n: number): void {
  const D = r.readLen();
  if (D === 0 || D > MAX_CODES) throw new Error(`corrupt chunk: ${D} distinct quality codes`);
  const codes = new Uint16Array(D);
  for (let k = 0; k < D; k++) codes[k] = r.read(16);
  const len = r.readLen();
  if (len * 8 > r.limit - r.pos) throw new Error(`corrupt chunk: ${len} range-coded quality bytes exceed the chunk`);
  const bytes = new Uint8Array(len);
  for (let k = 0; k < len; k++) bytes[k] = r.read(8);
  const dec = new RangeDecoder(bytes);
  const m = new RunModels();
  const bits = codeBits(D);
  let prev = 0;
  let i = 0;
  while (i < n) {
    let node = 1;
    const pc = (prev < LEN_CONTEXTS ? prev : LEN_CONTEXTS - 1) * 256;
    for (let k = 0; k < bits; k++) node = node * 2 + dec.bit(m.code, pc + node);
    const c = node - (1 << bits);
    if (c >= D) throw new Error(`corrupt chunk: quality code index ${c} of ${D}`);
    const runLen = decodeLength(dec, m, c < LEN_CONTEXTS ? c : LEN_CONTEXTS - 1);
    if (i + runLen > n) throw new Error(`corrupt chunk: quality run of length ${runLen} overflows ${n} samples`);
    out.fill(codes[c], i, i + runLen);
    i += runLen;
    prev = c;
  }
}

export function writeQuality(w: BitWriter, codec: number, q: ArrayLike<number>, n: number): void {
  if (n === 0) return;
  if (codec === Q_CONST) { w.write(q[0], 16); return; }
  let runs = 1;
  for (let i = 1; i < n; i++) if (q[i] !== q[i - 1]) runs++;
  w.writeLen(runs);
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && q[j] === q[i]) j++;
    w.write(q[i], 16);
    w.writeLen(j - i);
    i = j;
  }
}

export function readQuality(r: BitReader, codec: number, out: Uint16Array, n: number): void {
  if (n === 0) return;
  if (codec === Q_CONST) { out.fill(r.read(16)); return; }
  if (codec === Q_RUNS_RC) { readRunsRangeCoded(r, out, n); return; }
  if (codec !== Q_RUNS) throw new Error(`corrupt chunk: unknown quality codec ${codec}`);
  const runs = r.readLen();
  let i = 0;
  for (let k = 0; k < runs; k++) {
    const code = r.read(16);
    const len = r.readLen();
    if (len === 0 || i + len > n) throw new Error(`corrupt chunk: quality run ${k} of length ${len} overflows ${n} samples`);
    out.fill(code, i, i + len);
    i += len;
  }
  if (i !== n) throw new Error(`corrupt chunk: quality runs cover ${i} of ${n} samples`);
}
