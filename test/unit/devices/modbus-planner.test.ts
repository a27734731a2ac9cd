import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseTag, planReads, widthOf, type ModbusTag } from '../../../runtime/devices/modbus';

const tag = (i: number, register: string, address: number, type = 'uint16'): ModbusTag => parseTag({ tag: `t.x${i}`, register, address, type }, i);

describe('modbus read coalescing', () => {
  it('merges contiguous registers and splits at gaps, per register table', () => {
    const plans = planReads([tag(1, 'holding', 0), tag(2, 'holding', 1, 'float32'), tag(3, 'holding', 10), tag(4, 'input', 3), tag(5, 'coil', 0, 'bool'), tag(6, 'coil', 1, 'bool')]);
    expect(plans.map((p) => [p.register, p.address, p.count])).toEqual([['coil', 0, 2], ['input', 3, 1], ['holding', 0, 3], ['holding', 10, 1]]);
    const gapped = planReads([tag(1, 'holding', 0), tag(3, 'holding', 10)], { maxGap: 9 });
    expect(gapped.map((p) => [p.address, p.count])).toEqual([[0, 11]]);
    expect(gapped[0].items.map((i) => i.offset)).toEqual([0, 10]);
  });

  it('respects 125 registers and 2000 bits per read', () => {
    const regs = Array.from({ length: 300 }, (_, i) => tag(i, 'holding', i));
    expect(planReads(regs).map((p) => p.count)).toEqual([125, 125, 50]);
    const bits = Array.from({ length: 4500 }, (_, i) => tag(i, 'discrete', i, 'bool'));
    expect(planReads(bits).map((p) => p.count)).toEqual([2000, 2000, 500]);
    // a float64 never straddles two reads
    const f = Array.from({ length: 40 }, (_, i) => tag(i, 'holding', i * 4, 'float64'));
    for (const p of planReads(f)) expect(p.count).toBeLessThanOrEqual(125);
    expect(planReads(f).map((p) => p.count)).toEqual([124, 36]);
  });

  it('covers every tag inside its read, within limits, with the fewest reads (property vs. brute count)', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 600 }), { minLength: 1, maxLength: 120, size: 'max' }), fc.integer({ min: 0, max: 5 }), (addrs, maxGap) => {
      const tags = addrs.map((a, i) => tag(i, 'holding', a, i % 3 === 0 ? 'int32' : 'uint16'));
      const plans = planReads(tags, { maxGap });
      const covered = new Set<string>();
      for (const p of plans) {
        expect(p.count).toBeLessThanOrEqual(125);
        for (const { tag: t, offset } of p.items) {
          expect(offset).toBe(t.address - p.address);
          expect(offset + widthOf('holding', t.type)).toBeLessThanOrEqual(p.count);
          covered.add(t.tag);
        }
      }
      expect(covered.size).toBe(tags.length);
      // lower bound: reads needed when only the gap rule applied (each cluster needs ≥ ceil(span/125))
      const spans = tags.map((t) => [t.address, t.address + widthOf('holding', t.type)]).sort((a, b) => a[0] - b[0]);
      let clusters = 0, start = -1, end = -Infinity, bound = 0;
      for (const [s, e] of spans) {
        if (s - end > maxGap) { if (clusters) bound += Math.ceil((end - start) / 125); clusters++; start = s; end = e; } else end = Math.max(end, e);
      }
      bound += Math.ceil((end - start) / 125);
      expect(plans.length).toBeGreaterThanOrEqual(clusters);
      expect(plans.length).toBeLessThanOrEqual(bound + clusters); // greedy never wastes more than one read per cluster
    }), { numRuns: 200 });
  });
});
