// Digital-twin model API: train a model of normal operation from a stored time range and
// save it as a model file; list the models with their held-out validation metrics.
import { z } from 'zod';
import { tagError } from '../../model';
import type { ModelSpec } from '../../twin';
import { specTags, summaryOf, trainFromStore, type TwinModelStore } from '../../twin';
import { defineRoute, HttpError, type RouteDef } from '../api/route';
import { storeLookup, type StoreRegistry } from './store-lookup';

export interface TwinRouteDeps {
  /** the model files of the running process (`TwinModelStore.forDataDir(dataDir)`) */
  models: () => TwinModelStore;
}

const time = z.union([z.number().int(), z.string().datetime({ offset: true }).transform((s) => Date.parse(s))]);
const tag = z.string().superRefine((t, ctx) => { const e = tagError(t); if (e) ctx.addIssue({ code: 'custom', message: e }); });
const detector = z.strictObject({
  method: z.enum(['ksigma', 'ewma', 'cusum', 'score']),
  threshold: z.number().positive(),
  lambda: z.number().positive().max(1).optional(),
  k: z.number().nonnegative().optional(),
  minDurationMs: z.number().int().nonnegative().optional(),
  clearRatio: z.number().positive().max(1).optional(),
  recordWindowMs: z.number().int().nonnegative().optional(),
}).optional();
const common = { validationFraction: z.number().min(0).lt(1).optional(), detector };
const group = { tags: z.array(tag).min(2).max(200), lags: z.number().int().min(0).max(60).optional(), scaleFloor: z.record(z.string(), z.number().nonnegative()).optional(), limitQuantile: z.number().gt(0).lt(1).optional(), smoothing: z.number().gt(0).max(1).optional(), minDurationMs: z.number().int().nonnegative().optional(), validationFraction: common.validationFraction };
const spec = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('regression'), target: tag, inputs: z.array(tag).min(1).max(200), ridge: z.number().nonnegative().optional(), ...common }),
  z.strictObject({ kind: z.literal('arx'), target: tag, inputs: z.array(tag).max(200), targetLags: z.array(z.number().int().min(1)).optional(), inputLags: z.array(z.number().int().min(0)).optional(), ridge: z.number().nonnegative().optional(), ...common }),
  z.strictObject({ kind: z.literal('fopdt'), target: tag, input: tag, maxDeadSteps: z.number().int().min(0).max(10_000).optional(), ...common }),
  z.strictObject({ kind: z.literal('holt'), target: tag, trend: z.boolean().optional(), alpha: z.number().gt(0).max(1).optional(), beta: z.number().gt(0).max(1).optional(), season: z.enum(['auto', 'off']).optional(), robust: z.boolean().optional(), ...common }),
  z.strictObject({ kind: z.literal('pca'), ...group, varianceFraction: z.number().gt(0).max(1).optional() }),
  z.strictObject({ kind: z.literal('mset'), ...group, memorySize: z.number().int().min(2).max(10_000).optional(), bandwidth: z.number().positive().optional() }),
]);

const trainBody = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$/, 'must be 1-100 characters of [A-Za-z0-9_.-], not starting with a dot'),
  spec,
  from: time,
  to: time,
  stepMs: z.number().int().positive().optional(),
  interpolation: z.enum(['step', 'linear']).optional(),
  store: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
  overwrite: z.boolean().default(false),
});

export function twinRoutes(deps: TwinRouteDeps & { stores?: StoreRegistry }): RouteDef[] {
  const storeFor = storeLookup(deps.stores);
  return [
    defineRoute({
      method: 'post', path: '/twin/models', group: 'twin', permission: 'twin.train',
      summary: 'Train a model of normal operation (regression, arx, fopdt, holt, pca, mset) on a stored time range aligned on stepMs, and save it as a model file',
      body: trainBody,
      response: { status: 201, description: 'the saved model summary: name, kind, tags, window, validation {rows, rmse, mae, r2}, report {rows, rejectedRows, warnings}; without stepMs the grid is the tags\' median sampling interval, widened to at most 100,000 rows' },
      handler: async ({ body, principal }) => {
        if (body.to <= body.from) throw new HttpError(400, 'bad_request', 'body.to: must be after from', { field: 'to' });
        const tags = specTags(body.spec as ModelSpec);
        const outside = tags.find((t) => !principal!.allowsTag(t));
        if (outside) throw new HttpError(403, 'forbidden', `tag: "${outside}" is outside this token's tag pattern`);
        const store = await storeFor(body.store);
        const model = await trainFromStore(store, deps.models(), body.name, body.spec as ModelSpec,
          { from: body.from, to: body.to, stepMs: body.stepMs, interpolation: body.interpolation }, { overwrite: body.overwrite });
        return { name: body.name, ...summaryOf(model) };
      },
    }),
    defineRoute({
      method: 'get', path: '/twin/models', group: 'twin', permission: 'twin.read',
      summary: 'List model files with their kind, tags, training window and validation metrics (files that fail to load are listed with the error)',
      handler: () => ({ models: deps.models().list() }),
    }),
    defineRoute({
      method: 'get', path: '/twin/models/:name', group: 'twin', permission: 'twin.read',
      summary: 'One model file (FORMAT-model.md)',
      params: z.object({ name: z.string() }),
      handler: ({ params }) => deps.models().load(params.name),
    }),
  ];
}
