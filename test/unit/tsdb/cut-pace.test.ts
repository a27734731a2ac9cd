import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../../runtime/model';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { readAll } from './reference';

const T0 = Date.UTC(2024, 0, 1);
const TAGS = Array.from({ length: 200 }, (_, i) => `c.area${i % 10}.dev${i}.pv`);

/** `seconds` of every tag from `from` (s), 2-decimal values */
function rows(from: number, seconds: number): Sample[] {
  const out: Sample[] = [];
  for (let s = from; s < from + seconds; s++) {
    for (const [i, tag] of TAGS.entries()) out.push({ tag, ts: T0 + s * 1000, value: Math.round((i + Math.sin(s / 7) * 10) * 100) / 100, quality: 0 });
  }
  return out;
}

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('head cuts and the event loop', () => {
  let dir: string;
  beforeEach(async () => { dir = await makeTempDir('tsdb-cut-pace-'); });
  afterEach(async () => { await removeTempDir(dir); });

  it('take writes while a head is cut into blocks, until the new head is full; nothing is lost', async () => {
    // a head of 200 tags × 1,000 s; writes during its cut go into the new head, which is full at 6,000 samples
    const max = 6_000;
    const s = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => T0 + 2000 * 1000, maxHeadSamples: 1_000_000 });
    await s.write(rows(0, 1000));
    (s as unknown as { o: { maxHeadSamples: number } }).o.maxHeadSamples = max;
    let cutDone = false;
    const cut = s.flush().then(() => { cutDone = true; });
    const during: Array<{ beforeCut: boolean; headSamples: number }> = [];
    let sec = 1000;
    while (!cutDone) {
      await turn();
      if (cutDone) break;
      const batch = rows(sec, 10); // 2,000 samples
      sec += 10;
      const headSamples = s.stats().headSamples;
      await s.write(batch);
      during.push({ beforeCut: !cutDone, headSamples });
    }
    await cut;
    // the event loop turned during the cut: writes were acknowledged before it ended ...
    expect(during.filter((d) => d.beforeCut).length).toBeGreaterThanOrEqual(2);
    // ... until the new head held its maximum; the write after that waited for the cut
    expect(during.some((d) => !d.beforeCut)).toBe(true);
    const acked = during.filter((d) => d.beforeCut);
    expect(acked.length).toBeLessThanOrEqual(max / 2000 + 1);
    expect(s.stats().cuts).toBeGreaterThanOrEqual(1); // the full new head schedules the next
    for (const tag of [TAGS[0], TAGS[123]]) {
      const got = await readAll(s, tag);
      expect(got.length).toBe(sec);
      expect(got.map((x) => x.ts)).toEqual(Array.from({ length: sec }, (_, k) => T0 + k * 1000));
    }
    await s.close();
  });

  it('acknowledge writes that wait for a cut in the order they came, though compaction runs after the cut', async () => {
    // four small blocks to compact, then a head cut and that compaction in one maintenance run
    const s = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => T0 + 86_400_000, maxHeadSamples: 1_000_000 });
    for (let k = 0; k < 4; k++) { await s.write(rows(k * 300, 300)); await s.flush(); }
    await s.write(rows(1200, 1000));
    (s as unknown as { o: { maxHeadSamples: number } }).o.maxHeadSamples = 6_000;
    const cuts = s.stats().cuts;
    let done = false;
    const run = s.maintain().then(() => { done = true; });
    const acks: number[] = [];
    const writes: Array<Promise<unknown>> = [];
    let sec = 2200;
    let issuedAfterCut = 0;
    for (let i = 0; !done; i++) {
      await turn();
      if (s.stats().cuts > cuts) issuedAfterCut++;
      writes.push(s.write(rows(sec, 10)).then(() => { acks.push(i); }));
      sec += 10;
    }
    await run;
    await Promise.all(writes);
    expect(s.stats().compactions).toBeGreaterThan(0);
    expect(issuedAfterCut).toBeGreaterThan(0); // writes came between the cut's end and the run's end
    expect(acks).toEqual(acks.slice().sort((a, b) => a - b));
    expect(acks.length).toBe(writes.length);
    const got = await readAll(s, TAGS[7]);
    expect(got.length).toBe(sec);
    await s.close();
  });
});
