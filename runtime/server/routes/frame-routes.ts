// Event frames over HTTP: search, one frame with its children, its data (raw, per-frame
// aggregates, downsampled), overlays of several frames, CSV export, and the record-keeping
// changes — open by hand, close by hand and attribute edits — which are audited, and the
// last two signed where the critical-action list says so (frames.close,
// frames.attributes.change on target `frame:<id>`).
import { z } from 'zod';
import type { Response } from 'express';
import { actorFields, CRITICAL, type AuditTrail, type SignatureService } from '../../audit';
import { tagSchema, timeSchema } from '../../model';
import { checkTimeZone } from '../../export';
import type { OnExport } from '../../export';
import {
  exportFrameCsv, exportFramesCsv, exportFrameXlsx, exportFramesXlsx, frameAggregates, frameDownsampled, frameExportRequest, frameRaw, overlay, overlayTags, tagsOf,
  MAX_OVERLAY_FRAMES, MAX_QUERY_LIMIT, type Frame, type FrameStore,
} from '../../frames';
import type { TsdbStore } from '../../tsdb';
import { defineRoute, HttpError, type Principal, type RouteDef } from '../api/route';
import { signatureFor } from './audit-routes';
import { storeLookup, type StoreRegistry } from './store-lookup';

export interface FrameRouteDeps {
  frames: FrameStore;
  trail: AuditTrail;
  signatures: SignatureService;
  onExport?: OnExport;
  store?: (name?: string) => Promise<TsdbStore>;
  /** The store registry (the server's); default: the process registry. */
  stores?: StoreRegistry;
  clock?: () => number;
}

const list = <T extends z.ZodType>(item: T, max: number) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(item).min(1).max(max));
const storeName = z.string().regex(/^[A-Za-z0-9_-]+$/).optional();
const attrValue = z.union([z.string().max(1000), z.number().refine(Number.isFinite, 'must be a finite number'), z.boolean(), z.null()]);
const attrs = z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'attribute names are 1-64 of [A-Za-z0-9_.-]'), attrValue);
const units = z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'attribute names are 1-64 of [A-Za-z0-9_.-]'), z.string().min(1).max(50));
const frameId = z.object({ id: z.string().min(1).max(64) });
const frameTarget = (id: string) => `frame:${id}`;

/** `attr.product=Aspirin&attr.lot=42` query parameters as an attribute filter. */
function attributeFilter(query: Record<string, unknown>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    if (!k.startsWith('attr.')) continue;
    const name = k.slice(5);
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new HttpError(400, 'bad_request', `${k}: attribute names are 1-64 of [A-Za-z0-9_.-]`, { field: k });
    if (typeof v !== 'string') throw new HttpError(400, 'bad_request', `${k}: give one value`, { field: k });
    out[name] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Streams an export as an attachment. Headers are sent before the first row, so a failure
 * half-way can only cut the connection (the client sees a broken download, not a 200 with
 * a truncated file that looks whole).
 */
async function sendFile(res: Response, format: string, baseName: string, write: () => Promise<unknown>): Promise<undefined> {
  res.status(200);
  res.setHeader('Content-Type', format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${baseName}.${format}"`);
  res.setHeader('Cache-Control', 'no-store');
  try {
    await write();
  } catch (e) {
    if (!res.destroyed) res.destroy(e instanceof Error ? e : undefined);
    return undefined;
  }
  res.end();
  return undefined;
}

function checkTags(principal: Principal | null, tags: readonly string[]): void {
  const outside = tags.find((t) => !principal!.allowsTag(t));
  if (outside) throw new HttpError(403, 'forbidden', `tags: "${outside}" is outside this token's tag pattern`);
}

function needs(principal: Principal | null, permission: string): void {
  if (!principal!.permissions.has(permission as never)) throw new HttpError(403, 'forbidden', `role ${principal!.role} lacks permission "${permission}"`);
}

export function frameRoutes(deps: FrameRouteDeps): RouteDef[] {
  const clock = deps.clock ?? Date.now;
  const findStore = deps.store ?? storeLookup(deps.stores);
  const get = (id: string, field = 'id'): Frame => {
    const f = deps.frames.get(id);
    if (!f) throw new HttpError(404, 'not_found', `${field}: no frame "${id}"`, { field });
    return f;
  };
  return [
    defineRoute({
      method: 'get', path: '/frames', group: 'frames', permission: 'frames.read',
      summary: 'Event frames overlapping [from, to), by template, attributes (attr.<name>=value, repeatable), text (q: several words as a phrase first, else every word), parent or open state; newest first',
      query: z.looseObject({
        from: timeSchema('from').optional(), to: timeSchema('to').optional(),
        template: z.string().max(64).optional(), q: z.string().max(200).optional(), parent: z.string().max(64).optional(),
        open: z.enum(['true', 'false']).optional(),
        limit: z.coerce.number().int().min(1).max(MAX_QUERY_LIMIT).default(100),
        order: z.enum(['asc', 'desc']).default('desc'),
      }),
      response: { description: '{frames: [{id, template, name, start, end, parent, tags, attributes, units (attribute name: unit, for attributes captured from a tag with a unit), source, closedBy, createdAt, updatedAt}]}' },
      handler: ({ query }) => {
        if (query.from !== undefined && query.to !== undefined && query.to <= query.from) throw new HttpError(400, 'bad_request', 'to: must be after from', { field: 'to' });
        const frames = deps.frames.query({
          from: query.from, to: query.to, template: query.template, text: query.q, parent: query.parent,
          open: query.open === undefined ? undefined : query.open === 'true', attributes: attributeFilter(query),
          limit: query.limit, order: query.order,
        });
        return { frames };
      },
    }),
    defineRoute({
      method: 'get', path: '/frames/overlay', group: 'frames', permission: 'frames.read', alsoChecks: ['query'],
      summary: 'Frames of one tag (or each frame\'s own tag of a point name: point=flow) aligned on time since each frame\'s start (golden batch): averages in a common grid of buckets, deviation from an optional reference frame, a band around it and the envelope of the others',
      query: z.object({
        ids: list(z.string().max(64), MAX_OVERLAY_FRAMES), tag: tagSchema.optional(), point: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be the last part of a tag path, e.g. flow').optional(),
        reference: z.string().max(64).optional(),
        band: z.coerce.number().refine(Number.isFinite, 'must be a finite number').min(0).optional(),
        points: z.coerce.number().int().min(2).max(100_000).default(1000),
        spanMs: z.coerce.number().int().min(1).optional(), store: storeName,
      }),
      response: { description: '{tag, unit (shared by every drawn tag, else null), bucketMs, spanMs, frames: [{id, name, tag, start, t[], v[], deviation[]?, maxDeviation?}], reference, envelope: {t, lo, hi}}' },
      handler: async ({ query, principal }) => {
        needs(principal, 'query');
        const frames = query.ids.map((id) => get(id, 'ids'));
        const reference = query.reference ? get(query.reference) : null;
        checkTags(principal, overlayTags(query, reference ? [...frames, reference] : frames));
        const store = await findStore(query.store);
        return overlay(store, { tag: query.tag, point: query.point, frames, reference, band: query.band, points: query.points, spanMs: query.spanMs, unitOf: (t) => store.tags.get(t)?.unit }, clock());
      },
    }),
    defineRoute({
      method: 'get', path: '/frames/export', group: 'frames', permission: 'export', alsoChecks: ['frames.read'],
      summary: 'Export of several frames in one file, in the order given: CSV one section per frame (its header lines, a blank line, the samples of its tags over its window); XLSX one sheet per frame named after it (its header rows, a blank row, then the samples). A missing frame is named in a 404 before anything is sent',
      query: z.object({
        ids: list(z.string().max(64), MAX_OVERLAY_FRAMES).refine((ids) => new Set(ids).size === ids.length, 'must not repeat a frame'),
        tags: list(tagSchema, 200).optional(),
        layout: z.enum(['long', 'wide']).default('long'), tz: z.string().max(64).default('UTC'),
        format: z.enum(['csv', 'xlsx']).default('csv'), store: storeName,
      }),
      response: { description: 'the file, as an attachment', contentType: 'text/csv' },
      handler: async ({ query, principal, res }) => {
        needs(principal, 'frames.read');
        try { checkTimeZone(query.tz); } catch (e) { throw new HttpError(400, 'bad_request', (e as Error).message, { field: 'tz' }); }
        const now = clock();
        const sections = query.ids.map((id) => {
          const frame = get(id, 'ids');
          const tags = tagsOf(frame, query.tags);
          checkTags(principal, tags);
          return { frame, req: frameExportRequest(frame, tags, { tz: query.tz, layout: query.layout, format: query.format }, now) };
        });
        const store = await findStore(query.store);
        const all = [...new Set(sections.flatMap((x) => x.req.tags))];
        await deps.onExport?.({
          user: principal?.username ?? null, tags: all, from: Math.min(...sections.map((x) => x.req.from)), to: Math.max(...sections.map((x) => x.req.to)),
          format: query.format, layout: query.layout, points: null,
        });
        return sendFile(res, query.format, `frames_${sections.length}`, () => (query.format === 'xlsx' ? exportFramesXlsx : exportFramesCsv)(res, store, sections));
      },
    }),
    defineRoute({
      method: 'get', path: '/frames/:id', group: 'frames', permission: 'frames.read',
      summary: 'One frame and its child frames',
      params: frameId,
      handler: ({ params }) => ({ frame: get(params.id), children: deps.frames.children(params.id) }),
    }),
    defineRoute({
      method: 'get', path: '/frames/:id/data', group: 'frames', permission: 'frames.read', alsoChecks: ['query'],
      summary: 'Data of a frame\'s tags (or the given tags) over its window: mode=aggregates (min, max, avg, twa, first, last, count and the duration), raw, or points (min-max downsampled to about `points`)',
      params: frameId,
      query: z.object({
        mode: z.enum(['aggregates', 'raw', 'points']).default('aggregates'),
        tags: list(tagSchema, 200).optional(), points: z.coerce.number().int().min(2).max(100_000).default(1000),
        limit: z.coerce.number().int().min(1).max(1_000_000).default(100_000), store: storeName,
      }),
      handler: async ({ params, query, principal }) => {
        needs(principal, 'query');
        const f = get(params.id);
        const tags = tagsOf(f, query.tags);
        checkTags(principal, tags);
        const store = await findStore(query.store);
        const now = clock();
        if (query.mode === 'aggregates') return { frame: f, ...(await frameAggregates(store, f, tags, now)) };
        if (query.mode === 'raw') return { frame: f, series: await frameRaw(store, f, tags, now, query.limit) };
        return { frame: f, series: await frameDownsampled(store, f, tags, now, query.points) };
      },
    }),
    defineRoute({
      method: 'get', path: '/frames/:id/export', group: 'frames', permission: 'export', alsoChecks: ['frames.read'],
      summary: 'Export of a frame (csv or xlsx): its header (frame, id, template, start, end, parent, attribute:<name>) — CSV lines before the data, an XLSX sheet "Frame" — then the samples of its tags over its window, as GET /export writes them',
      params: frameId,
      query: z.object({
        tags: list(tagSchema, 200).optional(), layout: z.enum(['long', 'wide']).default('long'),
        tz: z.string().max(64).default('UTC'), format: z.enum(['csv', 'xlsx']).default('csv'), store: storeName,
      }),
      response: { description: 'the file, as an attachment', contentType: 'text/csv' },
      handler: async ({ params, query, principal, res }) => {
        needs(principal, 'frames.read');
        try { checkTimeZone(query.tz); } catch (e) { throw new HttpError(400, 'bad_request', (e as Error).message, { field: 'tz' }); }
        const f = get(params.id);
        const tags = tagsOf(f, query.tags);
        checkTags(principal, tags);
        const store = await findStore(query.store);
        const req = frameExportRequest(f, tags, { tz: query.tz, layout: query.layout, format: query.format }, clock());
        await deps.onExport?.({ user: principal?.username ?? null, tags, from: req.from, to: req.to, format: req.format, layout: req.layout, points: null });
        return sendFile(res, req.format, `${f.template}_${f.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}`, () => (req.format === 'xlsx' ? exportFrameXlsx : exportFrameCsv)(res, store, f, req));
      },
    }),
    defineRoute({
      method: 'post', path: '/frames', group: 'frames', permission: 'frames.write',
      summary: 'Record a frame by hand (open when end is absent); audited as frames.open',
      body: z.strictObject({
        template: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 of [A-Za-z0-9_.-]'), name: z.string().trim().min(1).max(200),
        start: timeSchema('start').optional(), end: timeSchema('end').optional(), parent: z.string().max(64).optional(),
        tags: z.array(tagSchema).max(200).optional(), attributes: attrs.optional(), units: units.optional(),
      }),
      response: { status: 201, description: 'the stored frame' },
      handler: async ({ body, principal, req }) => {
        if (body.tags) checkTags(principal, body.tags);
        const f = await deps.frames.add({ ...body, start: body.start ?? clock(), source: 'api' });
        await deps.trail.appendAsync({ action: 'frames.open', target: frameTarget(f.id), ...actorFields(principal), newValue: f, clientAddress: req.ip ?? null });
        return f;
      },
    }),
    defineRoute({
      method: 'post', path: '/frames/:id/close', group: 'frames', permission: 'frames.write',
      summary: 'Close an open frame by hand at `end` (default now), with a reason; audited and signed (frames.close on frame:<id>)',
      signs: [CRITICAL.frameClose],
      params: frameId,
      body: z.strictObject({ end: timeSchema('end').optional(), reason: z.string().trim().min(1).max(500) }),
      response: { description: 'the closed frame' },
      handler: async (ctx) => {
        const { params, body, principal, req } = ctx;
        const f = get(params.id);
        if (f.end !== null) throw new HttpError(409, 'conflict', `id: frame "${f.id}" is already closed`, { field: 'id' });
        const end = body.end ?? Math.max(clock(), f.start);
        if (end < f.start) throw new HttpError(400, 'bad_request', 'end: must not be before the frame start', { field: 'end' });
        // validated before signing: a refused request spends no signature
        const signature = signatureFor(ctx, deps.signatures, CRITICAL.frameClose, frameTarget(f.id));
        const closed = await deps.frames.close(f.id, end, { closedBy: principal!.username });
        await deps.trail.appendAsync({
          action: CRITICAL.frameClose, target: frameTarget(f.id), ...actorFields(principal), reason: body.reason,
          previousValue: { end: null }, newValue: { end, name: f.name, template: f.template }, clientAddress: req.ip ?? null, signature,
        });
        return closed;
      },
    }),
    defineRoute({
      method: 'patch', path: '/frames/:id/attributes', group: 'frames', permission: 'frames.write',
      summary: 'Set and remove attributes of a frame; audited with the values before and after and signed (frames.attributes.change on frame:<id>)',
      signs: [CRITICAL.frameAttributesChange],
      params: frameId,
      body: z.strictObject({ set: attrs.default({}), remove: z.array(z.string().max(64)).max(64).default([]), reason: z.string().trim().min(1).max(500) })
        .refine((b) => Object.keys(b.set).length + b.remove.length > 0, { message: 'give attributes to set or remove', path: ['set'] }),
      response: { description: 'the frame after the change' },
      handler: async (ctx) => {
        const { params, body, principal, req } = ctx;
        const f = get(params.id);
        const missing = body.remove.find((k) => !(k in f.attributes));
        if (missing) throw new HttpError(400, 'bad_request', `remove: the frame has no attribute "${missing}"`, { field: 'remove' });
        const signature = signatureFor(ctx, deps.signatures, CRITICAL.frameAttributesChange, frameTarget(f.id));
        const { before, after } = await deps.frames.updateAttributes(f.id, body.set, body.remove);
        await deps.trail.appendAsync({
          action: CRITICAL.frameAttributesChange, target: frameTarget(f.id), ...actorFields(principal), reason: body.reason,
          previousValue: before.attributes, newValue: after.attributes, clientAddress: req.ip ?? null, signature,
        });
        return after;
      },
    }),
  ];
}
