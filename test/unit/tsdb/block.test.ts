import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import type { Sample } from '../../../runtime/model';
import { BlockReader, CorruptBlockError } from '../../../runtime/tsdb/block';
import { LocalBlockSource } from '../../../runtime/tsdb/block-source';
import { BlockWriter } from '../../../runtime/tsdb/block-writer';
import type { ChunkRef } from '../../../runtime/tsdb/chunk-ref';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { summarize } from '../../../runtime/tsdb/summary';
import { memoryLogger, readAll } from './reference';

const T0 = Date.UTC(2024, 0, 1);
const H = 3_600_000;

function cols(n: number, start: number, step: number, f: (i: number) => number) {
  const ts = new Float64Array(n), values = new Float64Array(n), quality = new Uint16Array(n);
  for (let i = 0; i < n; i++) { ts[i] = start + i * step; values[i] = f(i); quality[i] = i % 100 === 0 ? 0x4001 : 0; }
  return { ts, values, quality };
}

describe('blocks', () => {
  let dir: string;
  beforeEach(async () => { dir = await makeTempDir('tsdb-block-'); });
  afterEach(async () => { await removeTempDir(dir); });

  it('writes atomically and reads back chunks, summaries and rollups', async () => {
    const src = new LocalBlockSource(dir);
    const w = new BlockWriter(src.file('b1'), 100);
    const a = cols(1000, T0, 1000, (i) => i * 0.25);
    const b = cols(10, T0 + 500, 60_000, (i) => -i);
    await w.addSeries('s.a', [a]);
    await w.addSeries('s.b', [b]);
    expect(fs.readdirSync(dir)).toEqual(['b1.blk.tmp']);
    const res = await w.finish();
    expect(fs.readdirSync(dir)).toEqual(['b1.blk']);
    expect(res).toMatchObject({ samples: 1010, series: 2, minT: T0, maxT: T0 + 999_000 });
    const r = await BlockReader.open('b1', src);
    expect([...r.series.keys()]).toEqual(['s.a', 's.b']);
    const ea = r.series.get('s.a')!;
    expect(ea.chunks.length).toBe(10);
    // chunks this small keep only count and times in the index (version 4)
    expect(ea.chunks[3].partial).toBe(true);
    expect(ea.chunks[3].summary).toMatchObject({ count: 100, firstTs: T0 + 300_000, lastTs: T0 + 399_000 });
    const c = await r.loadChunk(ea.chunks[3]);
    expect(Array.from(c.values)).toEqual(Array.from(a.values.subarray(300, 400)));
    // a 1 s series keeps 5-minute rows, not 1-minute ones (60 samples a row do not pay, rollup.ts)
    expect(ea.rollups.map((x) => x.res)).toEqual([300_000, 3_600_000, 86_400_000]);
    expect(await r.rollups('s.a', 60_000)).toBeNull();
    const roll = (await r.rollups('s.a', 300_000))!;
    expect(roll.starts.length).toBe(4);
    expect(roll.rows[1]).toEqual(summarize(a, 300, 600));
    // and those rows serve any multiple of 5 minutes
    expect((await r.rollups('s.a', 900_000))!.rows).toEqual(roll.rows);
    await src.close();
  });

  it('derives the summaries the index leaves out for small chunks, keeps those of large ones', async () => {
    const src = new LocalBlockSource(dir);
    const w = new BlockWriter(src.file('b3'));
    const small = cols(168, T0, H, (i) => Math.round((20 + Math.sin(i / 7) * 4) * 100) / 100);
    const large = cols(3000, T0, 60_000, (i) => Math.round(Math.cos(i / 50) * 1000) / 100);
    await w.addSeries('s.hourly', [small]);
    await w.addSeries('s.minute', [large]);
    await w.finish();
    const r = await BlockReader.open('b3', src);
    const hourly = r.series.get('s.hourly')!.chunks[0];
    expect(hourly.partial).toBe(true);
    expect(Number.isNaN(hourly.summary.min)).toBe(true);
    const minute = r.series.get('s.minute')!.chunks[0];
    expect(minute.partial).toBeFalsy();
    expect(minute.summary).toEqual(summarize(large));
    // readers that never fold summaries see none for the small chunk
    const sync: ChunkRef[] = [];
    r.chunkRefs('s.hourly', -Infinity, Infinity, 1, sync);
    expect(sync[0].summary).toBeNull();
    // queries get it derived from the chunk, exactly, and the samples without a second read
    const refs: ChunkRef[] = [];
    await r.refs('s.hourly', T0, T0 + 10 * H, 1, refs);
    expect(refs.length).toBe(1);
    expect(refs[0].summary).toEqual(summarize(small));
    expect(Array.from((await refs[0].load()).values)).toEqual(Array.from(small.values));
    expect(hourly.partial).toBe(false);
    expect(hourly.summary).toEqual(summarize(small));
    // outside the range: nothing read, nothing derived
    const none: ChunkRef[] = [];
    await r.refs('s.hourly', T0 + 1000 * H, T0 + 2000 * H, 1, none);
    expect(none).toEqual([]);
    await src.close();
  });

  it('leaves out a rollup level whose one row would repeat the series\' one chunk', async () => {
    const src = new LocalBlockSource(dir);
    const w = new BlockWriter(src.file('b4'));
    const day = cols(288, T0, 300_000, (i) => Math.round(Math.sin(i / 9) * 1000) / 100);
    const twoDays = cols(576, T0, 300_000, (i) => Math.round(Math.cos(i / 9) * 1000) / 100);
    await w.addSeries('s.day', [day]);
    await w.addSeries('s.two', [twoDays]);
    await w.finish();
    const r = await BlockReader.open('b4', src);
    // a 5-minute tag keeps its day level (FORMAT-block.md), except where that level's one row is the chunk
    expect(r.series.get('s.day')!.rollups).toEqual([]);
    expect(r.series.get('s.two')!.rollups.map((x) => x.res)).toEqual([86_400_000]);
    const rows = (await r.rollups('s.two', 86_400_000))!.rows;
    expect(rows).toEqual([summarize(twoDays, 0, 288), summarize(twoDays, 288, 576)]);
    // the row the first series would have had is exactly its chunk's summary
    const refs: ChunkRef[] = [];
    await r.refs('s.day', T0, T0 + 86_400_000, 1, refs);
    expect(refs[0].summary).toEqual(summarize(day));
    await src.close();
  });

  it('writes the same bytes when told how many samples at most a series has (levels that cannot pay stop early)', async () => {
    const src = new LocalBlockSource(dir);
    // 10 s, 1 min, 5 min and hourly tags with jitter and gaps, one before 1970 (negative
    // times): each level's rows and keep-or-drop decision must match
    const series: Array<{ tag: string; c: ReturnType<typeof cols> }> = [];
    let seed = 1;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (const [k, step] of [10_000, 60_000, 300_000, H].entries()) {
      const n = Math.round((14 * 24 * H) / step);
      const c = cols(n, 0, 0, () => Math.round(rnd() * 10000) / 100);
      let t = k === 3 ? -30 * 24 * H : T0;
      for (let i = 0; i < n; i++) { t += rnd() < 0.02 ? step * 40 : step * (0.5 + rnd()); c.ts[i] = t = Math.round(t); }
      series.push({ tag: `s.${k}`, c });
    }
    // 5-minute rows need 33.3 samples a row (rollup.ts): at 8.9 s they just pay, at 9.1 s just not
    for (const step of [8_900, 9_100]) series.push({ tag: `s.${step}`, c: cols(Math.round((3 * 24 * H) / step), T0, step, (i) => i % 7) });
    const write = async (id: string, most: (n: number) => number | undefined) => {
      const w = new BlockWriter(src.file(id));
      for (const s of series) await w.addSeries(s.tag, [s.c], most(s.c.ts.length));
      await w.finish();
      return fs.readFileSync(path.join(dir, `${id}.blk`));
    };
    const unbounded = await write('u', () => undefined);
    expect(await write('exact', (n) => n)).toEqual(unbounded);
    expect(await write('over', (n) => n + 500)).toEqual(unbounded);
    const r = await BlockReader.open('exact', src);
    // the bound let the finer levels go, not the ones that pay
    expect(r.series.get('s.1')!.rollups.map((x) => x.res)).toEqual([3_600_000, 86_400_000]);
    expect(r.series.get('s.8900')!.rollups.map((x) => x.res)).toEqual([300_000, 3_600_000, 86_400_000]);
    expect(r.series.get('s.9100')!.rollups.map((x) => x.res)).toEqual([3_600_000, 86_400_000]);
    await src.close();
  });

  it('detects a corrupt chunk by checksum', async () => {
    const src = new LocalBlockSource(dir);
    const w = new BlockWriter(src.file('b2'), 100);
    await w.addSeries('s.a', [cols(300, T0, 1000, (i) => i)]);
    await w.finish();
    const file = src.file('b2');
    const buf = fs.readFileSync(file);
    buf[20] ^= 0x55; // inside the first chunk
    fs.writeFileSync(file, buf);
    const r = await BlockReader.open('b2', src);
    await expect(r.loadChunk(r.series.get('s.a')!.chunks[0])).rejects.toBeInstanceOf(CorruptBlockError);
    await src.close();
  });

  it('reports a corrupt block through counter and logger while queries of other blocks still work', async () => {
    const logger = memoryLogger();
    const now = T0 + 100 * H;
    const s = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => now, logger });
    const data: Sample[] = Array.from({ length: 6 * 3600 }, (_, i) => ({ tag: 'k.v', ts: T0 + i * 1000, value: i % 97, quality: 0 }));
    await s.write(data);
    await s.flush(); // three 2 h blocks
    await s.close();
    const blocks = fs.readdirSync(path.join(dir, 'blocks')).sort();
    expect(blocks.length).toBe(3);
    const victim = path.join(dir, 'blocks', blocks[1]);
    const buf = fs.readFileSync(victim);
    buf[10] ^= 0xff; // inside the middle block's first chunk (data starts after the 8-byte magic)
    fs.writeFileSync(victim, buf);
    // also make the third block's index unreadable
    const third = path.join(dir, 'blocks', blocks[2]);
    const b3 = fs.readFileSync(third);
    b3[b3.length - 40] ^= 0xff;
    fs.writeFileSync(third, b3);

    const s2 = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => now, logger });
    const got = await readAll(s2, 'k.v');
    const first = data.filter((x) => x.ts < T0 + 2 * H);
    // the healthy block is complete; the middle one keeps its intact chunks only
    expect(got.slice(0, first.length)).toEqual(first);
    expect(got.length).toBeLessThan(data.length);
    expect(got.every((x) => x.ts < T0 + 4 * H)).toBe(true);
    expect(s2.stats().corruptBlocks).toBe(2);
    expect(logger.lines.filter((l) => l.level === 'error' && /corrupt block/.test(l.msg)).length).toBe(2);
    // later queries skip the corrupt blocks and keep working
    expect((await readAll(s2, 'k.v', T0, T0 + H)).length).toBe(3600);
    expect(s2.stats().corruptBlocks).toBe(2);
    // compaction leaves corrupt blocks alone instead of dropping their data
    await s2.compact();
    expect(fs.existsSync(victim)).toBe(true);
    await s2.close();
  });
});

describe('block sources', () => {
  let dir: string;
  beforeEach(async () => { dir = await makeTempDir('tsdb-source-'); });
  afterEach(async () => { await removeTempDir(dir); });

  it('reads a block moved to another location through its BlockSource', async () => {
    const files = new Map<string, Uint8Array>();
    const remote = {
      location: 'remote',
      reads: 0,
      async read(id: string, offset: number, length: number) { this.reads++; return files.get(id)!.subarray(offset, offset + length); },
      async size(id: string) { return files.get(id)!.length; },
      async remove(id: string) { files.delete(id); },
    };
    const now = T0 + 100 * H;
    const s = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => now, blockSources: [remote] });
    const data: Sample[] = Array.from({ length: 3600 }, (_, i) => ({ tag: 'm.v', ts: T0 + i * 1000, value: i, quality: 0 }));
    await s.write(data);
    await s.flush();
    const [b] = s.blocks();
    files.set(b.id, fs.readFileSync(s.localBlockPath(b.id)));
    await s.relocateBlock(b.id, 'local', 'remote');
    expect(fs.existsSync(s.localBlockPath(b.id))).toBe(false);
    expect(s.blocks()[0].location).toBe('remote');
    expect(await readAll(s, 'm.v')).toEqual(data);
    expect(remote.reads).toBeGreaterThan(0);
    await expect(s.relocateBlock(b.id, 'remote', 'nowhere')).rejects.toThrow(/^to:/);
    await s.close();
  });
});
