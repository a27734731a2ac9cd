import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../../runtime/model';
import { BlockWriter } from '../../../runtime/tsdb/block-writer';
import { INLINE_ENCODER, sharedChunkEncoder, ThreadEncoder } from '../../../runtime/tsdb/chunk-encoder';
import { encodeChunk } from '../../../runtime/tsdb/codec';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { readAll } from './reference';

const T0 = Date.UTC(2024, 0, 1);

function series(n: number, seed: number) {
  const ts = new Float64Array(n), values = new Float64Array(n), quality = new Uint16Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 16807) % 2147483647;
    ts[i] = T0 + i * 1000 + (x % 7);
    // 2-decimal readings, float artefacts and a few bad-quality samples
    values[i] = seed % 3 === 0 ? (Math.round(Math.sin(i / 30) * 5000) / 100) * 1.1 : Math.round((20 + Math.sin(i / 40) * 3 + (x % 100) / 1000) * 100) / 100;
    quality[i] = i % 997 === 0 ? 0x4001 : 0;
  }
  return { ts, values, quality };
}

describe('chunk encoder thread', () => {
  let dir: string;
  beforeEach(async () => { dir = await makeTempDir('tsdb-enc-'); });
  afterEach(async () => { await removeTempDir(dir); });

  it('encodes the same bytes as inline, and a block written through it is the same file', async () => {
    const te = new ThreadEncoder();
    try {
      for (const [k, n] of [1, 7, 300, 8192].entries()) {
        const c = series(n, k + 1);
        const expected = encodeChunk(c.ts, c.values, c.quality, n);
        expect(await te.encode(c.ts.slice(), c.values.slice(), c.quality.slice(), n)).toEqual(expected);
      }
      expect(te.inFlight).toBe(0);
      // columns already moved away cannot be moved again: refused, nothing left owed (the process may exit)
      const moved = series(100, 9);
      await te.encode(moved.ts, moved.values, moved.quality, 100);
      await expect(te.encode(moved.ts, moved.values, moved.quality, 100)).rejects.toThrow();
      expect(te.inFlight).toBe(0);
      const write = async (name: string, enc: typeof INLINE_ENCODER) => {
        const w = new BlockWriter(path.join(dir, name), 8192, enc);
        // chunks below the thread's minimum (inline), full ones and a last partial one, in any order of return
        for (const [k, n] of [100, 20_000, 2000, 9000].entries()) await w.addSeries(`s.${k}`, [series(n, k + 3)]);
        await w.finish();
        return fs.readFileSync(path.join(dir, name));
      };
      expect(await write('thread.blk', te)).toEqual(await write('inline.blk', INLINE_ENCODER));
    } finally {
      await te.close();
    }
  });

  it('a thread stopped during a head cut fails that cut; the head stays and the next cut writes it, nothing lost', async () => {
    const enc = sharedChunkEncoder();
    expect(enc).toBeInstanceOf(ThreadEncoder); // the test machines have a second core
    const te = enc as ThreadEncoder;
    const logs: string[] = [];
    const logger = { info: () => {}, warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
    const s = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => T0 + 30_000 * 1000, logger });
    const tags = ['e.a.pv', 'e.b.pv', 'e.c.pv'];
    const rows: Sample[] = [];
    for (let i = 0; i < 20_000; i++) for (const [k, tag] of tags.entries()) rows.push({ tag, ts: T0 + i * 1000, value: Math.round((k * 10 + Math.sin(i / 50)) * 100) / 100, quality: 0 });
    await s.write(rows);
    const cut = s.flush();
    await waitFor(() => te.inFlight > 0, { what: 'chunks handed to the encoder thread' });
    await te.close();
    await expect(cut).rejects.toThrow(/chunk encoder thread was stopped/);
    expect(s.stats().cuts).toBe(0);
    expect(s.stats().blocks).toBe(0);
    for (const tag of tags) expect((await readAll(s, tag)).length).toBe(20_000); // still in the frozen head
    await s.flush(); // a new thread
    expect(s.stats().cuts).toBe(1);
    expect(s.stats().headSamples).toBe(0);
    for (const tag of tags) {
      const got = await readAll(s, tag);
      expect(got.length).toBe(20_000);
      expect(got[12_345].value).toBe(rows[12_345 * 3 + tags.indexOf(tag)].value);
    }
    expect(fs.readdirSync(path.join(dir, 'blocks')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await s.close();
  });
});
