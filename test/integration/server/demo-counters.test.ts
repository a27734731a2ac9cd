// The demo plant's counters (flow totalizers, hour meters and the calculated station
// running hours) never go backwards in stored history: not across the history backfill's
// hand-over to live samples, not across a full redeploy, not across a restart.
import { afterAll, describe, expect, it } from 'vitest';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';

const P = 'acme.izmir.plant1';
const COUNTERS = [
  ...[1, 2].flatMap((l) => [1, 2, 3].flatMap((p) => [`${P}.line${l}.cell1.pump${p}.total`, `${P}.line${l}.cell1.pump${p}.run_hours`])),
  `${P}.run_hours_total`,
];

let dist: Distribution | undefined;
let dataDir = '';
afterAll(async () => {
  await dist?.stop();
  if (dataDir) await removeTempDir(dataDir);
});

async function latestTs(d: Distribution, token: string, tag: string): Promise<number> {
  const r = await d.request(`/api/v1/query?kind=latest&tags=${tag}`, { token });
  const s = ((await r.json()) as { samples: Array<{ ts: number }> }).samples[0];
  return s?.ts ?? 0;
}

/** Waits until `tag` has a sample newer than `after` (live data flowing). */
async function flowing(d: Distribution, token: string, after: number, what: string): Promise<void> {
  await waitFor(async () => (await latestTs(d, token, `${P}.run_hours_total`)) > after && (await latestTs(d, token, `${P}.line1.cell1.pump1.total`)) > after + 2000,
    { timeoutMs: 60_000, intervalMs: 250, what });
}

describe('demo plant counters', () => {
  it('never decrease across the backfill hand-over, a full redeploy and a restart', async () => {
    dataDir = await makeTempDir('demo-counters-');
    const t0 = Date.now();
    dist = await startDistribution({ dataDir });
    let token = await dist.login();
    await flowing(dist, token, t0, 'live samples after the first start');

    // full redeploy through the editor's admin API: every node closes and reopens
    const flows = await (await dist.request('/editor/flows', { token, headers: { 'Node-RED-API-Version': 'v2' } })).json() as { rev: string; flows: unknown[] };
    const deployedAt = Date.now();
    const dep = await dist.request('/editor/flows', {
      method: 'POST', token,
      headers: { 'Content-Type': 'application/json', 'Node-RED-API-Version': 'v2', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify({ rev: flows.rev, flows: flows.flows }),
    });
    expect(dep.status, await dep.clone().text()).toBe(200);
    await flowing(dist, token, deployedAt, 'live samples after the redeploy');

    // restart on the same data directory
    await dist.stop();
    const restartedAt = Date.now();
    dist = await startDistribution({ dataDir });
    token = await dist.login();
    await flowing(dist, token, restartedAt, 'live samples after the restart');
    expect(dist.proc.logs()).not.toContain('history:'); // the store had data: no second backfill

    for (const tag of COUNTERS) {
      const q = new URLSearchParams({ kind: 'raw', tag, from: String(t0 - 10 * 60_000), to: String(Date.now()), limit: '1000000' });
      const body = await (await dist.request(`/api/v1/query?${q}`, { token })).json() as { samples: Array<{ ts: number; value: number }> };
      const s = body.samples;
      // the calculated station total is evaluated every 10 s and exists only since live samples flow
      expect(s.length, tag).toBeGreaterThan(tag === `${P}.run_hours_total` ? 2 : 10);
      const drops = s.filter((x, i) => i > 0 && x.value < s[i - 1].value).map((x) => ({ ts: new Date(x.ts).toISOString(), value: x.value }));
      expect(drops, `${tag} decreased`).toEqual([]);
      expect(s[s.length - 1].ts, tag).toBeGreaterThan(restartedAt);
    }
  });
});
