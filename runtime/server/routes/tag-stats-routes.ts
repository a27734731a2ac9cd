// GET /tags/:tag/stats: what one tag costs and does — samples stored, recent sample rate,
// last value, and bytes on disk. Bytes are approximate by design: blocks are compressed
// per chunk across series, so a tag's share is estimated as its stored samples times the
// store's average bytes per sample in blocks (samples still in the head count as 0 bytes
// until the head is cut into a block; they are in the WAL meanwhile).
import { z } from 'zod';
import { tagSchema } from '../../model';
import { HEAD_PRIORITY_BASE } from '../../tsdb';
import { defineRoute, HttpError, type RouteDef } from '../api/route';
import { storeLookup, type StoreRegistry } from './store-lookup';

const HOUR = 3_600_000;

export function tagStatsRoutes(clock: () => number = Date.now, stores?: StoreRegistry): RouteDef[] {
  const storeFor = storeLookup(stores);
  return [
    defineRoute({
      method: 'get', path: '/tags/:tag/stats', group: 'tags', permission: 'tags.read',
      summary: 'One tag: stored samples, sample rate over the last hour, last value, approximate bytes on disk',
      params: z.object({ tag: tagSchema }), query: z.object({ store: z.string().regex(/^[A-Za-z0-9_-]+$/).optional() }),
      response: { description: '{ tag, samples, headSamples, firstTs, lastTs, samplesPerSecond, latest, approxBytes, bytesPerSample }' },
      handler: async ({ params, query, principal }) => {
        if (!principal!.allowsTag(params.tag)) throw new HttpError(403, 'forbidden', `tag: outside this token's tag pattern`);
        const store = await storeFor(query.store);
        if (!store.tags.get(params.tag)) throw new HttpError(404, 'not_found', `tag: "${params.tag}" is not in store`);
        const now = clock();
        const refs = await store.refs(params.tag, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
        let samples = 0, headSamples = 0, lastHour = 0, firstTs: number | null = null, lastTs: number | null = null;
        for (const r of refs) {
          const n = r.summary.count;
          samples += n;
          if (r.priority >= HEAD_PRIORITY_BASE) headSamples += n;
          firstTs = firstTs === null ? r.minT : Math.min(firstTs, r.minT);
          lastTs = lastTs === null ? r.maxT : Math.max(lastTs, r.maxT);
          // chunks straddling the window count by the share of their time span inside it
          const lo = Math.max(r.minT, now - HOUR), hi = Math.min(r.maxT, now);
          if (hi >= lo) lastHour += r.maxT === r.minT ? n : n * ((hi - lo) / (r.maxT - r.minT));
        }
        const st = store.stats();
        const bytesPerSample = st.blockSamples > 0 ? st.blockBytes / st.blockSamples : null;
        // the rate is over the part of the last hour the tag existed, so a new tag is not diluted
        const span = firstTs === null ? 0 : Math.min(HOUR, Math.max(1000, now - Math.max(firstTs, now - HOUR)));
        const [latest] = await store.latest([params.tag]);
        return {
          tag: params.tag, samples, headSamples, firstTs, lastTs,
          samplesPerSecond: span > 0 ? lastHour / (span / 1000) : 0,
          latest: latest ?? null,
          approxBytes: bytesPerSample === null ? 0 : Math.round((samples - headSamples) * bytesPerSample),
          bytesPerSample,
        };
      },
    }),
  ];
}
