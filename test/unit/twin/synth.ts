// Deterministic synthetic data for the twin tests.
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

/** Approximately standard normal noise (sum of uniforms). */
export function gauss(r: () => number): () => number {
  return () => { let s = 0; for (let i = 0; i < 12; i++) s += r(); return s - 6; };
}

export function times(n: number, t0 = 1_700_000_000_000, stepMs = 1000): number[] {
  return Array.from({ length: n }, (_, i) => t0 + i * stepMs);
}
