// The low-space watermark: the smaller of a percentage and a size, a margin before writes
// resume (no flapping at the edge), a probe that cannot look never refuses writes.
import { describe, expect, it } from 'vitest';
import { DiskLowError, DiskWatermark, type DiskSpace } from '../../../runtime/disk/disk-watermark';

const MB = 1_048_576;

function setup(opts: { minFreePercent?: number; minFreeBytes?: number } = {}) {
  const space: { v: DiskSpace | Error } = { v: { totalBytes: 64 * MB, freeBytes: 40 * MB } };
  const clock = { now: 0 };
  const w = new DiskWatermark({ dir: '/data', cacheMs: 1000, clock: () => clock.now, probe: () => { if (space.v instanceof Error) throw space.v; return space.v; }, ...opts });
  const at = (freeMb: number, totalMb = 64) => { space.v = { totalBytes: totalMb * MB, freeBytes: freeMb * MB }; clock.now += 1000; return w.state(); };
  return { w, space, clock, at };
}

describe('DiskWatermark', () => {
  it('is the smaller of the percentage and the size', () => {
    const { w } = setup();
    expect(w.watermark(64 * MB)).toBe(Math.floor(64 * MB * 0.05)); // small card: 5 %
    expect(w.watermark(2_000_000 * MB)).toBe(500 * MB); // big disk: 500 MB
    expect(setup({ minFreePercent: 0 }).w.watermark(64 * MB)).toBe(500 * MB);
    expect(setup({ minFreePercent: 0, minFreeBytes: 0 }).w.watermark(64 * MB)).toBe(0);
  });

  it('refuses below the watermark and resumes only a margin above it', () => {
    const { w, at, clock } = setup({ minFreePercent: 50, minFreeBytes: 10 * MB });
    expect(at(11).low).toBe(false);
    const low = at(9.9);
    expect(low).toMatchObject({ low: true, watermarkBytes: 10 * MB, since: clock.now });
    expect(() => w.assertWritable()).toThrow(DiskLowError);
    expect(() => w.assertWritable()).toThrow(/9\.9 MB free, below the 10\.0 MB watermark/);
    expect(at(10.5)).toMatchObject({ low: true, since: low.since }); // inside the margin
    expect(at(11.1).low).toBe(false);
    expect(() => w.assertWritable()).not.toThrow();
  });

  it('looks at the filesystem at most once per cacheMs', () => {
    const { w, space, clock } = setup({ minFreeBytes: 10 * MB });
    expect(w.state().low).toBe(false);
    space.v = { totalBytes: 64 * MB, freeBytes: 1 * MB };
    clock.now += 999;
    expect(w.state().low).toBe(false);
    clock.now += 1;
    expect(w.state().low).toBe(true);
  });

  it('does not refuse on a guess when the probe fails', () => {
    const { w, space, clock } = setup();
    space.v = new Error('EIO');
    clock.now += 1000;
    expect(w.state().low).toBe(false);
  });

  it('rejects bad options by name', () => {
    expect(() => new DiskWatermark({ dir: '/d', minFreePercent: 100 })).toThrow(/minFreePercent: must be below 100/);
    expect(() => new DiskWatermark({ dir: '/d', minFreeBytes: -1 })).toThrow(/minFreeBytes: must be zero or a positive/);
  });
});
