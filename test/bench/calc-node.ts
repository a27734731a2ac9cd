// Latency through the calc-tag node: from an input message (one sample) to the calculated
// output message, in Node-RED's own runtime (node-red-node-test-helper), one message in
// flight at a time so each measurement is one hop, not queueing.
import helper from 'node-red-node-test-helper';
import calcTag from '../../nodes/calc-tag/calc-tag';

export interface NodeLatency {
  p50Ms: number;
  p99Ms: number;
  samples: number;
}

const A = 'acme.izmir.plant1.line1.cell1.pump1.flow';
const B = 'acme.izmir.plant1.line1.cell1.pump1.pressure';

/** Sends `count` messages (after `warmup` unmeasured ones) and returns latency percentiles in ms. */
export async function measureCalcNodeLatency(count = 5000, warmup = 1000): Promise<NodeLatency> {
  helper.init(require.resolve('node-red'));
  const flow = [
    { id: 'calc1', type: 'calc-tag', calcs: [
      { output: 'acme.izmir.plant1.line1.cell1.pump1.power', expression: 'flow * p / 36', aliases: `flow=${A}, p=${B}` },
      { output: 'acme.izmir.plant1.line1.cell1.pump1.flow_avg', expression: 'avg(flow, 60) + ewma(p, 0.1)', aliases: `flow=${A}, p=${B}` },
    ], wires: [['sink1']] },
    { id: 'sink1', type: 'helper' },
  ];
  await new Promise<void>((resolve) => helper.load(calcTag as any, flow, () => resolve()));
  try {
    const node = helper.getNode('calc1');
    const sink = helper.getNode('sink1');
    node.receive({ topic: B, payload: 3.2, timestamp: 0 });
    let pending: (() => void) | null = null;
    sink.on('input', () => { const p = pending; pending = null; p?.(); });
    const lat: number[] = [];
    for (let i = 0; i < warmup + count; i++) {
      const done = new Promise<void>((resolve) => { pending = resolve; });
      const t0 = process.hrtime.bigint();
      node.receive({ topic: A, payload: 40 + (i % 17), timestamp: 1000 + i * 1000 });
      await done;
      if (i >= warmup) lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    lat.sort((x, y) => x - y);
    const q = (f: number) => lat[Math.min(lat.length - 1, Math.floor(f * lat.length))];
    return { p50Ms: q(0.5), p99Ms: q(0.99), samples: lat.length };
  } finally {
    await helper.unload();
  }
}
