// The chunk codec's scratch memory (runtime/tsdb/codec/scratch.ts): temporaries of one
// encode or decode are views of a reused buffer, zeroed; what an encode or decode returns is
// its own memory and stays intact through later calls; outside a scope arrays are ordinary.
import { describe, expect, it } from 'vitest';
import { decodeChunk, encodeChunk } from '../../../../runtime/tsdb/codec';
import { inScratch, scratchF64, scratchU32 } from '../../../../runtime/tsdb/codec/scratch';

function series(n: number, seed: number): { ts: Float64Array; values: Float64Array; quality: Uint16Array } {
  const ts = new Float64Array(n), values = new Float64Array(n), quality = new Uint16Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    ts[i] = 1.7e12 + i * 1000;
    x += Math.sin(i * 0.37 + seed) * 0.3;
    // decimals, float artefacts and a few bad-quality samples: every value codec gets a turn
    values[i] = i % 17 === 3 ? x + 1e-9 : Math.round(x * 100) / 100;
    quality[i] = i % 29 === 0 ? 0x8000 : 0;
  }
  return { ts, values, quality };
}

describe('chunk codec scratch memory', () => {
  it('hands out zeroed views of one buffer inside a scope, reused once the outermost scope ends', () => {
    let first: Float64Array | null = null;
    inScratch(() => {
      first = scratchF64(8);
      first.fill(7);
      // a nested scope does not give back what the outer one still uses
      inScratch(() => { expect(scratchU32(4).every((w) => w === 0)).toBe(true); });
      const next = scratchF64(8);
      expect(next.buffer).toBe(first.buffer);
      expect(Array.from(first)).toEqual(Array(8).fill(7));
      expect(Array.from(next)).toEqual(Array(8).fill(0));
    });
    inScratch(() => {
      const again = scratchF64(8);
      expect(again.buffer).toBe(first!.buffer);
      expect(again.byteOffset).toBe(first!.byteOffset);
      expect(Array.from(again)).toEqual(Array(8).fill(0)); // zeroed, not what the last scope left
    });
    // outside a scope, and beyond the buffer's size, arrays are their own
    expect(scratchF64(8).buffer).not.toBe(first!.buffer);
    inScratch(() => { expect(scratchF64(1 << 20).buffer).not.toBe(first!.buffer); });
  });

  it('a scope that throws still gives its memory back', () => {
    let inside: Float64Array | null = null;
    expect(() => inScratch(() => { inside = scratchF64(4); throw new Error('bad input'); })).toThrow('bad input');
    inScratch(() => { expect(scratchF64(4).byteOffset).toBe(inside!.byteOffset); });
  });

  it('encoded chunks and decoded columns stay intact through later encodes and decodes', () => {
    const sizes = [1, 2, 24, 128, 300, 2048, 8192];
    const inputs = sizes.map((n, k) => series(n, k + 1));
    const chunks = inputs.map((s) => encodeChunk(s.ts, s.values, s.quality));
    const copies = chunks.map((c) => Uint8Array.from(c));
    const decoded = chunks.map((c) => decodeChunk(c));
    // churn: more encodes and decodes of other data after the ones kept
    for (let r = 0; r < 3; r++) for (const n of sizes) decodeChunk(encodeChunk(series(n, 50 + r).ts, series(n, 50 + r).values, series(n, 50 + r).quality));
    chunks.forEach((c, k) => expect(Buffer.compare(Buffer.from(c), Buffer.from(copies[k])), `chunk of ${sizes[k]}`).toBe(0));
    decoded.forEach((d, k) => {
      expect(Array.from(d.ts)).toEqual(Array.from(inputs[k].ts));
      expect(d.values.every((v, i) => Object.is(v, inputs[k].values[i]))).toBe(true);
      expect(Array.from(d.quality)).toEqual(Array.from(inputs[k].quality));
    });
  });
});
