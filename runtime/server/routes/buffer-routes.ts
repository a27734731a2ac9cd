// Store-and-forward buffers: their state (GET /buffers) and their quarantine (list,
// replay, purge), plus pause/resume of sending. Buffers are the flow-level components
// registered in services().components.buffers by store-forward nodes.
import { z } from 'zod';
import { isBufferComponent, type BufferComponent } from '../../buffer';
import { defineRoute, HttpError, type RouteDef } from '../api/route';

export interface BufferRouteDeps {
  /** the registered buffers by name */
  buffers: () => Array<[string, unknown]>;
}

const nameParam = z.object({ name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must match [A-Za-z0-9_-]+') });
const idsBody = z.object({ ids: z.array(z.string().min(1).max(255)).max(100_000).optional() }).optional();

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
      handler: async ({ params, body }) => ({ replayed: await bufferOf(deps, params.name).replayQuarantine(body?.ids) }),
    }),
    defineRoute({
      method: 'post', path: '/buffers/:name/quarantine/purge', group: 'buffers', permission: 'buffers.manage', params: nameParam, body: idsBody,
      summary: 'Deletes quarantined envelopes (all, or the given ids)',
      response: { description: '{ purged }' },
      handler: ({ params, body }) => ({ purged: bufferOf(deps, params.name).purgeQuarantine(body?.ids) }),
    }),
    defineRoute({
      method: 'post', path: '/buffers/:name/pause', group: 'buffers', permission: 'buffers.manage', params: nameParam,
      summary: 'Stops sending (samples keep being buffered)',
      response: { description: '{ paused: true }' },
      handler: async ({ params }) => {
        const b = bufferOf(deps, params.name);
        if (!b.pause) throw new HttpError(409, 'unsupported', `buffer "${params.name}" cannot be paused`);
        await b.pause();
        return { paused: true };
      },
    }),
    defineRoute({
      method: 'post', path: '/buffers/:name/resume', group: 'buffers', permission: 'buffers.manage', params: nameParam,
      summary: 'Resumes sending',
      response: { description: '{ paused: false }' },
      handler: ({ params }) => {
        const b = bufferOf(deps, params.name);
        if (!b.resume) throw new HttpError(409, 'unsupported', `buffer "${params.name}" cannot be resumed`);
        b.resume();
        return { paused: false };
      },
    }),
  ];
}
