// Fits the demo plant's twin (line 1 pump 1 bearing temperature from its flow and
// pressure, ARX) on two hours of the simulator in normal operation (no cooling upsets, no
// sensor faults) and prints the model file. The default flow ships this model in the
// twin-predict node (modelJson). Run after changing the simulator's dynamics:
//   npx tsx scripts/demo-twin-model.ts > /tmp/model.json
import { PlantSimulator } from '../runtime/sim';
import { fitModel, serializeModel } from '../runtime/twin';

const P = 'acme.izmir.plant1.line1.cell1.pump1';
const tags = [`${P}.temperature`, `${P}.flow`, `${P}.pressure`];
const sim = new PlantSimulator({ seed: 11, lines: 1, pumpsPerLine: 1, rate: 6, start: Date.UTC(2026, 0, 1), faultRate: 0 });
const ts: number[] = [];
const columns: Record<string, number[]> = Object.fromEntries(tags.map((t) => [t, [] as number[]]));
for (let i = 0; i < 7200; i++) {
  const batch = sim.tick();
  ts.push(batch[0].ts);
  for (const t of tags) columns[t].push(batch.find((s) => s.tag === t)!.value);
}
const model = fitModel({ ts, columns }, { name: 'demo-pump1-temperature', kind: 'arx', target: tags[0], inputs: tags.slice(1) } as never);
// the residual detector the demo uses: EWMA of the residual beyond 4 σ for 10 s
const withDetector = { ...model, detector: { method: 'ewma', threshold: 4, lambda: 0.2, minDurationMs: 10_000 } };
process.stdout.write(serializeModel(withDetector as typeof model));
