// kill -9 of the running distribution during HTTP ingest (issue 18, defect 1 and the
// acceptance line): writers send in-order, shuffled, day-late backfill and bad-clock
// samples through POST /api/v1/metrics; the process is killed at a random moment, ten
// times. Afterwards every sample a 202 counted as accepted must be stored with its value,
// and no sample the answer listed as rejected may be.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { createUser } from '../../helpers/signing';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

const KILLS = 10;
const DAY = 86_400_000;
const TAGS = ['acme.crash.http.inorder', 'acme.crash.http.shuffled', 'acme.crash.http.backfill', 'acme.crash.http.badclock'];
const valueOf = (k: number, ts: number) => ((ts / 10) % 1000) / 10 + k;

let dir: string;
let dist: Distribution | null = null;
afterAll(async () => {
  await dist?.stop();
  if (dir) await removeTempDir(dir);
});

describe('HTTP ingest under kill -9', () => {
  it(`loses no accepted sample and stores no rejected one over ${KILLS} kills`, async () => {
    dir = await makeTempDir('ingest-crash-');
    const flowFile = join(dir, 'flow.json');
    // the store in its default configuration
    writeFileSync(flowFile, JSON.stringify([{ id: 'c-store', type: 'historian-store', name: 'default', directory: 'tsdb/default' }]));
    const start = () => startDistribution({ dataDir: join(dir, 'data'), env: { HISTORIAN_DEMO_FLOW: flowFile } });
    dist = await start();
    const admin = await dist.login();
    await createUser(dist, admin, { username: 'crash-gw', name: 'Crash gateway', role: 'SERVICE' });
    const t = await dist.request('/api/v1/tokens', { method: 'POST', token: admin, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user: 'crash-gw', scopes: ['ingest', 'query'], tagPattern: 'acme.crash.>' }) });
    const token = (await t.json() as { token: string }).token;

    const accepted = TAGS.map(() => new Set<number>());
    const rejected = TAGS.map(() => new Set<number>());
    let seed = 99;
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    let inOrderT = Math.floor((Date.now() - 3_600_000) / 10) * 10;
    let backfillT = Math.floor((Date.now() - 3 * DAY) / 1000) * 1000;

    for (let cycle = 0; cycle < KILLS; cycle++) {
      const d = dist!;
      let answers = 0;
      const target = 5 + Math.floor(rand() * 40);
      let stop = false;
      const send = async (items: Array<{ k: number; ts: number }>) => {
        const body = items.map(({ k, ts }) => ({ tag: TAGS[k], timestamp: ts, value: valueOf(k, ts) }));
        let res: Response;
        try {
          res = await d.request('/api/v1/metrics', { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        } catch { stop = true; return; } // killed mid-request: nothing was acknowledged
        if (res.status !== 202 && res.status !== 422) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
        let out: { accepted: number; errors: Array<{ index: number; reason: string }> };
        try { out = await res.json() as typeof out; } catch { stop = true; return; }
        const refused = new Set(out.errors.map((e) => e.index));
        items.forEach(({ k, ts }, i) => (refused.has(i) ? rejected[k] : accepted[k]).add(ts));
        expect(out.accepted).toBe(items.length - refused.size);
        answers++;
      };
      const loop = async (make: () => Array<{ k: number; ts: number }>) => { while (!stop) await send(make()); };
      const writers = Promise.all([
        loop(() => {
          const t0 = Math.min(inOrderT, Date.now() - 1000);
          inOrderT = t0 + 500;
          return Array.from({ length: 50 }, (_, i) => ({ k: 0, ts: t0 + i * 10 }));
        }),
        loop(() => {
          const t0 = Math.floor((Date.now() - rand() * 3_600_000) / 10) * 10;
          return Array.from({ length: 50 }, (_, i) => ({ k: 1, ts: t0 + i * 10 })).sort(() => rand() - 0.5);
        }),
        loop(() => {
          const t0 = backfillT;
          backfillT -= 60_000;
          return Array.from({ length: 60 }, (_, i) => ({ k: 2, ts: t0 + i * 1000 }));
        }),
        loop(() => Array.from({ length: 40 }, (_, i) => {
          const now = Math.floor(Date.now() / 10) * 10;
          return rand() < 0.25 ? { k: 3, ts: now + 2 * DAY + Math.floor(rand() * 1e6) * 10 } : { k: 3, ts: now - 30_000 + i * 10 };
        })),
      ]);
      await new Promise<void>((resolve, reject) => {
        const check = setInterval(() => {
          if (answers >= target) { clearInterval(check); resolve(); }
          if (!d.proc.isRunning()) { clearInterval(check); reject(new Error(`historian exited:\n${d.proc.logs()}`)); }
        }, 5);
      });
      d.proc.kill('SIGKILL');
      const exit = await d.proc.exited;
      expect(exit.signal).toBe('SIGKILL');
      stop = true;
      await writers;
      dist = await start();
    }

    const q = async (tag: string) => {
      const res = await dist!.request(`/api/v1/query?${new URLSearchParams({ kind: 'raw', tag, from: '0', to: String(Date.now() + 3 * DAY) })}`, { token });
      expect(res.status).toBe(200);
      return new Map(((await res.json()) as { samples: Array<{ ts: number; value: number }> }).samples.map((s) => [s.ts, s.value]));
    };
    let missing = 0, wrong = 0, rejectedButStored = 0, total = 0;
    for (let k = 0; k < TAGS.length; k++) {
      const got = await q(TAGS[k]);
      for (const ts of accepted[k]) {
        total++;
        const v = got.get(ts);
        if (v === undefined) missing++;
        else if (v !== valueOf(k, ts)) wrong++;
      }
      for (const ts of rejected[k]) if (got.has(ts) && !accepted[k].has(ts)) rejectedButStored++;
    }
    console.info(`HTTP crash test: ${KILLS} kills, ${total} accepted samples checked (${accepted[2].size} backfilled days late), ${rejected[3].size} rejected for a clock 2 days ahead; missing ${missing}, wrong ${wrong}, rejected but stored ${rejectedButStored}`);
    expect({ missing, wrong, rejectedButStored }).toEqual({ missing: 0, wrong: 0, rejectedButStored: 0 });
    for (let k = 0; k < TAGS.length; k++) expect(accepted[k].size).toBeGreaterThan(KILLS * 10);
    expect(rejected[3].size).toBeGreaterThan(KILLS);
  }, 300_000);
});
