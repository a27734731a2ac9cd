// zod schemas of the model's values, for request validation: errors carry the model's own
// messages, so an HTTP 400 names the field and says what is wrong with it.
import { z } from 'zod';
import { patternError, tagError } from './tag';
import { SampleError, toEpochMs } from './sample';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** Epoch ms, an ISO 8601 string, or `now` / `now-<n><unit>` (units ms s m h d w y). */
export function parseTime(v: unknown, field: string, now = Date.now()): number {
  if (typeof v === 'string') {
    const m = /^now(?:-(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y))?$/.exec(v.trim());
    if (m) {
      const t = Math.round(now - (m[1] ? Number(m[1]) * UNITS[m[2]] : 0));
      // same bounds as absolute times: now-99999999999999y must not slip through
      if (!(t >= 0)) throw new SampleError(field, `${v.trim()} is before 1970 (times run from 1970 to 2200)`);
      return t;
    }
  }
  return toEpochMs(v, field);
}

export const tagSchema = z.string().superRefine((t, ctx) => {
  const err = tagError(t);
  if (err) ctx.addIssue({ code: 'custom', message: err });
});

export const patternSchema = z.string().superRefine((p, ctx) => {
  const err = patternError(p);
  if (err) ctx.addIssue({ code: 'custom', message: err });
});

/** A time in any form parseTime accepts, as epoch ms. */
export const timeSchema = (field: string) => z.union([z.number(), z.string()]).transform((v, ctx) => {
  try {
    return parseTime(v, field);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message.replace(/^[^:]*: /, '') });
    return z.NEVER;
  }
});
