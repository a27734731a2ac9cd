// Heap pages V8 keeps after a burst are given back (runtime/platform/heap-trim.ts, README
// "Memory"): the trimmer's rule (threshold over the level the last collection left, spacing,
// off switch) with a scripted pool, and the real thing in a child process: a burst freed by an
// ordinary collection stays resident until the trimmer's last-resort collection releases it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventLoopBusy, HeapTrimmer } from '../../../runtime/platform';
import { waitFor } from '../../helpers/wait';

const MB = 1048576;

function scripted(levels: Array<number | null>) {
  let i = 0;
  let now = 0;
  const collected: number[] = [];
  const probe = () => levels[Math.min(i, levels.length - 1)];
  // a collection releases the pool down to what the script says comes next
  const collect = () => { collected.push(now); i++; };
  return { probe, collect, collected, clock: () => now, advance: (ms: number) => { now += ms; }, next: () => { i++; } };
}

describe('HeapTrimmer', () => {
  it('collects once the pool grows past the threshold, then measures growth from what the collection left', () => {
    // pool: 40 MB (below), 100 MB (collect → 20 MB left), 70 MB (50 over the floor: no), 90 MB (70 over: collect)
    const s = scripted([40 * MB, 100 * MB, 20 * MB, 70 * MB, 90 * MB, 10 * MB]);
    const logs: string[] = [];
    const t = new HeapTrimmer({ thresholdBytes: 64 * MB, minSpacingMs: 1000, probe: s.probe, collect: s.collect, clock: s.clock, busy: () => false, log: (m) => logs.push(m) });
    expect(t.check()).toBe(0);
    s.next();
    expect(t.check()).toBe(80 * MB); // 100 → 20
    s.advance(5000);
    s.next();
    expect(t.check()).toBe(0); // 70: 50 MB over the floor of 20
    s.next();
    expect(t.check()).toBe(80 * MB); // 90 → 10
    expect(s.collected).toEqual([0, 5000]);
    expect(t.stats).toEqual({ collections: 2, releasedBytes: 160 * MB });
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatch(/gave back 80 MB of heap pages/);
  });

  it('leaves at least minSpacingMs between two collections', () => {
    const s = scripted([200 * MB, 0, 200 * MB, 0]);
    const t = new HeapTrimmer({ thresholdBytes: 64 * MB, minSpacingMs: 60_000, probe: s.probe, collect: s.collect, clock: s.clock, busy: () => false });
    expect(t.check()).toBe(200 * MB);
    s.next();
    s.advance(59_999);
    expect(t.check()).toBe(0);
    s.advance(1);
    expect(t.check()).toBe(200 * MB);
    expect(s.collected).toEqual([0, 60_000]);
  });

  it('waits while the event loop is busy, and collects once it is quiet', () => {
    const s = scripted([200 * MB, 0]);
    let busy = true;
    const t = new HeapTrimmer({ thresholdBytes: 64 * MB, probe: s.probe, collect: s.collect, clock: s.clock, busy: () => busy });
    expect(t.check()).toBe(0);
    s.advance(30_000);
    busy = false;
    expect(t.check()).toBe(200 * MB);
    expect(s.collected).toEqual([30_000]);
  });

  it('tells a busy event loop from a quiet one', async () => {
    const busy = eventLoopBusy();
    // 200 ms of work in one turn, then 300 ms with nothing to do
    const end = performance.now() + 200;
    while (performance.now() < end);
    await new Promise((r) => setImmediate(r));
    expect(busy()).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(busy()).toBe(false);
  });

  it('stops, with one line in the log, when the collection fails: the timer never throws', async () => {
    const logs: string[] = [];
    const t = new HeapTrimmer({ thresholdBytes: MB, intervalMs: 5, probe: () => 100 * MB, collect: () => { throw new Error('no gc here'); }, busy: () => false, log: (m) => logs.push(m) });
    t.start();
    await waitFor(() => logs.length > 0);
    await new Promise((r) => setTimeout(r, 30));
    t.stop();
    expect(logs).toEqual(['[historian] memory: heap pages are not given back (no gc here)']);
  });

  it('never collects when switched off or where the pool cannot be measured', () => {
    const off = scripted([500 * MB]);
    const t0 = new HeapTrimmer({ thresholdBytes: 0, probe: off.probe, collect: off.collect, clock: off.clock, busy: () => false });
    expect(t0.check()).toBe(0);
    t0.start();
    t0.stop();
    const blind = scripted([null]);
    expect(new HeapTrimmer({ thresholdBytes: MB, probe: blind.probe, collect: blind.collect, clock: blind.clock, busy: () => false }).check()).toBe(0);
    expect(off.collected).toEqual([]);
    expect(blind.collected).toEqual([]);
  });

  it('gives back the pages of a freed burst that an ordinary collection leaves resident (Linux, the Node of the project)', () => {
    const r = spawnSync(process.execPath, ['--max-semi-space-size=2', '--import', 'tsx', join(__dirname, 'heap-burst-child.ts')], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      before: { pooled: number; rss: number }; after: { pooled: number; rss: number }; released: number; again: number; logs: string[]; exposed: string;
    };
    // the premise: after the ordinary collection the freed pages are still resident
    expect(out.before.pooled, 'a freed burst of ~400 MB left in the pool').toBeGreaterThan(150 * MB);
    expect(out.released).toBeGreaterThan(150 * MB);
    expect(out.after.pooled).toBeLessThan(32 * MB);
    expect(out.before.rss - out.after.rss).toBeGreaterThan(150 * MB);
    expect(out.again, 'nothing left to give back').toBe(0);
    expect(out.logs).toHaveLength(1);
    // the collection was taken without exposing gc to the process
    expect(out.exposed).toBe('undefined');
  });
});
