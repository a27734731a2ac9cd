// Closed head chunks kept raw (while the head's allowance lasts) or compressed read back
// the same samples and summaries, out-of-order writes included, and the allowance is
// shared by the series of a head; a head due for its cut gets its larger due allowance.
import { describe, expect, it } from 'vitest';
import { Head } from '../../../runtime/tsdb/head';
import type { ChunkRef } from '../../../runtime/tsdb/chunk-ref';

function fill(head: Head, tags: number, samples: number): void {
  let seed = 7;
  const r = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  for (let k = 0; k < tags; k++) {
    const s = head.getOrCreate(`a.t${k}`);
    for (let i = 0; i < samples; i++) {
      // every 50th sample is late: it lands in a later chunk than its neighbours
      const t = i % 50 === 49 ? 1_700_000_000_000 + (i - 30) * 1000 + 500 : 1_700_000_000_000 + i * 1000;
      s.append(t, Math.round(r() * 1e4) / 100 + (i % 97 === 0 ? 1e-13 : 0), i % 11 === 0 ? 0x8001 : 0);
    }
    s.cut();
  }
}

async function read(head: Head, tag: string): Promise<Array<{ minT: number; maxT: number; count: number; sum: number; ts: number[]; v: number[]; q: number[] }>> {
  const refs: ChunkRef[] = [];
  head.refs(tag, 0, Infinity, refs);
  const out = [];
  for (const ref of refs) {
    const c = await ref.load();
    out.push({ minT: ref.minT, maxT: ref.maxT, count: ref.summary.count, sum: ref.summary.sum, ts: [...c.ts.subarray(0, ref.summary.count)], v: [...c.values.subarray(0, ref.summary.count)], q: [...c.quality.subarray(0, ref.summary.count)] });
  }
  return out;
}

describe('head chunks', () => {
  it('read back the same raw as compressed, and raw chunks stop where the allowance ends', async () => {
    const compressed = new Head(1e12, 0, 128, 0);
    const raw = new Head(1e12, 0, 128, 1 << 30);
    const mixed = new Head(1e12, 0, 128, 5 * 128 * 18); // five chunks' worth for all series together
    for (const h of [compressed, raw, mixed]) fill(h, 3, 1000);
    for (let k = 0; k < 3; k++) {
      const want = await read(compressed, `a.t${k}`);
      expect(want.length).toBeGreaterThan(7);
      expect(await read(raw, `a.t${k}`)).toEqual(want);
      expect(await read(mixed, `a.t${k}`)).toEqual(want);
    }
    // memory: raw chunks cost 18 bytes a sample, compressed ones far less
    expect(raw.bytes()).toBeGreaterThan(3 * 1000 * 18);
    expect(compressed.bytes()).toBeLessThan(raw.bytes() / 3);
    expect(mixed.bytes()).toBeLessThan(raw.bytes());
    expect(mixed.bytes()).toBeGreaterThan(compressed.bytes());
  });

  it('keeps chunks raw up to the due allowance once the head is due for its cut', async () => {
    const small = 5 * 128 * 18;
    const raw = new Head(1e12, 0, 128, 1 << 30);
    const notDue = new Head(1e12, 0, 128, small, 1 << 30);
    const due = new Head(1e12, 0, 128, small, 1 << 30);
    expect(due.due).toBe(false);
    due.markDue();
    expect(due.due).toBe(true);
    const dueTight = new Head(1e12, 0, 128, small, 2 * small);
    dueTight.markDue();
    for (const h of [raw, notDue, due, dueTight]) fill(h, 3, 1000);
    for (let k = 0; k < 3; k++) {
      const want = await read(raw, `a.t${k}`);
      for (const h of [notDue, due, dueTight]) expect(await read(h, `a.t${k}`)).toEqual(want);
    }
    // before it is due a head keeps the small allowance; once due, the larger one, and no more
    const closedRaw = 3 * 1000 * 18;
    expect(raw.rawBytes).toBe(closedRaw);
    expect(due.rawBytes).toBe(closedRaw);
    expect(due.bytes()).toBe(raw.bytes());
    expect(notDue.rawBytes).toBeGreaterThan(small - 128 * 18);
    expect(notDue.rawBytes).toBeLessThanOrEqual(small);
    expect(notDue.bytes()).toBeLessThan(raw.bytes() * 0.75);
    expect(dueTight.rawBytes).toBeGreaterThan(2 * small - 128 * 18);
    expect(dueTight.rawBytes).toBeLessThanOrEqual(2 * small);
    expect(dueTight.bytes()).toBeLessThan(raw.bytes());
  });

  it('keeps its memory figure as series grow, equal to adding up every series', () => {
    const head = new Head(0, 0, 120, 1 << 20);
    // what bytes() added up before it kept a running figure: the chunk pages, then every series
    const arena = (head as unknown as { arena: { capacity: number } }).arena;
    const walked = () => {
      let b = arena.capacity;
      for (const s of head.series.values()) b += s.memoryBytes + 650;
      return b;
    };
    const seen: number[] = [];
    for (let round = 0; round < 6; round++) {
      // more series each round, and longer ones: open columns double, chunks close, pages are added
      fill(head, 5 + round * 7, 10 + round * 60);
      expect(head.bytes()).toBe(walked());
      seen.push(head.bytes());
    }
    expect(seen[5]).toBeGreaterThan(seen[0] * 4);
  });

  it('keeps closed chunk objects for overwrite checks: the same array until a chunk closes, the same objects for the chunks it had', () => {
    const h = new Head(1e12, 0, 128, 1 << 20);
    const s = h.getOrCreate('a.b');
    for (let i = 0; i < 300; i++) s.append(i * 1000, i, 0);
    const first = s.closed;
    expect(first).toHaveLength(2);
    expect(s.closed).toBe(first);
    expect(first[1].load().ts[0]).toBe(128_000);
    s.cut();
    const next = s.closed;
    expect(next).not.toBe(first);
    expect(next).toHaveLength(3);
    expect(first).toHaveLength(2); // the array a caller held is not changed
    // the overwrite check keeps a chunk's timestamps by its summary object: still the same ones
    expect(next[0]).toBe(first[0]);
    expect(next[1].summary).toBe(first[1].summary);
    expect(next[2].load().ts[0]).toBe(256_000);
    expect(s.sampleCount).toBe(300);
  });
});
