// Calculated-tag expression engine: evaluations per second of a compiled expression,
// each against a hand-written JS function computing the same thing (values and
// worst-of quality) in the same run. Inputs are SKAB rig readings (Current, Voltage).
// Run: npm run bench -- calc   ->  test/bench/results/calc.json
import { compile, type InputSample } from '../../runtime/calc';
import { worstQuality } from '../../runtime/model/quality';
import { measureCalcNodeLatency } from './calc-node';
import { metric, writeReport } from './lib/report';
import { readSkab } from './lib/skab';

const file = readSkab('valve1/0.csv');
const current = file.channels['Current'];
const voltage = file.channels['Voltage'];
const N = current.length;

const A = 'skab.valve1.rig.motor.current';
const B = 'skab.valve1.rig.motor.voltage';
const sa: InputSample = { value: 0, ts: 0, quality: 0 };
const sb: InputSample = { value: 0, ts: 0, quality: 0 };
const latest = new Map<string, InputSample>([[A, sa], [B, sb]]);
const ctx = { now: 0, get: (t: string) => latest.get(t) };

let sink = 0;

/** Runs `step(i)` in rounds of `batch` until `ms` elapsed; returns calls per second. */
function rate(step: (i: number) => void, ms: number): number {
  const batch = 100_000;
  let calls = 0;
  let i = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let k = 0; k < batch; k++) step(i++);
    calls += batch;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  return (calls * 1000) / elapsed;
}

function feed(i: number): void {
  const k = i % N;
  sa.value = current[k];
  sb.value = voltage[k];
  sa.ts = sb.ts = ctx.now = i * 1000;
}

/** Median of alternating rounds, so both sides see the same machine conditions. */
function compare(engine: (i: number) => void, baseline: (i: number) => void, rounds = 5, ms = 600) {
  const e: number[] = [];
  const b: number[] = [];
  rate(engine, 200); // warm-up (JIT)
  rate(baseline, 200);
  for (let r = 0; r < rounds; r++) {
    e.push(rate(engine, ms));
    b.push(rate(baseline, ms));
  }
  const med = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return { engine: med(e), baseline: med(b) };
}

// ---- simple: tag(a) * 2 + tag(b) ----
const simple = compile(`tag('${A}') * 2 + tag('${B}')`);
const simpleJs = (c: typeof ctx) => {
  const a = c.get(A);
  const b = c.get(B);
  if (a === undefined || b === undefined) return { value: null, quality: 0x8007 };
  const v = (a.value as number) * 2 + (b.value as number);
  return { value: Number.isFinite(v) ? v : null, quality: worstQuality(a.quality, b.quality) };
};
// identical results before timing anything
for (let i = 0; i < 1000; i++) {
  feed(i);
  const x = simple.evaluate(ctx);
  const y = simpleJs(ctx);
  if (x.value !== y.value || x.quality !== y.quality) throw new Error(`simple: engine ${x.value} != baseline ${y.value}`);
}
const s = compare(
  (i) => { feed(i); sink += simple.evaluate(ctx).value ?? 0; },
  (i) => { feed(i); sink += simpleJs(ctx).value ?? 0; },
);

// ---- windowed: avg over 60 samples + ewma ----
const WINDOW = 60;
const ALPHA = 0.1;
const windowed = compile(`avg(tag('${A}'), ${WINDOW}) + ewma(tag('${B}'), ${ALPHA})`);
function makeWindowedJs() {
  const ring = new Float64Array(WINDOW);
  let n = 0;
  let head = 0;
  let sum = 0;
  let y = NaN;
  return (c: typeof ctx) => {
    const a = c.get(A)!;
    const b = c.get(B)!;
    const va = a.value as number;
    if (n === WINDOW) sum -= ring[head]; else n++;
    ring[head] = va;
    sum += va;
    head = (head + 1) % WINDOW;
    const vb = b.value as number;
    y = y !== y ? vb : ALPHA * vb + (1 - ALPHA) * y;
    return { value: sum / n + y, quality: worstQuality(a.quality, b.quality) };
  };
}
{
  const check = windowed.clone();
  const js = makeWindowedJs();
  for (let i = 0; i < 5000; i++) {
    feed(i);
    const x = check.evaluate(ctx).value!;
    const y = js(ctx).value;
    if (Math.abs(x - y) > 1e-9 * Math.max(1, Math.abs(y))) throw new Error(`windowed at ${i}: engine ${x} != baseline ${y}`);
  }
}
const windowedJs = makeWindowedJs();
const w = compare(
  (i) => { feed(i); sink += windowed.evaluate(ctx).value ?? 0; },
  (i) => { feed(i); sink += windowedJs(ctx).value; },
);

if (sink === 42) console.log('');

void (async () => {
  // input message -> calculated output message through the calc-tag node (no target given)
  const node = await measureCalcNodeLatency();
  writeReport('calc', [
    metric('eval.simple.per_s', s.engine, 'evals/s', 'higher', 2_000_000, { name: 'hand-written JS function', value: s.baseline }),
    // target: 1 µs per evaluation keeps two windowed calc tags per sample well under the
    // ~3 µs/sample budget of a 300k samples/s flow
    metric('eval.windowed.per_s', w.engine, 'evals/s', 'higher', 1_000_000, { name: 'hand-written JS ring buffer + EWMA', value: w.baseline }),
    metric('node.latency_p99_ms', node.p99Ms, 'ms', 'lower'),
  ]);
  console.log(`  (calc-tag node latency p50 ${node.p50Ms.toFixed(3)} ms over ${node.samples} messages)`);
})().catch((e) => { console.error(e); process.exitCode = 1; });
