// Model files on disk: `<dataDir>/twin-models/<name>.json`, one FORMAT-model.md document
// each, replaced atomically (temp file, fsync, rename, fsync directory) so a reader never
// sees half a model. Also the one path from stored history to a saved model: align the
// model's tags on a time grid in a store, fit, save.
import fs from 'node:fs';
import path from 'node:path';
import type { TsdbStore } from '../tsdb';
import { DomainError, writeFileAtomic } from '../platform';
import { TwinFitError } from './errors';
import { fitModel, type ModelSpec } from './fit';
import { isGroupModel, type TwinModel } from './model';
import { parseModel, serializeModel } from './model-file';
import type { FitMetrics } from './stats';
import type { TrainingData } from './training-data';

export const MODELS_DIR = 'twin-models';
const NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$/;

/** Raised for a bad model name or a missing model; `field` names the input. */
export class ModelStoreError extends DomainError {
  constructor(readonly field: string, message: string, readonly code: 'bad_name' | 'not_found' | 'exists' = 'bad_name') {
    super(code === 'not_found' ? 'not_found' : code === 'exists' ? 'conflict' : 'invalid', `${field}: ${message}`, { field, ...(code === 'exists' ? { reason: 'exists' } : {}) });
    this.name = 'ModelStoreError';
  }
}

export function checkModelName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name) || name.includes('..')) {
    throw new ModelStoreError('name', `must be 1-100 characters of [A-Za-z0-9_.-], not starting with a dot (got ${JSON.stringify(name)})`);
  }
  return name;
}

export interface ModelSummary {
  name: string;
  kind?: TwinModel['kind'];
  /** predicted tag (single-target models) */
  target?: string;
  inputs?: string[];
  /** group models */
  tags?: string[];
  trainedAt?: string;
  window?: TwinModel['window'];
  validation?: FitMetrics;
  detector?: TwinModel['detector'];
  /** training report: rows set aside, warnings (contaminated or short window, decimation) */
  report?: TwinModel['report'];
  bytes: number;
  /** the file does not load: why (the others are still listed) */
  error?: string;
}

export class TwinModelStore {
  constructor(readonly dir: string) {}

  static forDataDir(dataDir: string): TwinModelStore {
    return new TwinModelStore(path.join(dataDir, MODELS_DIR));
  }

  private file(name: string): string {
    return path.join(this.dir, `${checkModelName(name)}.json`);
  }

  has(name: string): boolean {
    return fs.existsSync(this.file(name));
  }

  /** Loads and validates a model; TwinModelError names the bad field of a damaged file. */
  load(name: string): TwinModel {
    const file = this.file(name);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelStoreError('name', `no model "${name}" in ${this.dir}`, 'not_found');
      throw e;
    }
    return parseModel(text);
  }

  /** Validates and writes a model atomically; refuses to replace one unless `overwrite`. */
  save(name: string, model: TwinModel | unknown, opts: { overwrite?: boolean } = {}): TwinModel {
    const file = this.file(name);
    const text = serializeModel(model as TwinModel);
    if (!opts.overwrite && fs.existsSync(file)) throw new ModelStoreError('name', `a model "${name}" exists; set overwrite to replace it`, 'exists');
    writeFileAtomic(file, text, { mkdir: true });
    return parseModel(text);
  }

  remove(name: string): boolean {
    const file = this.file(name);
    if (!fs.existsSync(file)) return false;
    fs.unlinkSync(file);
    return true;
  }

  /** Every model file with its validation metrics, sorted by name. */
  list(): ModelSummary[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).filter((n) => NAME.test(n));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return names.sort().map((name) => {
      const bytes = fs.statSync(path.join(this.dir, `${name}.json`)).size;
      try {
        return { ...summaryOf(this.load(name)), name, bytes };
      } catch (e) {
        return { name, bytes, error: (e as Error).message };
      }
    });
  }
}

export function summaryOf(m: TwinModel): Omit<ModelSummary, 'name' | 'bytes'> {
  const base = { kind: m.kind, trainedAt: m.trainedAt, window: m.window, validation: m.validation, ...(m.detector ? { detector: m.detector } : {}), ...(m.report ? { report: m.report } : {}) };
  return isGroupModel(m) ? { ...base, tags: [...m.tags] } : { ...base, target: m.target, inputs: [...m.inputs] };
}

/** Tags a spec reads (target first), to query them from the store. */
export function specTags(spec: ModelSpec): string[] {
  const s = spec as unknown as Record<string, unknown>;
  const list = (v: unknown, field: string): string[] => {
    if (!Array.isArray(v) || v.some((t) => typeof t !== 'string' || t === '')) throw new TwinFitError(field, 'must be an array of tag names');
    return v as string[];
  };
  if (spec.kind === 'pca' || spec.kind === 'mset') return list(s.tags, 'tags');
  if (typeof s.target !== 'string' || s.target === '') throw new TwinFitError('target', 'must be a tag name');
  if (spec.kind === 'holt') return [s.target];
  if (spec.kind === 'fopdt') {
    if (typeof s.input !== 'string' || s.input === '') throw new TwinFitError('input', 'must be a tag name');
    return [s.target, s.input];
  }
  return [s.target, ...list(s.inputs, 'inputs')];
}

export interface TrainRange {
  from: number;
  to: number;
  /** grid step; default: the tags' own median sampling interval (see trainingGrid) */
  stepMs?: number;
  interpolation?: 'step' | 'linear';
}

/** Training never reads more grid rows than this: a longer window is decimated to fit. */
export const MAX_TRAINING_ROWS = 100_000;
/** intervals looked at per tag to estimate its sampling interval */
const INTERVAL_SAMPLE = 20_000;

/** Median spacing (ms) of a tag's stored samples in [from, to), from its first samples; null with fewer than two. */
export async function medianIntervalMs(store: TsdbStore, tag: string, from: number, to: number): Promise<number | null> {
  const d: number[] = [];
  let last: number | null = null;
  for await (const b of store.raw({ tag, from, to, limit: INTERVAL_SAMPLE + 1 })) {
    for (let i = 0; i < b.ts.length; i++) {
      if (last !== null && b.ts[i] > last) d.push(b.ts[i] - last);
      last = b.ts[i];
    }
  }
  if (!d.length) return null;
  d.sort((a, b) => a - b);
  return d[d.length >> 1];
}

export interface TrainingGrid {
  stepMs: number;
  /** the interval the data was recorded at (slowest tag's median), when known */
  nativeMs: number | null;
  /** the window was longer than MAX_TRAINING_ROWS steps: the step was widened */
  decimated: boolean;
}

/**
 * The grid a model is trained on: the requested step, or else the slowest tag's median
 * sampling interval (no invented rows between samples, none thrown away); then widened, if
 * needed, so the window holds at most MAX_TRAINING_ROWS rows — a long window is decimated,
 * never refused.
 */
export async function trainingGrid(store: TsdbStore, tags: string[], range: TrainRange): Promise<TrainingGrid> {
  if (!Number.isFinite(range.from) || !Number.isFinite(range.to) || range.to <= range.from) throw new TwinFitError('to', 'the training window needs from < to (epoch ms)');
  if (range.stepMs !== undefined && !(range.stepMs > 0)) throw new TwinFitError('stepMs', 'must be a positive number of milliseconds');
  let nativeMs: number | null = null;
  for (const t of tags) {
    const m = await medianIntervalMs(store, t, range.from, range.to);
    if (m !== null) nativeMs = Math.max(nativeMs ?? 0, m);
  }
  const wanted = range.stepMs ?? nativeMs ?? 1000;
  const floor = Math.ceil((range.to - range.from) / MAX_TRAINING_ROWS);
  return { stepMs: Math.max(wanted, floor), nativeMs, decimated: floor > wanted };
}

/**
 * Aligned training data for `tags` over [from, to): one row per grid step, rows where a
 * tag has no value yet (before its first sample) left out.
 */
export async function trainingDataFromStore(store: TsdbStore, tags: string[], range: TrainRange): Promise<TrainingData & { grid: TrainingGrid }> {
  const grid = await trainingGrid(store, tags, range);
  const stepMs = grid.stepMs;
  const ts: number[] = [];
  const columns: Record<string, number[]> = {};
  for (const t of tags) columns[t] = [];
  for await (const rows of store.aligned({ tags, from: range.from, to: range.to, stepMs, interpolation: range.interpolation })) {
    for (const r of rows) {
      if (r.values.some((v) => v === null || !Number.isFinite(v))) continue;
      ts.push(r.ts);
      tags.forEach((t, j) => columns[t].push(r.values[j] as number));
    }
  }
  if (ts.length === 0) throw new TwinFitError('from', `no stored data for ${tags.join(', ')} in the training window`);
  return { ts, columns, grid };
}

/** Fits `spec` on the store's history over the range and saves it as `name`. */
export async function trainFromStore(
  store: TsdbStore, models: TwinModelStore, name: string, spec: ModelSpec, range: TrainRange, opts: { overwrite?: boolean } = {},
): Promise<TwinModel> {
  checkModelName(name);
  if (!opts.overwrite && models.has(name)) throw new ModelStoreError('name', `a model "${name}" exists; set overwrite to replace it`, 'exists');
  const data = await trainingDataFromStore(store, specTags(spec), range);
  const model = fitModel(data, { name, ...spec } as ModelSpec);
  if (data.grid.decimated) {
    const note = `window decimated to a ${data.grid.stepMs} ms grid (at most ${MAX_TRAINING_ROWS} rows; recorded every ${data.grid.nativeMs ?? '?'} ms)`;
    model.report = model.report ? { ...model.report, warnings: [...model.report.warnings, note] } : { rows: data.ts?.length ?? 0, rejectedRows: 0, rejectedFraction: 0, warnings: [note] };
  }
  return models.save(name, model, { overwrite: true });
}

