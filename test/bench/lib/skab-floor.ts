// How far below our chunks a per-series coder could take the SKAB files, to tell whether the
// 0.22× plain Gorilla target is a matter of our codec or of the data. For each chunk (cut as
// the metric cuts them) the estimate keeps our header and quality bytes, drops the timestamps
// altogether, and codes the values at the smaller of our own section and an ideal coder:
// integer residuals of the best least-squares AR(p) predictor (p = 1..8, fitted on the chunk
// itself, coefficients free) under a discretised Gaussian of the residuals' own variance,
// that variance free too. Every freedom makes the estimate lower, never higher, so a file
// whose estimate stays above a target cannot reach it by per-series coding of this kind.
import { BitWriter, encodeChunk, encodeGorillaChunk, RECOMMENDED_CHUNK_SAMPLES, toDecimal, writeDodTimestamps, writeGapTimestamps, writeValues } from '../../../runtime/tsdb/codec';
import { readSkab, SKAB_CHANNELS, skabAllFiles } from './skab';

export interface SkabFloor { file: string; ours: number; floor: number; gorilla: number }

/** erf, Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7): plenty for a code length estimate. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

/** Bits an ideal coder spends on integer residuals under a discretised zero-mean Gaussian of their own variance. */
function gaussianBits(res: number[]): number {
  const v = res.reduce((a, r) => a + r * r, 0) / res.length;
  if (v === 0) return 0;
  const s = Math.sqrt(2 * v);
  let bits = 0;
  for (const r of res) bits -= Math.log2(Math.max(1e-300, 0.5 * (erf((r + 0.5) / s) - erf((r - 0.5) / s))));
  return bits;
}

/** Least-squares AR(p) coefficients of the centred series (normal equations, Gaussian elimination). */
function arFit(c: number[], p: number): number[] {
  const A = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const b = new Array<number>(p).fill(0);
  for (let t = p; t < c.length; t++) {
    for (let i = 0; i < p; i++) {
      b[i] += c[t] * c[t - 1 - i];
      for (let j = 0; j < p; j++) A[i][j] += c[t - 1 - i] * c[t - 1 - j];
    }
  }
  for (let i = 0; i < p; i++) {
    let piv = i;
    for (let r = i + 1; r < p; r++) if (Math.abs(A[r][i]) > Math.abs(A[piv][i])) piv = r;
    [A[i], A[piv]] = [A[piv], A[i]];
    [b[i], b[piv]] = [b[piv], b[i]];
    if (A[i][i] === 0) return new Array<number>(p).fill(0);
    for (let r = i + 1; r < p; r++) {
      const k = A[r][i] / A[i][i];
      for (let j = i; j < p; j++) A[r][j] -= k * A[i][j];
      b[r] -= k * b[i];
    }
  }
  for (let i = p - 1; i >= 0; i--) {
    for (let j = i + 1; j < p; j++) b[i] -= A[i][j] * b[j];
    b[i] /= A[i][i];
  }
  return b;
}

/** Ideal bits for the values of one chunk (decimal integers at the chunk's exact scale), or null without one. */
export function idealValueBits(values: number[]): number | null {
  const d = toDecimal(values, values.length);
  if (d === null) return null;
  const m = Array.from(d.ints.subarray(0, values.length));
  const mean = m.reduce((a, x) => a + x, 0) / m.length;
  const c = m.map((x) => x - mean);
  let best = Infinity;
  for (let p = 1; p <= 8 && p < m.length - 1; p++) {
    const w = arFit(c, p);
    const res: number[] = [];
    for (let t = p; t < m.length; t++) {
      let pr = 0;
      for (let i = 0; i < p; i++) pr += w[i] * c[t - 1 - i];
      res.push(Math.round(c[t] - pr));
    }
    best = Math.min(best, gaussianBits(res));
  }
  return best;
}

function sectionBits(write: (w: BitWriter) => unknown): number {
  const w = new BitWriter(64);
  write(w);
  return w.pos;
}

/** Bytes per sample of every SKAB file: our chunks, the estimate above, plain Gorilla. */
export function measureSkabFloor(chunkSamples = RECOMMENDED_CHUNK_SAMPLES): SkabFloor[] {
  const out: SkabFloor[] = [];
  for (const file of skabAllFiles()) {
    const f = readSkab(file);
    let ours = 0;
    let floor = 0;
    let gorilla = 0;
    let samples = 0;
    for (const channel of SKAB_CHANNELS) {
      const all = f.channels[channel];
      for (let s = 0; s < all.length; s += chunkSamples) {
        const ts = f.ts.slice(s, s + chunkSamples);
        const v = all.slice(s, s + chunkSamples);
        const q = new Array<number>(v.length).fill(0);
        const n = v.length;
        const chunk = encodeChunk(ts, v, q).length;
        const valueBits = sectionBits((w) => writeValues(w, v, n, true));
        const tsBits = n < 2 ? sectionBits((w) => writeDodTimestamps(w, ts, n))
          : Math.min(sectionBits((w) => writeGapTimestamps(w, ts, n)), sectionBits((w) => writeDodTimestamps(w, ts, n)));
        const ideal = idealValueBits(v);
        const rest = chunk - (valueBits + tsBits) / 8;
        ours += chunk;
        floor += rest + Math.min(valueBits, ideal ?? Infinity) / 8;
        gorilla += encodeGorillaChunk(ts, v, q).length;
        samples += n;
      }
    }
    out.push({ file, ours: ours / samples, floor: floor / samples, gorilla: gorilla / samples });
  }
  return out;
}
