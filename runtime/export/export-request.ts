// The one validated description of an export, shared by GET /api/v1/export and tests.
import { z } from 'zod';
import { tagSchema, timeSchema } from '../model';
import { EXPORT_FORMATS } from './encoder';
import { checkTimeZone } from './time-format';

export const MAX_EXPORT_TAGS = 200;

const time = timeSchema;
const tag = tagSchema;

export const exportRequestSchema = z.object({
  tags: z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(tag).min(1).max(MAX_EXPORT_TAGS))
    .transform((t) => [...new Set(t)]),
  from: time('from'),
  to: time('to'),
  format: z.enum(EXPORT_FORMATS as [string, ...string[]]).default('csv'),
  layout: z.enum(['long', 'wide']).default('long'),
  tz: z.string().max(64).default('UTC').superRefine((tz, ctx) => {
    try { checkTimeZone(tz); } catch (e) { ctx.addIssue({ code: 'custom', message: (e as Error).message.replace(/^tz: /, '') }); }
  }),
  /** Export "as displayed": min-max downsampled to about this many points per tag instead of raw samples. */
  points: z.coerce.number().int().min(2).max(100_000).optional(),
}).refine((r) => r.to > r.from, { message: 'must be after from', path: ['to'] });

export type ExportRequest = Omit<z.infer<typeof exportRequestSchema>, 'format' | 'layout'> & {
  format: 'csv' | 'xlsx' | 'json';
  layout: 'long' | 'wide';
};

export class ExportRequestError extends Error {
  constructor(readonly field: string, message: string) { super(`${field}: ${message}`); }
}

/** Validates an export request (query-string or JSON form); errors name the field. */
export function parseExportRequest(input: unknown): ExportRequest {
  const r = exportRequestSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new ExportRequestError(i.path.map(String).join('.') || 'tags', i.message);
  }
  return r.data as ExportRequest;
}
