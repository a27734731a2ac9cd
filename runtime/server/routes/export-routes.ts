// GET /api/v1/export: samples of tags over a range as CSV, XLSX or JSON, streamed.
import { z } from 'zod';
import { encoderFor, downsampledSource, fileName, rawSource, runExport, type OnExport } from '../../export';
import { parseExportRequest, ExportRequestError } from '../../export';
import { defineRoute, HttpError, type RouteDef } from '../api/route';
import { storeLookup, type StoreRegistry } from './store-lookup';
import type { TsdbStore } from '../../tsdb';

export interface ExportRouteDeps {
  /** Called before the first byte of every export (the audit trail records it here). Throwing refuses the export. */
  onExport?: OnExport;
  /** The store to read (default: the `?store=` one, or the only/default store). */
  store?: (name?: string) => Promise<TsdbStore>;
  /** The store registry (the server's); default: the process registry. */
  stores?: StoreRegistry;
}

export function exportRoutes(deps: ExportRouteDeps = {}): RouteDef[] {
  const findStore = deps.store ?? storeLookup(deps.stores);
  return [
    defineRoute({
      method: 'get', path: '/export', group: 'export', permission: 'export',
      summary: 'Export samples of tags over a range as csv, xlsx or json (streamed; layout=long|wide; tz=IANA zone; points=N exports the min-max view of a chart)',
      query: z.looseObject({ store: z.string().regex(/^[A-Za-z0-9_-]+$/).optional() }),
      response: { description: 'the file, as an attachment', contentType: 'text/csv' },
      handler: async ({ query, res, principal }) => {
        let req;
        try {
          req = parseExportRequest(query);
        } catch (e) {
          if (e instanceof ExportRequestError) throw new HttpError(400, 'bad_request', e.message, { field: e.field });
          throw e;
        }
        const outside = req.tags.find((t) => !principal!.allowsTag(t));
        if (outside) throw new HttpError(403, 'forbidden', `tags: "${outside}" is outside this token's tag pattern`);
        const store = await findStore(query.store);
        await deps.onExport?.({
          user: principal?.username ?? null, tags: req.tags, from: req.from, to: req.to,
          format: req.format, layout: req.layout, points: req.points ?? null,
        });
        const enc = encoderFor(res, req);
        res.status(200);
        res.setHeader('Content-Type', enc.contentType);
        res.setHeader('Content-Disposition', `attachment; filename="${fileName(req, enc.extension)}"`);
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('X-Historian-Export-From', String(req.from));
        res.setHeader('X-Historian-Export-To', String(req.to));
        const source = req.points ? downsampledSource(store, req.points) : rawSource(store);
        try {
          await runExport(source, req, enc);
        } catch (e) {
          // Headers are gone: cut the connection so the client sees a broken download, not a short file.
          if (!res.destroyed) res.destroy(e instanceof Error ? e : undefined);
          return undefined;
        }
        res.end();
        return undefined;
      },
    }),
  ];
}
