// OpenAPI 3.1 description generated from the route declarations (route.ts).
import { z } from 'zod';
import type { RouteDef } from './route';

/** What OpenAPI needs of a route: route declarations and the auth routes both provide it. */
export type DocumentedRoute = Pick<RouteDef, 'method' | 'path' | 'summary' | 'group' | 'permission' | 'params' | 'query' | 'body' | 'bodyDoc' | 'response' | 'alsoChecks' | 'signs'>;

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const js = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: s,
  }));
}

function pathsOf(routes: readonly DocumentedRoute[], root: string): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const p = root + r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: [r.group],
      operationId: `${r.method}${r.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      responses: {
        [String(r.response?.status ?? 200)]: {
          description: r.response?.description ?? 'OK',
          ...(r.response?.schema ? { content: { [r.response.contentType ?? 'application/json']: { schema: jsonSchema(r.response.schema) } } } : {}),
        },
        '400': { description: 'invalid input; the message names the failing field' },
        ...(r.signs?.length ? { '428': { description: `electronic signature required (${r.signs.join(', ')}): POST /api/v1/re-auth, then send the token as X-Historian-Signature` } } : {}),
        ...(r.permission === 'public' ? {} : { '401': { description: 'not authenticated' }, '403': { description: `not allowed (needs ${r.permission})` } }),
      },
      'x-permission': r.permission,
      ...(r.alsoChecks?.length ? { 'x-also-checks': r.alsoChecks } : {}),
      ...(r.signs?.length ? { 'x-signature-actions': r.signs } : {}),
    };
    if (r.permission !== 'public') op.security = [{ bearer: [] }];
    if (r.bodyDoc) {
      op.requestBody = { required: true, description: r.bodyDoc.description, content: Object.fromEntries(Object.entries(r.bodyDoc.content).map(([type, schema]) => [type, { schema: jsonSchema(schema) }])) };
    } else if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } };
    (paths[p] ??= {})[r.method] = op;
  }
  return paths;
}

/** Routes under the Node-RED editor's root: node admin endpoints and the editor plugin's. */
export interface EditorRoutes { root: string; routes: readonly DocumentedRoute[] }

/**
 * The API description: /api/v1 routes in `paths`; the editor's routes (authenticated by
 * Node-RED's adminAuth with editor permissions, not the API's table) in `x-editor-api`.
 */
export function openApiDocument(routes: readonly DocumentedRoute[], info: { title: string; version: string }, editor?: EditorRoutes): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info,
    paths: pathsOf(routes, '/api/v1'),
    ...(editor ? { 'x-editor-api': { root: editor.root, description: 'Node-RED admin API extensions: node admin endpoints (permission = an editor permission) and the deploy-signing plugin', paths: pathsOf(editor.routes, editor.root) } } : {}),
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'session JWT from POST /api/v1/login, or an API token' } } },
  };
}
