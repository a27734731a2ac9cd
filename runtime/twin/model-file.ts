// Loading and saving model files (FORMAT-model.md). Loading validates every field a
// predictor relies on, so a hand-edited or truncated file fails here with the field's
// path, not later as NaN predictions.
import { TwinModelError } from './errors';
import { MODEL_FORMAT, MODEL_KINDS, MODEL_VERSION, type TwinModel } from './model';
import { resolveDetectorConfig } from './residual-detectors';

type Obj = Record<string, unknown>;

function obj(v: unknown, path: string): Obj {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TwinModelError(path, 'must be an object');
  return v as Obj;
}
function num(o: Obj, key: string, path: string, check?: (n: number) => string | null): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TwinModelError(`${path}.${key}`, `must be a finite number (got ${JSON.stringify(v)})`);
  const err = check?.(v);
  if (err) throw new TwinModelError(`${path}.${key}`, err);
  return v;
}
function str(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new TwinModelError(`${path}.${key}`, 'must be a non-empty string');
  return v;
}
function nums(o: Obj, key: string, path: string, len?: number): number[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new TwinModelError(`${path}.${key}`, 'must be an array of numbers');
  v.forEach((x, i) => { if (typeof x !== 'number' || !Number.isFinite(x)) throw new TwinModelError(`${path}.${key}[${i}]`, `must be a finite number (got ${JSON.stringify(x)})`); });
  if (len !== undefined && v.length !== len) throw new TwinModelError(`${path}.${key}`, `must have ${len} entries (got ${v.length})`);
  return v as number[];
}
function strs(o: Obj, key: string, path: string): string[] {
  const v = o[key];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) throw new TwinModelError(`${path}.${key}`, 'must be an array of non-empty strings');
  return v as string[];
}
function matrix(o: Obj, key: string, path: string, rows: number | null, cols: number): void {
  const v = o[key];
  if (!Array.isArray(v) || (rows !== null && v.length !== rows) || v.length === 0) throw new TwinModelError(`${path}.${key}`, `must be a non-empty array${rows !== null ? ` of ${rows} rows` : ''}`);
  v.forEach((_, i) => nums(v as unknown as Obj, String(i), `${path}.${key}`, cols));
}
const positive = (n: number) => (n > 0 ? null : 'must be > 0');
const unit = (n: number) => (n > 0 && n <= 1 ? null : 'must be in (0, 1]');
const nonNegInt = (n: number) => (Number.isInteger(n) && n >= 0 ? null : 'must be an integer ≥ 0');

function scaler(o: Obj, path: string, width: number): void {
  const s = obj(o.scaler, `${path}.scaler`);
  nums(s, 'mean', `${path}.scaler`, width);
  const sc = nums(s, 'scale', `${path}.scaler`, width);
  sc.forEach((v, i) => { if (!(v > 0)) throw new TwinModelError(`${path}.scaler.scale[${i}]`, 'must be > 0'); });
}

function metrics(o: Obj, path: string): void {
  const m = obj(o.validation, `${path}.validation`);
  num(m, 'rows', `${path}.validation`, nonNegInt);
  num(m, 'rmse', `${path}.validation`, (n) => (n >= 0 ? null : 'must be ≥ 0'));
  num(m, 'mae', `${path}.validation`, (n) => (n >= 0 ? null : 'must be ≥ 0'));
  num(m, 'r2', `${path}.validation`);
}

function residual(o: Obj): void {
  const r = obj(o.residual, 'residual');
  num(r, 'mean', 'residual');
  num(r, 'sigma', 'residual', (n) => (n >= 0 ? null : 'must be ≥ 0'));
  num(r, 'rows', 'residual', nonNegInt);
  const q = r.quantiles;
  if (!Array.isArray(q) || q.length === 0) throw new TwinModelError('residual.quantiles', 'must be a non-empty array of [level, value] pairs');
  q.forEach((e, i) => {
    if (!Array.isArray(e) || e.length !== 2 || !e.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new TwinModelError(`residual.quantiles[${i}]`, 'must be a [level, value] pair of finite numbers');
  });
}

/** Validates a parsed model file (or a JSON string) and returns it typed; throws TwinModelError naming the field. */
export function parseModel(input: unknown): TwinModel {
  let doc = input;
  if (typeof input === 'string') {
    try { doc = JSON.parse(input); } catch (e) { throw new TwinModelError('$', `not valid JSON (${(e as Error).message})`); }
  }
  const m = obj(doc, '$');
  if (m.format !== MODEL_FORMAT) throw new TwinModelError('format', `must be "${MODEL_FORMAT}" (got ${JSON.stringify(m.format)})`);
  if (m.version !== MODEL_VERSION) throw new TwinModelError('version', `unsupported model file version ${JSON.stringify(m.version)}; this build reads version ${MODEL_VERSION}`);
  const kind = m.kind as TwinModel['kind'];
  if (!MODEL_KINDS.includes(kind)) throw new TwinModelError('kind', `must be one of ${MODEL_KINDS.join(', ')} (got ${JSON.stringify(m.kind)})`);
  if (m.name !== undefined && typeof m.name !== 'string') throw new TwinModelError('name', 'must be a string');
  str(m, 'trainedAt', '$');
  const w = obj(m.window, 'window');
  num(w, 'rows', 'window', nonNegInt);
  for (const k of ['from', 'to']) if (w[k] !== null && (typeof w[k] !== 'number' || !Number.isFinite(w[k]))) throw new TwinModelError(`window.${k}`, 'must be epoch ms or null');
  metrics(m, '$');
  if (m.detector !== undefined) {
    const d = obj(m.detector, 'detector');
    resolveDetectorConfig(d as never);
  }
  const p = obj(m.params, 'params');
  if (kind === 'pca' || kind === 'mset') {
    const tags = strs(m, 'tags', '$');
    if (tags.length < 2) throw new TwinModelError('tags', 'a group model needs at least two tags');
    const lags = num(p, 'lags', 'params', nonNegInt);
    const width = tags.length * (lags + 1);
    scaler(p, 'params', width);
    num(p, 'limitQuantile', 'params', unit);
    if (kind === 'pca') {
      const ev = nums(p, 'eigenvalues', 'params');
      if (ev.length === 0 || ev.some((v) => !(v > 0))) throw new TwinModelError('params.eigenvalues', 'must be a non-empty array of numbers > 0');
      matrix(p, 'components', 'params', ev.length, width);
      num(p, 'varianceFraction', 'params', unit);
      num(p, 't2Limit', 'params', positive);
      num(p, 'qLimit', 'params', positive);
    } else {
      matrix(p, 'memory', 'params', null, width);
      num(p, 'bandwidth', 'params', positive);
      num(p, 'limit', 'params', positive);
    }
    return doc as TwinModel;
  }
  const target = str(m, 'target', '$');
  const inputs = strs(m, 'inputs', '$');
  if (inputs.includes(target)) throw new TwinModelError('inputs', `must not contain the target "${target}"`);
  residual(m);
  switch (kind) {
    case 'regression': {
      if (!inputs.length) throw new TwinModelError('inputs', 'a regression needs at least one input');
      num(p, 'intercept', 'params');
      nums(p, 'coefficients', 'params', inputs.length);
      scaler(p, 'params', inputs.length);
      num(p, 'ridge', 'params', (n) => (n >= 0 ? null : 'must be ≥ 0'));
      break;
    }
    case 'arx': {
      const tl = nums(p, 'targetLags', 'params');
      const il = nums(p, 'inputLags', 'params');
      tl.forEach((l, i) => { if (!Number.isInteger(l) || l < 1) throw new TwinModelError(`params.targetLags[${i}]`, 'must be an integer ≥ 1'); });
      il.forEach((l, i) => { if (!Number.isInteger(l) || l < 0) throw new TwinModelError(`params.inputLags[${i}]`, 'must be an integer ≥ 0'); });
      const width = tl.length + inputs.length * il.length;
      if (width === 0) throw new TwinModelError('params.targetLags', 'an ARX model needs target lags or input lags');
      num(p, 'intercept', 'params');
      nums(p, 'coefficients', 'params', width);
      scaler(p, 'params', width);
      break;
    }
    case 'fopdt': {
      if (inputs.length !== 1) throw new TwinModelError('inputs', 'a FOPDT model has exactly one input');
      num(p, 'a', 'params', (n) => (n > 0 && n < 1 ? null : 'must be in (0, 1) (a stable pole)'));
      num(p, 'b', 'params');
      num(p, 'c', 'params');
      num(p, 'deadSteps', 'params', nonNegInt);
      num(p, 'gain', 'params');
      num(p, 'timeConstantS', 'params', positive);
      num(p, 'deadTimeS', 'params', (n) => (n >= 0 ? null : 'must be ≥ 0'));
      num(p, 'sampleS', 'params', positive);
      break;
    }
    case 'holt': {
      num(p, 'alpha', 'params', unit);
      num(p, 'beta', 'params', (n) => (n >= 0 && n <= 1 ? null : 'must be in [0, 1]'));
      if (typeof p.trend !== 'boolean') throw new TwinModelError('params.trend', 'must be true or false');
      num(p, 'level', 'params');
      num(p, 'slope', 'params');
      if (p.season !== undefined) {
        const se = obj(p.season, 'params.season');
        num(se, 'periodMs', 'params.season', positive);
        const slots = num(se, 'slots', 'params.season', (v) => (Number.isInteger(v) && v >= 2 ? null : 'must be an integer ≥ 2'));
        num(se, 'gamma', 'params.season', (v) => (v >= 0 && v <= 1 ? null : 'must be in [0, 1]'));
        nums(se, 'profile', 'params.season', slots);
      }
      break;
    }
  }
  return doc as TwinModel;
}

/** The model file text: pretty JSON, stable key order as built. */
export function serializeModel(model: TwinModel): string {
  return JSON.stringify(parseModel(model), null, 2) + '\n';
}
