import { describe, expect, it } from 'vitest';
import { chunkSampleCount, decodeChunk, encodeChunk, encodeGorillaChunk } from '../../../../runtime/tsdb/codec';

const T0 = 1_700_000_000_000;
const n = 300;
const ts = Array.from({ length: n }, (_, i) => T0 + i * 1000 + 1000 * Math.floor(i / 17));
const noisy = ts.map((_, i) => Math.round((20 + Math.sin(i / 9) * 3 + ((i * 7919) % 13) / 100) * 1000) / 1000);
const q = ts.map((_, i) => (i > 200 ? 0x8001 : 0));

const chunks: Array<[string, Uint8Array]> = [
  ['decimal', encodeChunk(ts, noisy, q)],
  ['gorilla', encodeGorillaChunk(ts, noisy, q)],
  ['xor', encodeChunk(ts, noisy.map((v) => v * Math.PI), q)],
];

describe('corrupt and truncated chunks', () => {
  for (const [name, buf] of chunks) {
    it(`${name}: every truncation throws a clear error`, () => {
      for (let len = 0; len < buf.length; len++) {
        expect(() => decodeChunk(buf.subarray(0, len)), `length ${len}`).toThrow(/corrupt chunk|chunk:/);
      }
    });

    it(`${name}: trailing garbage is detected`, () => {
      const longer = new Uint8Array(buf.length + 4);
      longer.set(buf);
      expect(() => decodeChunk(longer)).toThrow(/trailing bytes/);
    });
  }

  it('rejects a bad magic byte and an unknown codec id', () => {
    const buf = chunks[0][1].slice();
    buf[0] = 0;
    expect(() => decodeChunk(buf)).toThrow(/bad magic/);
    const b2 = chunks[0][1].slice();
    b2[1] = (b2[1] & ~0x3c) | (15 << 2);
    expect(() => decodeChunk(b2)).toThrow(/unknown value codec 15/);
  });

  it('reads the sample count from the header alone', () => {
    expect(chunkSampleCount(chunks[0][1].subarray(0, 4))).toBe(n);
  });

  it('never returns silently for random byte flips (throws or decodes n samples)', () => {
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < 300; k++) {
      const buf = chunks[k % 3][1].slice();
      buf[2 + Math.floor(rnd() * (buf.length - 2))] ^= 1 << Math.floor(rnd() * 8);
      try {
        const d = decodeChunk(buf);
        expect(d.ts.length).toBe(chunkSampleCount(buf));
      } catch (e) {
        expect((e as Error).message).toMatch(/corrupt chunk|chunk:/);
      }
    }
  });
});
