// HTTP ingest under pressure against the running distribution: duplicate (tag, ts) counted
// as overwrites (last write wins), and a flood of new tags refused by the per-token and
// per-store tag limits while existing tags keep ingesting, /health keeps answering and the
// tag-limit system alarm is raised.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { createUser } from '../../helpers/signing';

let dist: Distribution;
let admin: string;
const tokens: string[] = [];
const PER_TOKEN = 1000;
const PER_STORE = 1500;

async function json(res: Response): Promise<any> {
  const t = await res.text();
  return t ? JSON.parse(t) : undefined;
}

beforeAll(async () => {
  dist = await startDistribution({
    env: { HISTORIAN_MAX_NEW_TAGS_PER_TOKEN_PER_MINUTE: String(PER_TOKEN), HISTORIAN_MAX_NEW_TAGS_PER_MINUTE: String(PER_STORE), HISTORIAN_HEALTH_INTERVAL_MS: '200' },
  });
  admin = await dist.login();
  await createUser(dist, admin, { username: 'gateways', name: 'Gateways', role: 'SERVICE' });
  for (let i = 0; i < 3; i++) {
    const t = await dist.request('/api/v1/tokens', {
      method: 'POST', token: admin, headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: 'gateways', scopes: ['ingest', 'query'], tagPattern: 'acme.>' }),
    });
    expect(t.status).toBe(201);
    tokens.push((await json(t)).token);
  }
});
afterAll(async () => { await dist?.stop(); });

const post = (body: unknown, tk: string) => dist.request('/api/v1/metrics', {
  method: 'POST', token: tk, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
});

async function stored(tag: string): Promise<Array<{ ts: number; value: number }>> {
  const q = new URLSearchParams({ kind: 'raw', tag, from: '0', to: String(2_000_000_000_000) });
  const res = await dist.request(`/api/v1/query?${q}`, { token: tokens[0] });
  expect(res.status).toBe(200);
  return (await json(res)).samples;
}

describe('ingest: duplicates and tag limits', () => {
  it('counts overwrites of a repeated (tag, ts) within a request and across requests; the last write is kept', async () => {
    const tag = 'acme.izmir.line3.pump1.flow';
    const t0 = Date.now() - 60_000;
    const first = await json(await post([{ tag, value: 1, timestamp: t0 }, { tag, value: 2, timestamp: t0 + 1000 }, { tag, value: 3, timestamp: t0 }], tokens[0]));
    expect(first).toMatchObject({ accepted: 3, duplicates: 0, overwrites: 1, rejected: 0 });
    const again = await json(await post([{ tag, value: 4, timestamp: t0 + 1000 }, { tag, value: 5, timestamp: t0 + 2000 }], tokens[0]));
    expect(again).toMatchObject({ accepted: 2, duplicates: 0, overwrites: 1 });
    expect((await stored(tag)).map((s) => s.value)).toEqual([3, 4, 5]);
  });

  it('refuses a flood of new tags over the limits, naming the limit, while existing tags keep ingesting and /health answers', async () => {
    const existing = Array.from({ length: 20 }, (_, i) => `acme.izmir.line1.dev${i}.temp`);
    const now = () => Date.now();
    expect(await json(await post(existing.map((tag) => ({ tag, value: 0, timestamp: now() })), tokens[2]))).toMatchObject({ accepted: 20 });
    const flood = (tk: string, prefix: string) => post(Array.from({ length: 5000 }, (_, i) => ({ tag: `acme.flood.${prefix}.s${i}.v`, value: i, timestamp: now() })), tk);
    // the existing tags keep ingesting and /health keeps answering while two gateways flood
    let steady = 0;
    let stop = false;
    const background = (async () => {
      let n = 0;
      while (!stop) {
        const [w, h] = await Promise.all([post(existing.map((tag) => ({ tag, value: ++n, timestamp: now() })), tokens[2]), dist.request('/health')]);
        expect(w.status).toBe(202);
        expect(await json(w)).toMatchObject({ accepted: 20, rejected: 0 });
        expect(h.status).toBe(200);
        steady++;
      }
    })();
    const started = Date.now();
    const [a, b] = await Promise.all([flood(tokens[0], 'a'), flood(tokens[1], 'b')]);
    // the budgets are token buckets refilling continuously (limit per minute), so a loaded
    // machine that takes longer over the flood may grant the refill of that time
    const refill = (limit: number) => Math.ceil(((Date.now() - started) / 60_000) * limit);
    // one token may not spend more than its own budget ...
    const ra = await json(a);
    expect(a.status).toBe(202);
    expect(ra.accepted).toBeGreaterThanOrEqual(PER_TOKEN);
    expect(ra.accepted).toBeLessThanOrEqual(PER_TOKEN + refill(PER_TOKEN));
    expect(ra.rejected).toBe(5000 - ra.accepted);
    expect(ra.errors[0]).toMatchObject({ field: 'tag', reason: 'tag_limit' });
    expect(ra.errors[0].message).toMatch(/maxNewTagsPerTokenPerMinute = 1000/);
    // ... and the store as a whole not more than its own (whichever flood came second hit it)
    const rb = await json(b);
    expect(rb.accepted + rb.rejected).toBe(5000);
    expect(ra.accepted + rb.accepted).toBeLessThanOrEqual(PER_STORE + refill(PER_STORE));
    const messages = [...ra.errors, ...rb.errors].map((e: { message: string }) => e.message);
    expect(messages.some((m) => /limit maxNewTagsPerMinute = 1500/.test(m))).toBe(true);
    // the system alarm is raised
    await expect.poll(async () => (await json(await dist.request('/api/v1/alarms', { token: admin }))).alarms
      .find((x: { id: string }) => x.id === 'sys.historian.health.tag_limit:DISCRETE'), { timeout: 10_000 })
      .toMatchObject({ conditionActive: true, priority: 'high' });
    stop = true;
    await background;
    expect(steady).toBeGreaterThan(0);
    // refused tags were not created; accepted ones were
    expect(await stored('acme.flood.a.s4999.v')).toEqual([]);
    expect(await stored('acme.flood.a.s0.v')).toHaveLength(1);
    expect((await stored(existing[0])).length).toBeGreaterThan(steady);
  });
});
