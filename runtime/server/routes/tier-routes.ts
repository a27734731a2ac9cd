// GET /tiers: the cold tier of every store with a tier mover — local vs remote bytes and
// blocks, read cache hit ratio, corrupt objects, the mover's last pass.
import { z } from 'zod';
import { services, type Components } from '../../registry';
import type { TierMover, TierSummary } from '../../tier';
import { defineRoute, HttpError, type RouteDef } from '../api/route';

export function tierRoutes(deps: { tiers?: Pick<Components['tiers'], 'entries'> } = {}): RouteDef[] {
  const reg = deps.tiers ?? services().components.tiers;
  return [
    defineRoute({
      method: 'get', path: '/tiers', group: 'tiers', permission: 'tiers.read',
      summary: 'Tiered storage per store: local and remote bytes and blocks, cache hit ratio, last mover pass',
      query: z.object({ store: z.string().regex(/^[A-Za-z0-9_.-]+$/).optional() }),
      handler: ({ query }) => {
        const all = reg.entries().map(([name, m]) => ({ name, summary: m.summary() }));
        const tiers: Array<TierSummary & { name: string }> = all
          .filter((t) => !query.store || t.summary.store === query.store)
          .map((t) => ({ name: t.name, ...t.summary }));
        if (query.store && !tiers.length) throw new HttpError(404, 'no_tier', `store: no tier mover for store "${query.store}"`);
        return { tiers };
      },
    }),
  ];
}
