// History for a fresh demo: the simulator runs from `days` ago to now in coarse steps,
// then the last `detailHours` in fine steps, and hands batches to a writer (the store's
// normal write path) one at a time, so memory stays bounded whatever the plan. The last
// stretch is generated up to the moment it finishes, so live pacing continues without a gap.
// Batches are columns, not sample objects: a batch lives until its write is durable, which
// is longer than the young generation keeps anything, so 50,000 objects a batch were all
// promoted to the old generation and the heap grew by hundreds of MB of garbage before a
// major collection (a first start's server peaked at 415 MB of heap for ~100 MB live).
import { allocColumns, type SampleColumns } from '../model';
import type { PlantSimulator } from './plant';

export interface BackfillPlan {
  /** history length; 0 = none */
  days: number;
  /** step of the long stretch */
  stepMs: number;
  /** the most recent hours at a finer step (0 = none) */
  detailHours: number;
  detailStepMs: number;
  /** samples per write */
  batchSamples?: number;
}

export interface BackfillResult {
  samples: number;
  from: number;
  /** time of the last tick written; live pacing continues one live tick later */
  lastTs: number;
}

function check(plan: BackfillPlan): void {
  const pos = (k: keyof BackfillPlan, v: number, allowZero: boolean) => {
    if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw new Error(`backfill ${k}: must be a ${allowZero ? 'non-negative' : 'positive'} number (got ${v})`);
  };
  pos('days', plan.days, true);
  pos('detailHours', plan.detailHours, true);
  if (plan.days > 3660) throw new Error('backfill days: at most 3660 (10 years)');
  if (plan.days > 0) pos('stepMs', plan.stepMs, false);
  if (plan.detailHours > 0) pos('detailStepMs', plan.detailStepMs, false);
  if (plan.detailHours * 3_600_000 > Math.max(plan.days, 0) * 86_400_000 && plan.days > 0) throw new Error('backfill detailHours: must not exceed days');
}

/**
 * Runs `sim` over the plan ending at `now()` and writes every tick through `write`.
 * Events the simulator raises while catching up (setpoint changes, trips) are history,
 * not news: they are dropped.
 */
export async function backfill(sim: PlantSimulator, plan: BackfillPlan, write: (batch: SampleColumns) => Promise<void>,
  now: () => number = Date.now, shouldStop: () => boolean = () => false): Promise<BackfillResult> {
  check(plan);
  const end0 = now();
  if (plan.days === 0 && plan.detailHours === 0) return { samples: 0, from: end0, lastTs: end0 - 1 };
  const from = end0 - Math.round(plan.days > 0 ? plan.days * 86_400_000 : plan.detailHours * 3_600_000);
  const detailFrom = end0 - Math.round(plan.detailHours * 3_600_000);
  const batchMax = Math.max(1, Math.floor(plan.batchSamples ?? 50_000));
  let batch = allocColumns(batchMax);
  let fill = 0;
  let samples = 0;
  let ts = from;
  let lastTs = from - 1;
  const flush = async () => {
    if (fill === 0) return;
    samples += fill;
    const b: SampleColumns = fill === batchMax ? batch
      : { length: fill, tag: batch.tag.slice(0, fill), ts: batch.ts.subarray(0, fill), value: batch.value.subarray(0, fill), quality: batch.quality.subarray(0, fill) };
    // a new batch each time: the writer may keep the columns it was given
    batch = allocColumns(batchMax);
    fill = 0;
    await write(b);
    // a write that is durable at once resolves as a microtask: give timers and I/O (the
    // HTTP server, live samples) their turn between batches
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  // coarse stretch, then the detailed one up to the clock (re-read as it advances)
  while (!shouldStop()) {
    const fine = ts >= detailFrom && plan.detailHours > 0;
    const step = fine ? plan.detailStepMs : plan.stepMs;
    if (ts > now()) break;
    for (const s of sim.stepAt(ts, step / 1000)) {
      batch.tag[fill] = s.tag; batch.ts[fill] = s.ts; batch.value[fill] = s.value; batch.quality[fill] = s.quality;
      if (++fill === batchMax) await flush();
    }
    sim.takeEvents();
    lastTs = ts;
    ts = !fine && ts + step > detailFrom && plan.detailHours > 0 ? Math.max(ts + 1, detailFrom) : ts + step;
  }
  await flush();
  return { samples, from, lastTs };
}
