// Store-and-forward buffers: their state (GET /buffers) and their quarantine (list,
// replay, purge), plus pause/resume of sending. Buffers are the flow-level components
// registered in services().components.buffers by store-forward nodes. What changes a
// buffer is in the audit trail; a purge deletes samples that were never delivered, so it
// takes a reason and, as a critical action, a signature.
import { z } from 'zod';
import { actorFields, CRITICAL, type AuditTrail, type SignatureService } from '../../audit';
import { isBufferComponent, type BufferComponent } from '../../buffer';
import { defineRoute, HttpError, type RouteDef } from '../api/route';
import { signatureFor } from './audit-routes';

export interface BufferRouteDeps {
  /** the registered buffers by name */
  buffers: () => Array<[string, unknown]>;
  trail: AuditTrail;
  signatures: SignatureService;
}

/** Envelopes named in a purge's audit entry, at most (the count is always complete). */
const AUDIT_ENVELOPES = 100;
const bufferTarget = (name: string) => `buffer:${name}`;

const nameParam = z.object({ name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must match [A-Za-z0-9_-]+') });
const ids = z.array(z.string().min(1).max(255)).max(100_000);
const idsBody = z.object({ ids: ids.optional() }).optional();
const purgeBody = z.strictObject({ ids: ids.optional(), reason: z.string({ error: 'required: why they are deleted' }).trim().min(1, 'required: why they are deleted').max(500) });

function bufferOf(deps: BufferRouteDeps, name: string): BufferComponent {
  const b = deps.buffers().find(([n]) => n === name)?.[1];
  if (!isBufferComponent(b)) throw new HttpError(404, 'not_found', `no buffer named "${name}"`);
  return b;
}

export function bufferRoutes(deps: BufferRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get', path: '/buffers', group: 'buffers', permission: 'buffers.read',
      summary: 'Store-and-forward buffers: connection, pending entries and samples, bytes on disk, oldest pending age, sent/s, retries, quarantine',
      response: { description: '{ buffers: [{ name, connected, paused, pending, pendingSamples, diskBytes, oldestAgeMs, sentPerSecond, retries, quarantined, dropped, ... }] }' },
      handler: () => ({
        buffers: deps.buffers().filter(([, b]) => isBufferComponent(b)).map(([name, b]) => ({ name, ...(b as BufferComponent).status() }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      }),
    }),
    defineRoute({
      method: 'get', path: '/buffers/:name/quarantine', group: 'buffers', permission: 'buffers.read', params: nameParam,
      summary: 'Envelopes the broker refused for good',
      response: { description: '{ items: [{ id, source, subject, category, created, count, bytes, reason, quarantined }] }' },
      handler: ({ params }) => ({
        items: bufferOf(deps, params.name).quarantined().map((i) => ({
          id: i.id, source: i.source, subject: i.subject, category: i.category, created: i.created, count: i.count,
          bytes: i.body.length, reason: i.reason, quarantined: i.quarantined,
        })),
      }),
    }),
    defineRoute({
      method: 'post', path: '/buffers/:name/quarantine/replay', group: 'buffers', permission: 'buffers.manage', params: nameParam, body: idsBody,
      summary: 'Puts quarantined envelopes (all, or the given ids) back into the buffer with their event ids',
      response: { description: '{ replayed }' },
      handler: async ({ params, body, principal, req }) => {
        const replayed = await bufferOf(deps, params.name).replayQuarantine(body?.ids);
        await deps.trail.appendAsync({
          action: 'buffers.quarantine.replay', target: bufferTarget(params.name), ...actorFields(principal),
          newValue: { replayed, ids: body?.ids ?? 'all' }, clientAddress: req.ip ?? null,
        });
        return { replayed };
      },
    }),
    defineRoute({
      method: 'post', path: '/buffers/:name/quarantine/purge', group: 'buffers', permission: 'buffers.manage', params: nameParam, body: purgeBody,
      summary: 'Deletes quarantined envelopes (all, or the given ids) for good, with a reason; audited with what was deleted and signed (buffers.quarantine.purge on buffer:<name>)',
      signs: [CRITICAL.bufferPurge],
      response: { description: '{ purged }' },
      handler: async (ctx) => {
        const { params, body, principal, req } = ctx;
        const b = bufferOf(deps, params.name);
        const wanted = body.ids ? new Set(body.ids) : null;
        const doomed = b.quarantined().filter((q) => !wanted || wanted.has(q.id));
        if (doomed.length === 0) throw new HttpError(409, 'conflict', `buffer "${params.name}" has ${wanted ? 'none of these envelopes' : 'nothing'} in its quarantine`);
        // validated before signing: a refused request spends no signature
        const signature = signatureFor(ctx, deps.signatures, CRITICAL.bufferPurge, bufferTarget(params.name));
        const purged = b.purgeQuarantine(body.ids);
        await deps.trail.appendAsync({
          action: CRITICAL.bufferPurge, target: bufferTarget(params.name), ...actorFields(principal), reason: body.reason,
          previousValue: {
            envelopes: doomed.length, samples: doomed.reduce((n, q) => n + q.count, 0),
            listed: doomed.slice(0, AUDIT_ENVELOPES).map((q) => ({ id: q.id, subject: q.subject, count: q.count, created: q.created, reason: q.reason })),
          },
          newValue: { purged }, clientAddress: req.ip ?? null, signature,
        });
        return { purged };
      },
    }),
    defineRoute({
      method: 'post', path: '/buffers/:name/pause', group: 'buffers', permission: 'buffers.manage', params: nameParam,
      summary: 'Stops sending (samples keep being buffered)',
      response: { description: '{ paused: true }' },
      handler: async ({ params, principal, req }) => {
        const b = bufferOf(deps, params.name);
        if (!b.pause) throw new HttpError(409, 'unsupported', `buffer "${params.name}" cannot be paused`);
        await b.pause();
        await deps.trail.appendAsync({ action: 'buffers.pause', target: bufferTarget(params.name), ...actorFields(principal), newValue: { paused: true }, clientAddress: req.ip ?? null });
        return { paused: true };
      },
    }),
    defineRoute({
      method: 'post', path: '/buffers/:name/resume', group: 'buffers', permission: 'buffers.manage', params: nameParam,
      summary: 'Resumes sending',
      response: { description: '{ paused: false }' },
      handler: async ({ params, principal, req }) => {
        const b = bufferOf(deps, params.name);
        if (!b.resume) throw new HttpError(409, 'unsupported', `buffer "${params.name}" cannot be resumed`);
        b.resume();
        await deps.trail.appendAsync({ action: 'buffers.resume', target: bufferTarget(params.name), ...actorFields(principal), newValue: { paused: false }, clientAddress: req.ip ?? null });
        return { paused: false };
      },
    }),
  ];
}
