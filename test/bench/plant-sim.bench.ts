// plant-sim generation rate in batch mode (samples/s), against a baseline that only
// draws the random numbers the same way, measured in the same run.
import { PlantSimulator } from '../../runtime/sim';
import { Prng } from '../../runtime/sim/prng';
import { toWireSample } from '../../runtime/model';
import { metric, writeReport } from './lib/report';

function best(runs: number, fn: () => number): number {
  let top = 0;
  for (let i = 0; i < runs; i++) top = Math.max(top, fn());
  return top;
}

const N = 2_000_000;
const batchRate = best(5, () => {
  const sim = new PlantSimulator({ seed: 1, start: 0, rate: 200_000, lines: 10, pumpsPerLine: 10 });
  const t = process.hrtime.bigint();
  let n = 0;
  while (n < N) n += sim.next(10_000).map(toWireSample).length;
  return n / (Number(process.hrtime.bigint() - t) / 1e9);
});
const prngRate = best(5, () => {
  const r = new Prng(1);
  const t = process.hrtime.bigint();
  let x = 0;
  for (let i = 0; i < N; i++) x += r.gaussian();
  if (x === 0.5) console.log(x);
  return N / (Number(process.hrtime.bigint() - t) / 1e9);
});
writeReport('plant-sim', [
  metric('generate.batch.samples_per_s', batchRate, 'samples/s', 'higher', 200_000, { name: 'gaussian draws/s (PRNG only)', value: prngRate }),
]);
