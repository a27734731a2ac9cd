// HTTP ingest against the running distribution: bulk requests with a scoped API token,
// replays, bad items, payload and rate limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { createUser } from '../../helpers/signing';

let dist: Distribution;
let admin: string;
let token: string;

async function json(res: Response): Promise<any> {
  const t = await res.text();
  return t ? JSON.parse(t) : undefined;
}

beforeAll(async () => {
  // a clock-skew limit of one hour instead of the default 5 minutes, to see the setting work
  dist = await startDistribution({ env: { HISTORIAN_INGEST_RATE: '20000', HISTORIAN_MAX_CLOCK_SKEW_S: '3600' } });
  admin = await dist.login();
  await createUser(dist, admin, { username: 'line2-gateway', name: 'Line 2 gateway', role: 'SERVICE' });
  const t = await dist.request('/api/v1/tokens', {
    method: 'POST', token: admin, headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: 'line2-gateway', scopes: ['ingest', 'query'], tagPattern: 'acme.izmir.line2.>' }),
  });
  expect(t.status).toBe(201);
  token = (await json(t)).token;
});
afterAll(async () => { await dist?.stop(); });

const post = (body: unknown, tk = token) => dist.request('/api/v1/metrics', {
  method: 'POST', token: tk, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
});

async function stored(tag: string): Promise<Array<{ ts: number; value: number }>> {
  const q = new URLSearchParams({ kind: 'raw', tag, from: '0', to: String(2_000_000_000_000) });
  const res = await dist.request(`/api/v1/query?${q}`, { token });
  expect(res.status).toBe(200);
  return (await json(res)).samples;
}

describe('POST /api/v1/metrics', () => {
  it('stores 10,000 samples sent in bulk exactly once, replays with the same dedupe_id included', async () => {
    const t0 = 1_750_000_000_000;
    const items = Array.from({ length: 10_000 }, (_, i) => ({
      tag: `acme.izmir.line2.pump${i % 4}.flow`, value: i, timestamp: t0 + Math.floor(i / 4) * 1000, dedupe_id: `batch-a-${i}`,
    }));
    for (let i = 0; i < items.length; i += 1000) {
      const r = await post(items.slice(i, i + 1000));
      expect(r.status).toBe(202);
      expect(await json(r)).toMatchObject({ accepted: 1000, duplicates: 0, rejected: 0 });
    }
    // a client that did not see the answers replays two requests, ids and all
    for (const i of [0, 5000]) {
      const r = await post(items.slice(i, i + 1000));
      expect(await json(r)).toMatchObject({ accepted: 0, duplicates: 1000, rejected: 0 });
    }
    // items without a timestamp rely on dedupe_id alone
    const now1 = await post([{ metric_name: 'acme.izmir.line2.pump9.flow', value: 1, dedupe_id: 'no-ts-1' }]);
    const now2 = await post([{ metric_name: 'acme.izmir.line2.pump9.flow', value: 1, dedupe_id: 'no-ts-1' }]);
    expect(await json(now1)).toMatchObject({ accepted: 1 });
    expect(await json(now2)).toMatchObject({ accepted: 0, duplicates: 1 });
    let total = 0;
    for (let p = 0; p < 4; p++) {
      const s = await stored(`acme.izmir.line2.pump${p}.flow`);
      expect(s.map((x) => x.value)).toEqual(items.filter((it) => it.tag.endsWith(`pump${p}.flow`)).map((it) => it.value));
      total += s.length;
    }
    expect(total).toBe(10_000);
    expect(await stored('acme.izmir.line2.pump9.flow')).toHaveLength(1);
  });

  it('stores every sample as sent on a deadband tag: HTTP ingest does not apply the write policy (runtime/ingest/write-policy.ts)', async () => {
    const tag = 'acme.izmir.line2.tank1.level';
    const put = await dist.request(`/api/v1/tags/${tag}`, {
      method: 'PUT', token: admin, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ loggingMode: 'deadband', deviation: 1 }),
    });
    expect(put.status, JSON.stringify(await json(put.clone()))).toBe(200);
    expect(await json(await dist.request(`/api/v1/tags/${tag}`, { token: admin }))).toMatchObject({ loggingMode: 'deadband', deviation: 1 });
    const t0 = 1_750_100_000_000;
    const values = [10, 10.2, 10.4, 12, 12.5, 14];
    const r = await post(values.map((value, i) => ({ tag, value, timestamp: t0 + i * 1000 })));
    expect(await json(r)).toMatchObject({ accepted: values.length, rejected: 0 });
    expect((await stored(tag)).map((x) => x.value)).toEqual(values);
  });

  it('reports each bad item with its index and field and stores the good ones', async () => {
    const r = await post([
      { tag: 'acme.izmir.line2.valve1.pos', value: 10, timestamp: 1_750_000_000_000 },
      { tag: 'acme.izmir.line2.valve1.pos', value: 'NaN', timestamp: 1_750_000_001_000 },
      { tag: 'acme.izmir.line2.valve1.pos', value: 12, timestamp: 'yesterday-ish' },
      { tag: 'acme.izmir.line1.valve1.pos', value: 13, timestamp: 1_750_000_003_000 },
      { tag: 'acme.izmir.line2.valve1.pos', value: 14, timestamp: 1_750_000_004_000, colour: 'red' },
      { tag: 'acme.izmir.line2.valve1.pos', value: 15, timestamp: 1_750_000_005_000, quality: 'BAD_NOT_CONNECTED', labels: { site: 'izmir' } },
    ]);
    expect(r.status).toBe(202);
    const body = await json(r);
    expect(body).toMatchObject({ accepted: 2, rejected: 4 });
    expect(body.errors.map((e: any) => [e.index, e.field])).toEqual([[1, 'value'], [2, 'timestamp'], [3, 'tag'], [4, 'colour']]);
    expect(body.errors[2].message).toMatch(/outside this token's tag pattern/);
    expect((await stored('acme.izmir.line2.valve1.pos')).map((s) => s.value)).toEqual([10, 15]);
  });

  it('acknowledges only what the store keeps: late data stored, a future clock refused with its reason and unable to poison the tag', async () => {
    const tag = 'acme.izmir.line2.gw7.level';
    const now = Date.now();
    expect(await json(await post([{ tag, value: 1, timestamp: now }]))).toMatchObject({ accepted: 1, rejected: 0 });
    // two hours and a day late (a gateway back from an outage): acknowledged and stored
    const late = await post([{ tag, value: 2, timestamp: now - 2 * 3_600_000 }, { tag, value: 3, timestamp: now - 86_400_000 }]);
    expect(late.status).toBe(202);
    expect(await json(late)).toMatchObject({ accepted: 2, rejected: 0 });
    // a device clock in 2198: every item refused -> 422 with the reason per item
    const future = await post([{ tag, value: 4, timestamp: Date.UTC(2198, 0, 1) }]);
    expect(future.status).toBe(422);
    const fb = await json(future);
    expect(fb).toMatchObject({ error: 'unprocessable', accepted: 0, rejected: 1 });
    expect(fb.errors[0]).toMatchObject({ index: 0, field: 'timestamp', reason: 'too_far_in_future' });
    expect(fb.errors[0].message).toMatch(/ahead of the server clock/);
    // mixed: the good one is stored, the bad one reported, 202
    const mixed = await post([{ tag, value: 5, timestamp: now + 1000 }, { tag, value: 6, timestamp: now + 30 * 86_400_000 }]);
    expect(mixed.status).toBe(202);
    expect(await json(mixed)).toMatchObject({ accepted: 1, rejected: 1, errors: [{ index: 1, field: 'timestamp', reason: 'too_far_in_future' }] });
    // current samples after all that are stored (the old per-tag window dropped them)
    expect(await json(await post([{ tag, value: 7, timestamp: now + 2000 }]))).toMatchObject({ accepted: 1 });
    // inside the configured skew limit (HISTORIAN_MAX_CLOCK_SKEW_S=3600) but beyond the default
    const skew = await json(await post([{ tag, value: 8, timestamp: now + 30 * 60_000 }, { tag, value: 9, timestamp: now + 2 * 3_600_000 }]));
    expect(skew).toMatchObject({ accepted: 1, rejected: 1, errors: [{ index: 1, reason: 'too_far_in_future' }] });
    expect(skew.errors[0].message).toMatch(/at most 3600\.0 s allowed/);
    expect((await stored(tag)).map((x) => x.value)).toEqual([3, 2, 1, 5, 7, 8]);
  });

  it('answers 422 with per-item errors when every item is invalid, naming each field', async () => {
    const r = await post([
      { tag: 'acme.izmir.line2.x.y', value: '0x1F', timestamp: 1_750_000_000_000 },
      { tag: 'acme.izmir.line2.x.y', value: 1, timestamp: 1_750_000_000 },
      { tag: 'acme.izmir.line2.x.y', value: 1, timestamp: 1_750_000_001_000, quality: 12345 },
      { tag: 'acme.izmir.line2.x.y', value: 1, timestamp: 1_750_000_002_000, labels: { site: { nested: 1 } } },
    ]);
    expect(r.status).toBe(422);
    const body = await json(r);
    expect(body).toMatchObject({ accepted: 0, rejected: 4 });
    expect(body.errors.map((e: any) => [e.index, e.field])).toEqual([[0, 'value'], [1, 'timestamp'], [2, 'quality'], [3, 'labels.site']]);
    expect(body.errors[1].message).toMatch(/epoch seconds/);
    expect(await stored('acme.izmir.line2.x.y')).toEqual([]);
  });

  it('refuses oversized bodies (413), sessions without ingest (403), no token (401), and rate-limits with Retry-After (429)', async () => {
    const big = Array.from({ length: 150_000 }, (_, i) => ({ tag: 'acme.izmir.line2.x', value: i }));
    expect((await post(big)).status).toBe(413);
    await createUser(dist, admin, { username: 'op1', name: 'Operator One', role: 'OPERATOR', password: 'Control-Room-2026' });
    expect((await post([{ tag: 'acme.izmir.line2.x', value: 1 }], await dist.login('op1', 'Control-Room-2026'))).status).toBe(403);
    expect((await dist.request('/api/v1/metrics', { method: 'POST', body: '[]', headers: { 'Content-Type': 'application/json' } })).status).toBe(401);
    // the limit is 20,000 samples/s with a burst of 40,000: three requests of 20,000 exceed it
    const chunk = Array.from({ length: 20_000 }, (_, i) => ({ tag: 'acme.izmir.line2.rate', value: i, timestamp: 1_760_000_000_000 + i }));
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const r = await post(chunk);
      statuses.push(r.status);
      if (r.status === 429) expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(statuses).toContain(429);
  });
});
