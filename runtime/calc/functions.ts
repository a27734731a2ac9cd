// The stateless function library. Each entry is a plain numeric function; the compiler
// wraps it in an arity-specialised closure. Looked up in a Map, never on an object, so
// names like "constructor" or "__proto__" are simply unknown.

export interface PureFunction {
  min: number;
  /** Infinity for variadic functions */
  max: number;
  fn: (...args: number[]) => number;
  signature: string;
}

function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Rounds half away from zero to `digits` decimals (negative digits round to tens, hundreds...). */
export function roundTo(x: number, digits = 0): number {
  const d = Math.trunc(digits);
  if (d === 0) return roundHalfAway(x);
  if (d > 15 || !Number.isFinite(x)) return x;
  const m = 10 ** d;
  // toPrecision(15) removes binary noise such as 1.005 * 100 = 100.49999999999999
  const y = Number((Math.abs(x) * m).toPrecision(15));
  const r = Math.round(y) / m;
  return x < 0 ? -r : r;
}

function min(...xs: number[]): number {
  let m = xs[0];
  for (let i = 1; i < xs.length; i++) if (xs[i] < m || Number.isNaN(xs[i])) m = xs[i];
  return m;
}

function max(...xs: number[]): number {
  let m = xs[0];
  for (let i = 1; i < xs.length; i++) if (xs[i] > m || Number.isNaN(xs[i])) m = xs[i];
  return m;
}

const entries: [string, PureFunction][] = [
  ['abs', { min: 1, max: 1, fn: Math.abs, signature: 'abs(x)' }],
  ['sign', { min: 1, max: 1, fn: Math.sign, signature: 'sign(x)' }],
  ['trunc', { min: 1, max: 1, fn: Math.trunc, signature: 'trunc(x)' }],
  ['floor', { min: 1, max: 1, fn: Math.floor, signature: 'floor(x)' }],
  ['ceil', { min: 1, max: 1, fn: Math.ceil, signature: 'ceil(x)' }],
  ['round', { min: 1, max: 2, fn: roundTo, signature: 'round(x, digits?)' }],
  ['sqrt', { min: 1, max: 1, fn: Math.sqrt, signature: 'sqrt(x)' }],
  ['pow', { min: 2, max: 2, fn: Math.pow, signature: 'pow(x, y)' }],
  ['exp', { min: 1, max: 1, fn: Math.exp, signature: 'exp(x)' }],
  ['log', { min: 1, max: 2, fn: (x: number, base?: number) => (base === undefined ? Math.log(x) : Math.log(x) / Math.log(base)), signature: 'log(x, base?)' }],
  ['log10', { min: 1, max: 1, fn: Math.log10, signature: 'log10(x)' }],
  ['sin', { min: 1, max: 1, fn: Math.sin, signature: 'sin(x)' }],
  ['cos', { min: 1, max: 1, fn: Math.cos, signature: 'cos(x)' }],
  ['tan', { min: 1, max: 1, fn: Math.tan, signature: 'tan(x)' }],
  ['asin', { min: 1, max: 1, fn: Math.asin, signature: 'asin(x)' }],
  ['acos', { min: 1, max: 1, fn: Math.acos, signature: 'acos(x)' }],
  ['atan', { min: 1, max: 1, fn: Math.atan, signature: 'atan(x)' }],
  ['atan2', { min: 2, max: 2, fn: Math.atan2, signature: 'atan2(y, x)' }],
  ['hypot', { min: 1, max: Infinity, fn: Math.hypot, signature: 'hypot(x, y, ...)' }],
  ['min', { min: 1, max: Infinity, fn: min, signature: 'min(x, y, ...)' }],
  ['max', { min: 1, max: Infinity, fn: max, signature: 'max(x, y, ...)' }],
  ['clamp', { min: 3, max: 3, fn: (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi), signature: 'clamp(x, lo, hi)' }],
];

export const PURE_FUNCTIONS: ReadonlyMap<string, PureFunction> = new Map(entries);

export const CONSTANTS: ReadonlyMap<string, number> = new Map([['pi', Math.PI]]);
