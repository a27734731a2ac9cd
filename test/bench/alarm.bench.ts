// Alarm evaluation cost: 10,000 alarm definitions receiving one sample per second each,
// evaluated and ticked once per simulated second, with every transition journaled to a
// SQLite file. CPU time of evaluate + tick over the simulated seconds, as a fraction of
// one core (target ≤ 0.10).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlarmService } from '../../runtime/alarm';
import type { Sample } from '../../runtime/model';
import { Prng } from '../../runtime/sim';
import { metric, writeReport } from './lib/report';

const ALARMS = 10_000;
const SECONDS = 120;
const WARMUP = 10;
const START = Date.UTC(2025, 0, 1);

// Alarm mix of a typical rationalized plant: mostly analog limits, some rate, discrete and deviation.
function definitions(): { defs: object[]; tags: string[]; setpointTags: string[] } {
  const defs: object[] = [];
  const tags: string[] = [];
  const setpointTags: string[] = [];
  for (let i = 0; i < ALARMS; i++) {
    const unit = `bench.area${i % 10}.unit${Math.floor(i / 100)}`;
    const tag = `${unit}.p${i}`;
    tags.push(tag);
    const base = { id: `a${i}`, tag, priority: (['low', 'medium', 'high', 'urgent'] as const)[i % 4], message: 'bench', onDelayMs: i % 3 === 0 ? 2000 : 0, offDelayMs: i % 5 === 0 ? 3000 : 0, reAlarmMs: i % 7 === 0 ? 30_000 : 0 };
    const k = i % 10;
    if (k < 4) defs.push({ ...base, type: 'HI', setpoint: 70, deadband: 2 });
    else if (k < 6) defs.push({ ...base, type: 'LO', setpoint: 30, deadband: 2 });
    else if (k === 6) defs.push({ ...base, type: 'HIHI', setpoint: 80, deadband: 2 });
    else if (k === 7) defs.push({ ...base, type: 'ROC', ratePerSecond: 8, windowMs: 5000, deadband: 1 });
    else if (k === 8) defs.push({ ...base, type: 'DISCRETE', equals: 1 });
    else {
      const sp = `${unit}.sp`;
      if (!setpointTags.includes(sp)) setpointTags.push(sp);
      defs.push({ ...base, type: 'DEVIATION', setpointTag: sp, limit: 25, deadband: 2 });
    }
  }
  return { defs, tags, setpointTags };
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'alarm-bench-'));
  try {
    const { defs, tags, setpointTags } = definitions();
    let now = START;
    const svc = new AlarmService({ db: join(dir, 'alarms.db'), clock: () => now });
    svc.configure('bench', defs);
    let transitions = 0;
    svc.onTransition(() => transitions++);
    const rng = new Prng(42);
    const values: number[] = tags.map((_, i) => (i % 10 === 8 ? 0 : 50));
    // Ornstein-Uhlenbeck walk around 50: most values stay normal, a few percent cross limits.
    const secondOfSamples = (ts: number): Sample[] => {
      const out: Sample[] = new Array(tags.length + setpointTags.length);
      for (let i = 0; i < tags.length; i++) {
        const k = i % 10;
        if (k === 8) {
          if (rng.next() < 0.002) values[i] = values[i] === 1 ? 0 : 1;
        } else values[i] += 0.05 * (50 - values[i]) + 4 * rng.gaussian();
        out[i] = { tag: tags[i], ts, value: values[i], quality: 0 };
      }
      for (let j = 0; j < setpointTags.length; j++) out[tags.length + j] = { tag: setpointTags[j], ts, value: 50, quality: 0 };
      return out;
    };
    let cpuUs = 0;
    let evaluations = 0;
    for (let s = 0; s < WARMUP + SECONDS; s++) {
      now = START + s * 1000;
      const batch = secondOfSamples(now);
      const before = process.cpuUsage();
      svc.evaluate(batch);
      svc.tick(now);
      const used = process.cpuUsage(before);
      if (s >= WARMUP) {
        cpuUs += used.user + used.system;
        evaluations += ALARMS + setpointTags.length;
      }
    }
    const cpuS = cpuUs / 1e6;
    const journal = svc.journal({}, { limit: 1 }).entries[0]?.seq ?? 0;
    svc.close();
    console.log(`${ALARMS} alarms, ${SECONDS} simulated seconds, ${transitions} transitions journaled (${(transitions / (WARMUP + SECONDS)).toFixed(1)}/s), journal seq ${journal}, CPU ${cpuS.toFixed(3)} s`);
    writeReport('alarm', [
      metric('cpu_fraction.10k_alarms_1hz', cpuS / SECONDS, 'fraction of one core', 'lower', 0.10),
      metric('evaluations_per_s', evaluations / cpuS, 'alarm evaluations/s of CPU', 'higher'),
      metric('transitions_per_s.10k_alarms_1hz', transitions / (WARMUP + SECONDS), 'transitions/s', 'lower'),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
