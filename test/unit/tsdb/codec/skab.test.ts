import { describe, expect, it } from 'vitest';
import { seriesBytes } from '../../../bench/lib/compression';
import { readSkab, SKAB_CHANNELS } from '../../../bench/lib/skab';
import { decodeChunk, encodeChunk } from '../../../../runtime/tsdb/codec';

describe('real sensor data (SKAB valve1/0.csv)', () => {
  const f = readSkab('valve1/0.csv');

  it('round-trips every channel exactly and stays under 0.35 × plain Gorilla', () => {
    let ours = 0;
    let gorilla = 0;
    for (const c of SKAB_CHANNELS) {
      const v = f.channels[c];
      const d = decodeChunk(encodeChunk(f.ts, v, new Uint16Array(v.length)));
      expect(Array.from(d.values)).toEqual(v);
      expect(Array.from(d.ts)).toEqual(f.ts);
      const b = seriesBytes(f.ts, v);
      ours += b.ours;
      gorilla += b.gorilla;
    }
    expect(ours / gorilla).toBeLessThan(0.35);
  });
});
