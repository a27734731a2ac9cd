import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { columnsOf, samplesOf, type Sample } from '../../../runtime/model';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { readAll, Reference, rng } from './reference';

const T0 = Date.UTC(2024, 0, 1);
const H = 3_600_000;

describe('TsdbStore write path', () => {
  let dir: string;
  let now: number;
  const open = (extra = {}) => TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => now, ...extra });
  beforeEach(async () => { dir = await makeTempDir('tsdb-store-'); now = T0 + 10 * H; });
  afterEach(async () => { await removeTempDir(dir); });

  it('acknowledges, reads back and survives a restart through WAL replay', async () => {
    const s = await open();
    const batch: Sample[] = Array.from({ length: 5000 }, (_, i) => ({ tag: `p.t${i % 5}`, ts: T0 + i * 100, value: i / 10, quality: 0 }));
    expect(await s.write(batch)).toEqual({ accepted: 5000, rejected: 0 });
    expect((await readAll(s, 'p.t3')).length).toBe(1000);
    // simulate a crash: a copy of the directory as it is now, where the WAL is all there is
    const crashed = await makeTempDir('tsdb-crashed-');
    fs.cpSync(dir, crashed, { recursive: true });
    fs.rmSync(path.join(crashed, 'LOCK'));
    const s2 = await TsdbStore.open({ dir: crashed, maintenanceIntervalMs: 0, clock: () => now });
    expect(s2.stats().blocks).toBe(0);
    expect(await readAll(s2, 'p.t3')).toEqual(batch.filter((x) => x.tag === 'p.t3'));
    await s2.close();
    await removeTempDir(crashed);
    await s.close();
  });

  it('accepts out-of-order samples inside the window, merges them, and keeps the last write of equal timestamps', async () => {
    const s = await open();
    const ref = new Reference();
    const r = rng(7);
    for (let k = 0; k < 40; k++) {
      const b: Sample[] = [];
      for (let i = 0; i < 200; i++) {
        const ts = T0 + Math.floor(r() * 3000) * 1000; // many duplicates and disorder within 50 min
        b.push({ tag: 'ooo.x', ts, value: Math.round(r() * 1000), quality: r() < 0.1 ? 0x4000 : 0 });
      }
      await s.write(b);
      ref.write(b);
      if (k === 20) await s.flush(); // half of it goes to blocks, later writes override it
    }
    expect(await readAll(s, 'ooo.x')).toEqual(ref.series('ooo.x'));
    expect(await readAll(s, 'ooo.x', 0, 8e12, 'desc')).toEqual(ref.series('ooo.x').reverse());
    await s.close();
    const s2 = await open();
    expect(await readAll(s2, 'ooo.x')).toEqual(ref.series('ooo.x'));
    await s2.close();
  });

  it('stores late data of any age, rejects future, non-finite and bad-tag samples with a reason per index', async () => {
    const s = await open();
    await s.write([{ tag: 'w.a', ts: T0 + H, value: 1, quality: 0 }]);
    const res = await s.write([
      { tag: 'w.a', ts: T0 + H - 120_000, value: 2, quality: 0 }, // late: stored
      { tag: 'w.a', ts: T0 - 30 * 24 * H, value: 3, quality: 0 }, // a month late (backfill): stored
      { tag: 'w.a', ts: T0 + H + 1, value: NaN, quality: 0 },
      { tag: 'w.a', ts: Infinity, value: 1, quality: 0 },
      { tag: 'bad tag!', ts: T0, value: 1, quality: 0 },
      { tag: 'w.a', ts: now + 24 * H, value: 5, quality: 0 }, // a bad clock a day ahead
      { tag: 'w.b', ts: T0, value: 4, quality: 0 },
    ]);
    expect(res.accepted).toBe(3);
    expect(res.rejected).toBe(4);
    expect(res.errors!.map((e) => [e.index, e.reason])).toEqual([[2, 'bad_value'], [3, 'bad_time'], [4, 'bad_tag'], [5, 'too_far_in_future']]);
    expect(res.errors![3].message).toMatch(/ahead of the server clock/);
    expect((await readAll(s, 'w.a')).map((x) => x.value)).toEqual([3, 2, 1]);
    expect((await readAll(s, 'w.b')).map((x) => x.value)).toEqual([4]);
    expect(s.stats().rejected).toBe(4);
    await s.close();
  });

  it('a sample inside the clock-skew limit does not make later current samples "too old"', async () => {
    // the old rule (older than the series' newest minus a window) dropped every current
    // sample after one stamped far ahead: here nothing current may be refused
    const s = await open({ maxFutureMs: 10 * 60_000 });
    expect((await s.write([{ tag: 'p.x', ts: now + 9 * 60_000, value: 1, quality: 0 }])).accepted).toBe(1);
    const later = Array.from({ length: 10 }, (_, i) => ({ tag: 'p.x', ts: now - 3 * H + i * 1000, value: i, quality: 0 }));
    expect(await s.write(later)).toEqual({ accepted: 10, rejected: 0 });
    expect((await readAll(s, 'p.x')).length).toBe(11);
    await s.close();
  });

  it('rejects samples older than the late-data limit or the retention, naming the reason', async () => {
    const s = await open({ lateLimitMs: 2 * H, retentionMs: 24 * H });
    const r = await s.write([
      { tag: 'l.a', ts: now - H, value: 1, quality: 0 },
      { tag: 'l.a', ts: now - 3 * H, value: 2, quality: 0 },
    ]);
    expect(r).toMatchObject({ accepted: 1, rejected: 1 });
    expect(r.errors![0]).toMatchObject({ index: 1, reason: 'too_old' });
    await s.close();
    const s2 = await open({ retentionMs: 24 * H });
    const r2 = await s2.write([{ tag: 'l.a', ts: now - 25 * H, value: 3, quality: 0 }]);
    expect(r2.errors![0].reason).toBe('too_old');
    await s2.close();
  });

  it('answers a batch given as columns exactly as the same samples, and stores the same data', async () => {
    const batch: Sample[] = [
      { tag: 'col.a', ts: T0, value: 1, quality: 0 },
      { tag: 'col.a', ts: T0 + 1000, value: Number.NaN, quality: 0 },
      { tag: 'col.a', ts: now + 10 * H, value: 3, quality: 0 },
      { tag: 'col.b', ts: T0, value: 4, quality: 0x8001 },
      { tag: 'bad tag', ts: T0, value: 5, quality: 0 },
      { tag: 'col.a', ts: T0, value: 6, quality: 0 },
    ];
    const viaSamples = await open();
    const want = await viaSamples.write(batch);
    const stored = [...await readAll(viaSamples, 'col.a'), ...await readAll(viaSamples, 'col.b')];
    await viaSamples.close();
    fs.rmSync(dir, { recursive: true });
    const viaColumns = await open();
    expect(await viaColumns.writeColumns(columnsOf(batch))).toEqual(want);
    expect(want).toMatchObject({ accepted: 3, rejected: 3, overwrites: 1 });
    expect([...await readAll(viaColumns, 'col.a'), ...await readAll(viaColumns, 'col.b')]).toEqual(stored);
    await viaColumns.close();
  });

  it('calls onDurable listeners after the write is durable with the accepted samples', async () => {
    const s = await open({ fsync: 'always' });
    const seen: Sample[][] = [];
    const off = s.onDurable((x) => seen.push(samplesOf(x)));
    await s.write([{ tag: 'd.a', ts: T0, value: 1, quality: 0 }, { tag: 'd.a', ts: T0 + 1, value: NaN, quality: 0 }]);
    off();
    await s.write([{ tag: 'd.a', ts: T0 + 2, value: 2, quality: 0 }]);
    expect(seen).toEqual([[{ tag: 'd.a', ts: T0, value: 1, quality: 0 }]]);
    await s.close();
  });

  it('cuts the head into blocks, checkpoints the WAL and reads the same data', async () => {
    const s = await open({ blockRangeMs: 2 * H });
    const batch: Sample[] = Array.from({ length: 7 * 3600 }, (_, i) => ({ tag: 'c.x', ts: T0 + i * 1000, value: Math.round(Math.sin(i / 50) * 100) / 10, quality: 0 }));
    await s.write(batch);
    await s.flush();
    const st = s.stats();
    expect(st.headSamples).toBe(0);
    expect(st.blocks).toBe(4); // 7 h over 2 h ranges
    expect(st.walSegments).toBe(1);
    expect(await readAll(s, 'c.x')).toEqual(batch);
    await s.close();
  });

  it('a head cut that fails (disk full) keeps its samples: written first at the next cut, its WAL kept until then, nothing lost across a crash', async () => {
    const s = await open();
    const blocks = (s as unknown as { blockSet: { write: (...a: unknown[]) => Promise<unknown> } }).blockSet;
    const write = blocks.write.bind(blocks);
    let failures = 1;
    blocks.write = async (...a: unknown[]) => {
      if (failures > 0) { failures--; throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }); }
      return write(...a);
    };
    const first: Sample[] = Array.from({ length: 600 }, (_, i) => ({ tag: 'p.a', ts: T0 + i * 1000, value: i, quality: 0 }));
    expect(await s.write(first)).toEqual({ accepted: 600, rejected: 0 });
    await expect(s.flush()).rejects.toThrow(/ENOSPC/);
    // the later head overwrites some of the first one's samples: newer writes must still win
    const second: Sample[] = Array.from({ length: 300 }, (_, i) => ({ tag: 'p.a', ts: T0 + (400 + i) * 1000, value: -i, quality: 0 }));
    expect(await s.write(second)).toEqual({ accepted: 300, rejected: 0, overwrites: 200 });
    await s.flush();
    const expected = [...first.slice(0, 400), ...second];
    expect(await readAll(s, 'p.a')).toEqual(expected);
    // crash now: the directory as it is, with only what blocks and the WAL hold
    const crashed = await makeTempDir('tsdb-crashed-');
    fs.cpSync(dir, crashed, { recursive: true });
    fs.rmSync(path.join(crashed, 'LOCK'));
    const s2 = await TsdbStore.open({ dir: crashed, maintenanceIntervalMs: 0, clock: () => now });
    expect(await readAll(s2, 'p.a')).toEqual(expected);
    await s2.close();
    await removeTempDir(crashed);
    await s.close();
    const s3 = await open();
    expect(await readAll(s3, 'p.a')).toEqual(expected);
    await s3.close();
  });

  it('redeploy under load: close and reopen while writers keep writing loses nothing acknowledged', async () => {
    let s = await open({ fsync: 'always' });
    const acked: Sample[] = [];
    let stop = false;
    let t = T0;
    const writer = (async () => {
      while (!stop) {
        const b: Sample[] = Array.from({ length: 20 }, () => ({ tag: 'r.x', ts: t++, value: t % 1000, quality: 0 }));
        try {
          await s.write(b);
          acked.push(...b);
        } catch (e) {
          expect(String(e)).toMatch(/closed/); // a write racing the close is refused, never half-stored
          await new Promise((r) => setImmediate(r));
        }
      }
    })();
    for (let k = 0; k < 5; k++) {
      await new Promise((r) => setTimeout(r, 5));
      const closing = s.close();
      s = await open({ fsync: 'always' }); // waits for the old instance to finish closing
      await closing;
    }
    stop = true;
    await writer;
    const got = await readAll(s, 'r.x');
    const have = new Set(got.map((x) => x.ts));
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.filter((x) => !have.has(x.ts))).toEqual([]);
    await expect(TsdbStore.open({ dir })).rejects.toThrow(/already open/);
    await s.close();
  });

  it('rejects a query without a tag naming the field', async () => {
    const s = await open();
    await expect(readAll(s, '' as string)).rejects.toThrow(/^tag:/);
    await expect(s.valueAt(undefined as never, 5)).rejects.toThrow(/^tag:/);
    await s.close();
  });

  it('validates options with an error naming the option', async () => {
    await expect(TsdbStore.open({ dir, fsync: 'sometimes' as never })).rejects.toThrow(/^fsync:/);
    await expect(TsdbStore.open({ dir, blockRangeMs: -1 })).rejects.toThrow(/^blockRangeMs:/);
  });
});
