// Picks the value codec per chunk and dispatches decoding by codec id.
import { BitReader, BitWriter } from './bits';
import { float64Bits, readGorillaValues, writeGorillaValues } from './gorilla-values';

export const V_XOR = 0;
export const V_CONST = 1;

export interface ValueEncoding {
  codec: number;
  write(w: BitWriter): void;
}

function allIdenticalBits(values: ArrayLike<number>, n: number): boolean {
  if (n === 0) return true;
  const u = float64Bits(values, n);
  for (let i = 1; i < n; i++) if (u[2 * i] !== u[0] || u[2 * i + 1] !== u[1]) return false;
  return true;
}

export function chooseValueCodec(values: ArrayLike<number>, n: number): ValueEncoding {
  if (allIdenticalBits(values, n)) {
    return { codec: V_CONST, write: (w) => { if (n > 0) writeGorillaValues(w, values, 1); } };
  }
  return { codec: V_XOR, write: (w) => writeGorillaValues(w, values, n) };
}

export function readValues(r: BitReader, codec: number, out: Float64Array, n: number): void {
  switch (codec) {
    case V_XOR: readGorillaValues(r, out, n); return;
    case V_CONST:
      if (n > 0) { readGorillaValues(r, out, 1); out.fill(out[0]); }
      return;
    default: throw new Error(`corrupt chunk: unknown value codec ${codec}`);
  }
}
