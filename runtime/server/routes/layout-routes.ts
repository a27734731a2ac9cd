// Dashboard layouts: personal per user, shared ones changed by engineers.
import { z } from 'zod';
import { layoutDocSchema } from '../../layouts';
import { LayoutError, LayoutStore, type Layout, type LayoutCaller } from '../../layouts';
import type { Principal } from '../../auth';
import { defineRoute, HttpError, type RouteDef } from '../api/route';

export interface LayoutRouteDeps { store: LayoutStore }

function callerOf(p: Principal): LayoutCaller {
  return { username: p.username, mayWrite: p.permissions.has('layouts.write'), mayWriteShared: p.permissions.has('layouts.shared.write') };
}

function asHttp(e: unknown): never {
  if (e instanceof LayoutError) throw new HttpError(e.status, e.status === 404 ? 'not_found' : e.status === 409 ? 'conflict' : 'forbidden', e.message, { field: e.field });
  throw e;
}

const withAccess = (l: Layout, c: LayoutCaller) => ({ ...l, editable: LayoutStore.mayEdit(l, c) });
const idParam = z.object({ id: z.string().max(64) });

export function layoutRoutes(deps: LayoutRouteDeps): RouteDef[] {
  const s = deps.store;
  return [
    defineRoute({
      method: 'get', path: '/layouts', group: 'layouts', permission: 'layouts.read',
      summary: 'My layouts and the shared ones (with whether I may edit each)',
      handler: ({ principal }) => {
        const c = callerOf(principal!);
        return { layouts: s.list(c).map((l) => withAccess(l, c)) };
      },
    }),
    defineRoute({
      method: 'get', path: '/layouts/home', group: 'layouts', permission: 'layouts.read',
      summary: 'The shared layout the dashboard opens after login ({layout: null} when none is set)',
      handler: ({ principal }) => {
        const c = callerOf(principal!);
        const l = s.home();
        return { layout: l ? withAccess(l, c) : null };
      },
    }),
    defineRoute({
      method: 'put', path: '/layouts/home', group: 'layouts', permission: 'layouts.shared.write',
      summary: 'Choose the home layout ({id} of a shared layout, or {id: null} for none)',
      body: z.object({ id: z.string().max(64).nullable() }),
      handler: ({ body, principal }) => {
        const c = callerOf(principal!);
        try {
          const l = s.setHome(body.id, c);
          return { layout: l ? withAccess(l, c) : null };
        } catch (e) { asHttp(e); }
      },
    }),
    defineRoute({
      method: 'get', path: '/layouts/:id', group: 'layouts', permission: 'layouts.read',
      summary: 'One layout (its JSON is also the export file format)', params: idParam,
      handler: ({ params, principal }) => {
        const c = callerOf(principal!);
        try { return withAccess(s.get(params.id, c), c); } catch (e) { asHttp(e); }
      },
    }),
    defineRoute({
      method: 'post', path: '/layouts', group: 'layouts', permission: 'layouts.write',
      summary: 'Save a new layout, or import an exported one (shared ones need layouts.shared.write)', body: layoutDocSchema,
      response: { status: 201, description: 'the stored layout' },
      handler: ({ body, principal }) => {
        const c = callerOf(principal!);
        try { return withAccess(s.create(body, c), c); } catch (e) { asHttp(e); }
      },
    }),
    defineRoute({
      method: 'put', path: '/layouts/:id', group: 'layouts', permission: 'layouts.write',
      summary: 'Change a layout (send the version you edited to detect concurrent changes: 409)', params: idParam, body: layoutDocSchema,
      handler: ({ params, body, principal }) => {
        const c = callerOf(principal!);
        try { return withAccess(s.update(params.id, body, c), c); } catch (e) { asHttp(e); }
      },
    }),
    defineRoute({
      method: 'delete', path: '/layouts/:id', group: 'layouts', permission: 'layouts.write', summary: 'Delete a layout', params: idParam,
      handler: ({ params, principal, res }) => {
        try { s.delete(params.id, callerOf(principal!)); } catch (e) { asHttp(e); }
        res.status(204).end();
        return undefined;
      },
    }),
  ];
}
