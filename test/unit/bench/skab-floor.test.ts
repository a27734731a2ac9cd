// The SKAB floor estimate (test/bench/lib/skab-floor.ts) argues that a compression target is
// out of reach of per-series coding, so it must be a lower bound: here its ideal coder is
// checked against a series whose entropy is known, and the estimate against our own chunks.
import { describe, expect, it } from 'vitest';
import { idealValueBits, measureSkabFloor } from '../../bench/lib/skab-floor';
import { skabAllFiles } from '../../bench/lib/skab';

function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const u = () => { a = (a + 0x6d2b79f5) >>> 0; let t = Math.imul(a ^ (a >>> 15), a | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  return () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
}

describe('SKAB floor estimate', () => {
  it('codes an AR(1) Gaussian series at its entropy, not below it by more than the fit can gain', () => {
    const g = gaussian(7);
    const sigma = 25;
    const v: number[] = [];
    let x = 0;
    for (let i = 0; i < 4000; i++) { x = 0.9 * x + sigma * g(); v.push(Math.round(x) / 100 + 0); } // + 0: no negative zero, which has no decimal form
    // the innovations' discretised Gaussian: log2(sigma * sqrt(2 pi e)) bits per sample
    const entropy = Math.log2(sigma * Math.sqrt(2 * Math.PI * Math.E));
    const bits = idealValueBits(v);
    expect(bits).not.toBeNull();
    const perSample = bits! / v.length;
    expect(perSample).toBeGreaterThan(entropy - 0.1);
    expect(perSample).toBeLessThan(entropy + 0.1);
  });

  it('is never above our own chunks, and leaves the header and quality bytes in', () => {
    const files = measureSkabFloor();
    expect(files.length).toBe(skabAllFiles().length);
    for (const f of files) {
      expect(f.floor).toBeLessThanOrEqual(f.ours);
      expect(f.floor).toBeGreaterThan(0.5 * f.ours);
      expect(f.gorilla).toBeGreaterThan(f.ours);
    }
  });
});
