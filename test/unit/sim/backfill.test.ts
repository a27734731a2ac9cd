// The demo history is handed to the writer as columns in batches of at most `batchSamples`:
// every sample the simulator makes, once, in order, each batch exactly as long as it says
// (the last one and a batch that ends inside a tick included), and a fresh batch each time
// (a writer may keep what it was given).
import { describe, expect, it } from 'vitest';
import { samplesOf, type Sample, type SampleColumns } from '../../../runtime/model';
import { PlantSimulator, backfill } from '../../../runtime/sim';

const T0 = Date.UTC(2026, 5, 1);
const sim = () => new PlantSimulator({ seed: 7, lines: 1, pumpsPerLine: 2, rate: 16, start: T0, story: true });

describe('demo history (backfill)', () => {
  it('writes every sample once, in order, in batches of at most batchSamples columns', async () => {
    const plan = { days: 0.5, stepMs: 60_000, detailHours: 1, detailStepMs: 1000, batchSamples: 1000 };
    const clock = T0 + 12 * 3_600_000;
    const batches: SampleColumns[] = [];
    const r = await backfill(sim(), plan, async (b) => { batches.push(b); }, () => clock);
    // the same simulator stepped by hand gives the expected samples
    const ref = sim();
    const want: Sample[] = [];
    for (let ts = clock - 12 * 3_600_000; ts <= clock;) {
      const fine = ts >= clock - 3_600_000;
      const step = fine ? 1000 : 60_000;
      want.push(...ref.stepAt(ts, step / 1000));
      ref.takeEvents();
      ts = !fine && ts + step > clock - 3_600_000 ? Math.max(ts + 1, clock - 3_600_000) : ts + step;
    }
    const ticks = want.length / ref.tags.length;
    expect(ticks).toBe(12 * 60 - 60 + 3601);
    // 8 tags a tick do not divide 1000: batches end inside ticks
    expect(1000 % ref.tags.length).not.toBe(0);
    expect(r.samples).toBe(want.length);
    for (const b of batches.slice(0, -1)) expect(b.length).toBe(1000);
    const last = batches[batches.length - 1];
    expect(last.length).toBe(want.length % 1000 || 1000);
    for (const b of batches) {
      expect(b.tag.length).toBe(b.length);
      expect(b.ts.length).toBe(b.length);
      expect(b.value.length).toBe(b.length);
      expect(b.quality.length).toBe(b.length);
    }
    expect(new Set(batches.map((b) => b.ts.buffer)).size).toBe(batches.length);
    expect(batches.flatMap((b) => samplesOf(b))).toEqual(want);
    expect(r.lastTs).toBe(want[want.length - 1].ts);
  });

  it('writes nothing for an empty plan and refuses a bad one naming the field', async () => {
    const got: SampleColumns[] = [];
    const r = await backfill(sim(), { days: 0, stepMs: 60_000, detailHours: 0, detailStepMs: 1000 }, async (b) => { got.push(b); }, () => T0);
    expect(r.samples).toBe(0);
    expect(got).toEqual([]);
    await expect(backfill(sim(), { days: 1, stepMs: 0, detailHours: 0, detailStepMs: 1000 }, async () => {}, () => T0)).rejects.toThrow(/backfill stepMs/);
  });
});
