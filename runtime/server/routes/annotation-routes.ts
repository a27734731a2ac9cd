// Trend annotations: notes at a time, shown on every trend of their tag. Operators write them
// as part of the record of a shift, so adding and removing one is in the audit trail (a
// removed note's text stays there).
import { z } from 'zod';
import { actorFields, type AuditTrail } from '../../audit';
import { tagError } from '../../model';
import { parseTime } from '../../model';
import type { AnnotationStore } from '../../annotations';
import { defineRoute, HttpError, type RouteDef } from '../api/route';

export interface AnnotationRouteDeps { store: AnnotationStore; trail: AuditTrail }

const time = (field: string) => z.union([z.number(), z.string()]).transform((v, ctx) => {
  try { return parseTime(v, field); } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message.replace(/^[^:]*: /, '') });
    return z.NEVER;
  }
});
const tag = z.string().superRefine((t, ctx) => { const e = tagError(t); if (e) ctx.addIssue({ code: 'custom', message: e }); });

export function annotationRoutes(deps: AnnotationRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get', path: '/annotations', group: 'annotations', permission: 'query',
      summary: 'Trend annotations in [from, to), on the given tags (and notes without a tag)',
      query: z.object({
        from: time('from'), to: time('to'),
        tags: z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(tag).max(1000)).optional(),
      }),
      handler: ({ query, principal }) => {
        if (query.to <= query.from) throw new HttpError(400, 'bad_request', 'to: must be after from', { field: 'to' });
        const annotations = deps.store.list(query.from, query.to, query.tags).filter((a) => a.tag === null || principal!.allowsTag(a.tag));
        return { annotations };
      },
    }),
    defineRoute({
      method: 'post', path: '/annotations', group: 'annotations', permission: 'annotations.write',
      summary: 'Add a note at a time, optionally on one tag',
      body: z.strictObject({ ts: time('ts'), text: z.string().trim().min(1).max(2000), tag: tag.nullable().optional() }),
      response: { status: 201, description: 'the stored annotation' },
      handler: async ({ body, principal, req }) => {
        if (body.tag && !principal!.allowsTag(body.tag)) throw new HttpError(403, 'forbidden', `tag: "${body.tag}" is outside this token's tag pattern`);
        const a = deps.store.add(body, { username: principal!.username, name: principal!.name });
        await deps.trail.appendAsync({ action: 'annotations.add', target: `annotation:${a.id}`, ...actorFields(principal), newValue: a, clientAddress: req.ip ?? null });
        return a;
      },
    }),
    defineRoute({
      method: 'delete', path: '/annotations/:id', group: 'annotations', permission: 'annotations.write',
      summary: 'Remove one of your own notes',
      params: z.object({ id: z.string().max(64) }),
      handler: async ({ params, principal, req, res }) => {
        const before = deps.store.get(params.id);
        const r = deps.store.remove(params.id, principal!.username);
        if (r === 'missing') throw new HttpError(404, 'not_found', `id: no annotation "${params.id}"`);
        if (r === 'not-author') throw new HttpError(403, 'forbidden', 'id: only the author may remove a note');
        await deps.trail.appendAsync({ action: 'annotations.remove', target: `annotation:${params.id}`, ...actorFields(principal), previousValue: before, clientAddress: req.ip ?? null });
        res.status(204).end();
        return undefined;
      },
    }),
  ];
}
