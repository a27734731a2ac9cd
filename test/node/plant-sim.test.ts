import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import plantSim from '../../nodes/plant-sim/plant-sim';
import { PlantSimulator } from '../../runtime/sim';
import { waitFor } from '../helpers/wait';

type Msg = { topic?: string; payload: any; timestamp?: number; quality?: string };

beforeAll(() => {
  helper.init(require.resolve('node-red'));
});

afterEach(async () => {
  await helper.unload();
});

function load(config: Record<string, unknown>): Promise<{ sim: any; out: any }> {
  const flow = [
    { id: 'n1', type: 'plant-sim', name: 'simulator', wires: [['h1']], ...config },
    { id: 'h1', type: 'helper' },
  ];
  return new Promise((resolve) => {
    helper.load(plantSim as any, flow, () => resolve({ sim: helper.getNode('n1'), out: helper.getNode('h1') }));
  });
}

function collect(out: any): Msg[] {
  const msgs: Msg[] = [];
  out.on('input', (m: Msg) => msgs.push(m));
  return msgs;
}

describe('plant-sim node', () => {
  it('emits batches of valid samples on ISA-95 paths', async () => {
    const { out } = await load({ rate: 600, lines: 1, pumps: 2, mode: 'batch', seed: 7 });
    const msgs = collect(out);
    await waitFor(() => msgs.reduce((n, m) => n + m.payload.length, 0) >= 24, { what: '24 samples', timeoutMs: 5000 });
    for (const m of msgs) {
      expect(Array.isArray(m.payload)).toBe(true);
      for (const s of m.payload) {
        expect(s.tag).toMatch(/^acme\.izmir\.plant1\.line1\.cell1\.pump[12]\.(flow_sp|running|flow|pressure|temperature|total)$/);
        expect(Number.isInteger(s.ts)).toBe(true);
        expect(Number.isFinite(s.value)).toBe(true);
        expect(typeof s.quality).toBe('string');
      }
    }
    const tags = new Set(msgs.flatMap((m) => m.payload.map((s: any) => s.tag)));
    expect(tags.size).toBe(12);
  });

  it('emits one message per sample in single mode', async () => {
    const { out } = await load({ rate: 200, lines: 1, pumps: 1, mode: 'single' });
    const msgs = collect(out);
    await waitFor(() => msgs.length >= 12, { what: '12 messages', timeoutMs: 5000 });
    for (const m of msgs.slice(0, 12)) {
      expect(typeof m.topic).toBe('string');
      expect(typeof m.payload).toBe('number');
      expect(typeof m.timestamp).toBe('number');
      expect(m.quality).toMatch(/^(GOOD|UNCERTAIN|BAD)/);
    }
  });

  it('stops and restarts on command, and rejects unknown commands naming the field', async () => {
    const { sim, out } = await load({ rate: 1000, lines: 1, pumps: 1, mode: 'batch' });
    const msgs = collect(out);
    await waitFor(() => msgs.length > 0, { what: 'first batch' });
    sim.receive({ payload: 'stop' });
    const errors: string[] = [];
    sim.on('call:error', (call: any) => errors.push(String(call.firstArg?.message ?? call.firstArg)));
    sim.receive({ payload: 'jump' });
    await waitFor(() => errors.length > 0, { what: 'node error' });
    expect(errors[0]).toContain('msg.payload');
    const before = msgs.length;
    sim.receive({ payload: 'start' });
    await waitFor(() => msgs.length > before, { what: 'batches after restart' });
  });

  it('refuses single mode above the single-message rate limit', async () => {
    const { sim } = await load({ rate: 50000, mode: 'single' });
    const errors: string[] = [];
    sim.on('call:error', (call: any) => errors.push(String(call.firstArg?.message ?? call.firstArg)));
    sim.receive({ payload: 'start' });
    await waitFor(() => errors.length > 0, { what: 'rate error' });
    expect(errors[0]).toMatch(/^rate: /);
  });
});

describe('plant simulator', () => {
  it('is deterministic: the same seed gives the same samples, another seed differs', () => {
    const a = new PlantSimulator({ seed: 42, start: 1_700_000_000_000, rate: 60 }).next(5000);
    const b = new PlantSimulator({ seed: 42, start: 1_700_000_000_000, rate: 60 }).next(5000);
    const c = new PlantSimulator({ seed: 43, start: 1_700_000_000_000, rate: 60 }).next(5000);
    expect(b).toEqual(a);
    expect(c.map((s) => s.value)).not.toEqual(a.map((s) => s.value));
  });

  it('quantizes every reading to its sensor resolution', () => {
    const sim = new PlantSimulator({ seed: 3, start: 0, rate: 36 });
    const res = new Map(sim.tags.map((t) => [t.tag, t.resolution]));
    for (const s of sim.next(36 * 500)) {
      const r = res.get(s.tag)!;
      const steps = s.value / r;
      expect(Math.abs(steps - Math.round(steps))).toBeLessThan(1e-6);
      // quantized values print with no more decimals than the resolution has
      const decimals = (String(s.value).split('.')[1] ?? '').length;
      expect(decimals).toBeLessThanOrEqual(Math.max(0, Math.round(-Math.log10(r))));
    }
  });

  it('marks readings near the span limits UNCERTAIN_OOR and sensor faults BAD, then recovers', () => {
    const sim = new PlantSimulator({ seed: 5, start: 0, rate: 36, faultRate: 0.01 });
    const span = new Map(sim.tags.map((t) => [t.tag, t]));
    const byTag = new Map<string, { value: number; quality: number }[]>();
    for (const s of sim.next(36 * 3000)) {
      if (!byTag.has(s.tag)) byTag.set(s.tag, []);
      byTag.get(s.tag)!.push(s);
    }
    let bad = 0, recovered = 0, oor = 0, cutOff = 0;
    for (const [tag, series] of byTag) {
      const info = span.get(tag)!;
      for (let i = 0; i < series.length; i++) {
        const q = series[i].quality;
        if (q === 0x8002) {
          bad++;
          if (i + 1 < series.length && series[i + 1].quality !== 0x8002) recovered++;
          // a faulty sensor freezes its last reading
          if (i > 0 && series[i - 1].quality === 0x8002) expect(series[i].value).toBe(series[i - 1].value);
        } else if (q === 0x4001) {
          oor++;
          const margin = 0.02 * (info.high - info.low);
          expect(series[i].value <= info.low + margin || series[i].value >= info.high - margin).toBe(true);
        } else if (tag.endsWith('.flow') && series[i].value === 0) {
          // a stopped pump's flow: zero below the transmitter's low-flow cut-off, a good reading
          expect(q).toBe(0);
          cutOff++;
        } else if (info.type === 'number' && tag.match(/\.(flow|pressure|temperature)$/)) {
          expect(q).toBe(0);
          const margin = 0.02 * (info.high - info.low);
          expect(series[i].value > info.low + margin && series[i].value < info.high - margin).toBe(true);
        }
      }
    }
    expect(bad).toBeGreaterThan(0);
    expect(recovered).toBeGreaterThan(0);
    expect(cutOff).toBeGreaterThan(0);
    // no flow reads below zero unless its sensor is faulty (frozen, BAD)
    for (const [tag, series] of byTag) if (tag.endsWith('.flow')) for (const x of series) if (x.quality !== 0x8002) expect(x.value).toBeGreaterThanOrEqual(0);
    expect(oor).toBeGreaterThan(0); // pumps that trip drive flow to 0, inside the low margin
  });

  it('keeps timestamps on a drift-free timebase at the configured rate', () => {
    const sim = new PlantSimulator({ seed: 1, start: 1000, rate: 12, lines: 1, pumpsPerLine: 2 });
    const samples = sim.next(12 * 100);
    const ticks = [...new Set(samples.map((s) => s.ts))];
    expect(ticks.length).toBe(100);
    expect(ticks[99] - ticks[0]).toBe(99 * 1000);
  });

  it('rejects out-of-range options naming the field', () => {
    expect(() => new PlantSimulator({ rate: 0 })).toThrow(/^rate: /);
    expect(() => new PlantSimulator({ rate: 300_000 })).toThrow(/^rate: /);
    expect(() => new PlantSimulator({ lines: 0 })).toThrow(/^lines: /);
    expect(() => new PlantSimulator({ seed: 1.5 })).toThrow(/^seed: /);
  });
});
