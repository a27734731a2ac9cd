// Quality stream, run-length encoded: quality rarely changes, so a chunk is usually one
// run. Q_CONST: one 16-bit code for every sample. Q_RUNS: run count, then
// (16-bit code, run length) pairs.
import { BitReader, BitWriter } from './bits';

export const Q_CONST = 0;
export const Q_RUNS = 1;

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
