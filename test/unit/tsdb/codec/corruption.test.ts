import { describe, expect, it } from 'vitest';
import { chunkSampleCount, decodeChunk, encodeChunk, encodeGorillaChunk } from '../../../../runtime/tsdb/codec';

const T0 = 1_700_000_000_000;
const n = 300;
const ts = Array.from({ length: n }, (_, i) => T0 + i * 1000 + 1000 * Math.floor(i / 17));
const noisy = ts.map((_, i) => Math.round((20 + Math.sin(i / 9) * 3 + ((i * 7919) % 13) / 100) * 1000) / 1000);
const q = ts.map((_, i) => (i > 200 ? 0x8001 : 0));

// format 3: a longer noisy series with a flipping quality is range coded (value codec 6, quality codec 2)
const n3 = 3000;
const ts3 = Array.from({ length: n3 }, (_, i) => T0 + i * 1000);
const noisy3 = ts3.map((_, i) => Math.round((20 + Math.sin(i / 50) * 3 + ((i * 7919) % 13) / 100) * 1000) / 1000);
const q3 = ts3.map((_, i) => ((i * 31) % 97 < 9 ? 0x4000 : 0));

const chunks: Array<[string, Uint8Array]> = [
  ['decimal', encodeChunk(ts, noisy, q)],
  ['range-coded', encodeChunk(ts3, noisy3, q3)],
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

  it('the range-coded example uses the format-3 codecs', () => {
    const buf = chunks[1][1];
    expect(buf[0]).toBe(0xa3);
    expect((buf[1] >>> 2) & 15).toBe(6);
    expect(buf[1] & 3).toBe(2);
  });

  it('rejects format-3 codec ids in format-1 and format-2 chunks', () => {
    for (const magic of [0xa1, 0xa2]) {
      const buf = chunks[1][1].slice();
      buf[0] = magic;
      expect(() => decodeChunk(buf)).toThrow(/does not exist in chunk format/);
    }
  });

  it('reads the sample count from the header alone', () => {
    expect(chunkSampleCount(chunks[0][1].subarray(0, 4))).toBe(n);
  });

  it('never returns silently for random byte flips (throws or decodes n samples)', () => {
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < 300; k++) {
      const buf = chunks[k % chunks.length][1].slice();
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
