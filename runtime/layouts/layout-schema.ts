// What a dashboard layout is: a named grid of widgets. The same schema validates the API
// body and an imported JSON file (extra fields of an exported file are ignored).
import { z } from 'zod';
import { patternError, tagError } from '../model';

export const GRID_COLUMNS = 12;
export const WIDGET_TYPES = ['trend', 'value', 'gauge', 'alarms', 'text', 'image'] as const;
export type WidgetType = (typeof WIDGET_TYPES)[number];

const tag = z.string().superRefine((t, ctx) => { const e = tagError(t); if (e) ctx.addIssue({ code: 'custom', message: e }); });
const pattern = z.string().superRefine((p, ctx) => { const e = patternError(p); if (e) ctx.addIssue({ code: 'custom', message: e }); });
// Images come from this server, https, or an inline raster data URL; never javascript: or SVG data.
const imageSrc = z.string().max(2_000_000).refine((s) => /^(https?:\/\/|\/(?!\/))/i.test(s) || /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/.test(s),
  { message: 'must be an http(s) URL, a path on this server or a data:image/(png|jpeg|gif|webp) URL' });

const configs = {
  trend: z.object({ tags: z.array(tag).min(1).max(8), range: z.string().max(16).default('1h') }),
  value: z.object({ tag, decimals: z.number().int().min(0).max(10).optional() }),
  gauge: z.object({ tag, min: z.number().default(0), max: z.number().default(100), style: z.enum(['gauge', 'bar']).default('bar') })
    .refine((c) => c.max > c.min, { message: 'must be greater than min', path: ['max'] }),
  alarms: z.object({ area: pattern.default('>'), max: z.number().int().min(1).max(100).default(10) }),
  text: z.object({ markdown: z.string().max(20_000) }),
  image: z.object({ src: imageSrc, alt: z.string().max(200).default('') }),
} as const;

const base = {
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  title: z.string().max(200).default(''),
  x: z.number().int().min(0).max(GRID_COLUMNS - 1),
  y: z.number().int().min(0).max(1000),
  w: z.number().int().min(1).max(GRID_COLUMNS),
  h: z.number().int().min(1).max(50),
};

export const widgetSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('trend'), config: configs.trend }),
  z.object({ ...base, type: z.literal('value'), config: configs.value }),
  z.object({ ...base, type: z.literal('gauge'), config: configs.gauge }),
  z.object({ ...base, type: z.literal('alarms'), config: configs.alarms }),
  z.object({ ...base, type: z.literal('text'), config: configs.text }),
  z.object({ ...base, type: z.literal('image'), config: configs.image }),
]).refine((w) => w.x + w.w <= GRID_COLUMNS, { message: `x + w must be at most ${GRID_COLUMNS}`, path: ['w'] });

export type Widget = z.infer<typeof widgetSchema>;

export const layoutDocSchema = z.object({
  name: z.string().trim().min(1).max(100),
  shared: z.boolean().default(false),
  widgets: z.array(widgetSchema).max(100).superRefine((ws, ctx) => {
    const seen = new Set<string>();
    ws.forEach((w, i) => {
      if (seen.has(w.id)) ctx.addIssue({ code: 'custom', message: `duplicate widget id "${w.id}"`, path: [i, 'id'] });
      seen.add(w.id);
    });
  }),
  /** optimistic concurrency on update: the version the client edited */
  version: z.number().int().positive().optional(),
});

export type LayoutDoc = z.infer<typeof layoutDocSchema>;
