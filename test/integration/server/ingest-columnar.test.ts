// Columnar HTTP ingest against the running distribution: items of one tag with arrays of
// timestamps and values, as JSON or JSON lines; per-sample errors naming the item, the
// sample position and the field; store refusals with their reason; dedupe per item; the
// body is read only after authentication; acknowledged samples survive kill -9.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { createUser } from '../../helpers/signing';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

let dist: Distribution;
let dir: string;
let admin: string;
let token: string;

async function json(res: Response): Promise<any> {
  const t = await res.text();
  return t ? JSON.parse(t) : undefined;
}

const start = () => startDistribution({ dataDir: join(dir, 'data'), env: { HISTORIAN_INGEST_RATE: '1000000', HISTORIAN_DEMO_FLOW: join(dir, 'flow.json') } });

beforeAll(async () => {
  dir = await makeTempDir('ingest-columnar-');
  // only a store, in its default configuration (fsync on an interval: 202 once the OS has it)
  writeFileSync(join(dir, 'flow.json'), JSON.stringify([{ id: 'c-store', type: 'historian-store', name: 'default', directory: 'tsdb/default' }]));
  dist = await start();
  admin = await dist.login();
  await createUser(dist, admin, { username: 'line3-collector', name: 'Line 3 collector', role: 'SERVICE' });
  const t = await dist.request('/api/v1/tokens', {
    method: 'POST', token: admin, headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: 'line3-collector', scopes: ['ingest', 'query'], tagPattern: 'acme.izmir.line3.>' }),
  });
  expect(t.status).toBe(201);
  token = (await json(t)).token;
});
afterAll(async () => {
  await dist?.stop();
  if (dir) await removeTempDir(dir);
});

const lines = (items: unknown[]) => items.map((i) => JSON.stringify(i)).join('\n') + '\n';
const postLines = (body: string, tk: string | null = token) => dist.request('/api/v1/metrics', {
  method: 'POST', token: tk ?? undefined, headers: { 'Content-Type': 'application/x-ndjson' }, body,
});
const postJson = (body: unknown) => dist.request('/api/v1/metrics', {
  method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
});

async function stored(tag: string): Promise<Array<{ ts: number; value: number; quality: string | number }>> {
  const q = new URLSearchParams({ kind: 'raw', tag, from: '0', to: String(Date.now() + 86_400_000) });
  const res = await dist.request(`/api/v1/query?${q}`, { token });
  expect(res.status).toBe(200);
  return (await json(res)).samples;
}

describe('POST /api/v1/metrics, columnar items', () => {
  it('stores 10,000 samples sent as JSON lines exactly once; a replay with the same dedupe_ids counts duplicates per sample', async () => {
    const t0 = 1_750_000_000_000;
    const items = [0, 1, 2, 3].map((p) => ({
      tag: `acme.izmir.line3.pump${p}.flow`,
      timestamps: Array.from({ length: 2500 }, (_, i) => t0 + i * 1000),
      values: Array.from({ length: 2500 }, (_, i) => p * 10_000 + i / 10),
      dedupe_id: `bulk-${p}`,
    }));
    const r = await postLines(lines(items));
    expect(r.status).toBe(202);
    expect(await json(r)).toEqual({ accepted: 10_000, duplicates: 0, overwrites: 0, rejected: 0, errors: [] });
    const again = await postLines(lines(items));
    expect(await json(again)).toMatchObject({ accepted: 0, duplicates: 10_000, rejected: 0 });
    for (const it of items) {
      const s = await stored(it.tag);
      expect(s.map((x) => x.ts)).toEqual(it.timestamps);
      expect(s.map((x) => x.value)).toEqual(it.values);
    }
  });

  it('takes columnar and row items mixed in one JSON array, with qualities', async () => {
    const tag = 'acme.izmir.line3.valve1.pos';
    const r = await postJson([
      { tag, timestamps: [1_750_000_000_000, '2025-06-15T15:06:41Z'], values: [1.5, true], qualities: [null, 'BAD_NOT_CONNECTED'] },
      { tag, timestamp: 1_750_000_002_000, value: 3 },
    ]);
    expect(r.status).toBe(202);
    expect(await json(r)).toMatchObject({ accepted: 3, rejected: 0 });
    const s = await stored(tag);
    expect(s.map((x) => [x.ts, x.value])).toEqual([[1_750_000_000_000, 1.5], [1_750_000_001_000, 1], [1_750_000_002_000, 3]]);
    expect(s[1].quality).not.toEqual(s[0].quality);
  });

  it('names the item, the sample position and the field of every bad sample, refuses malformed items whole, and stores the rest', async () => {
    const tag = 'acme.izmir.line3.tank1.level';
    const t = 1_750_100_000_000;
    const body = [
      JSON.stringify({ tag, timestamps: [t, t + 1000, t + 2000, 1_750_100_003, t + 4000], values: [1, 'NaN', 3, 4, 5], qualities: [null, null, 12345, null, 'GOOD'] }),
      JSON.stringify({ tag, timestamps: [t + 5000, t + 6000], values: [6] }),
      '{"tag": "acme.izmir.line3.tank1.level", "timestamps": [', // cut off: not JSON
      '',
      JSON.stringify({ tag: 'acme.izmir.line1.tank1.level', timestamps: [t, t + 1000], values: [1, 2] }),
      JSON.stringify({ tag: 'acme.izmir.line3..level', timestamps: [t], values: [1] }),
      JSON.stringify({ tag, timestamps: [t + 7000], values: [7], unit: 'm' }),
      JSON.stringify({ tag, timestamps: [t + 8000, t + 9000], values: [8, 9], dedupe_id: 'ok-1' }),
    ].join('\n');
    const r = await postLines(body);
    expect(r.status).toBe(202);
    const b = await json(r);
    expect(b.errors.map((e: any) => [e.index, e.sample, e.field])).toEqual([
      [0, 1, 'values[1]'], [0, 2, 'qualities[2]'], [0, 3, 'timestamps[3]'],
      [1, undefined, 'values'], [2, undefined, 'line'], [4, undefined, 'tag'], [5, undefined, 'tag'], [6, undefined, 'unit'],
    ]);
    expect(b.errors[2].message).toMatch(/epoch seconds/);
    expect(b.errors[3]).toMatchObject({ samples: 2, message: expect.stringMatching(/1 entries for 2 timestamps/) });
    expect(b.errors[5]).toMatchObject({ samples: 2, message: expect.stringMatching(/outside this token's tag pattern/) });
    // rejected counts samples: 3 bad ones, 2 + 1 (the line) + 2 + 1 + 1 in items refused whole
    expect(b).toMatchObject({ accepted: 4, rejected: 10 });
    expect((await stored(tag)).map((x) => x.value)).toEqual([1, 5, 8, 9]);
  });

  it('reports what the store refuses by item, sample and reason; 422 when nothing is kept', async () => {
    const tag = 'acme.izmir.line3.gw2.temp';
    const now = Date.now();
    const ahead = now + 30 * 86_400_000;
    // sample 1 of item 0 is refused while parsing, so the store's rows no longer line up with positions
    const r = await postLines(lines([
      { tag, timestamps: [now - 3000, 'soon', ahead, now - 1000], values: [20.1, 0, 99, 20.3] },
      { tag: `${tag}b`, timestamps: [now - 1000, ahead], values: [1, 2] },
      { tag, value: 7, timestamp: ahead },
    ]));
    expect(r.status).toBe(202);
    const b = await json(r);
    expect(b).toMatchObject({ accepted: 3, rejected: 4 });
    expect(b.errors.map((e: any) => [e.index, e.sample, e.field, e.reason])).toEqual([
      [0, 1, 'timestamps[1]', undefined], [0, 2, 'timestamps[2]', 'too_far_in_future'], [1, 1, 'timestamps[1]', 'too_far_in_future'], [2, undefined, 'timestamp', 'too_far_in_future'],
    ]);
    const all = await postLines(lines([{ tag, timestamps: [Date.UTC(2198, 0, 1)], values: [1] }]));
    expect(all.status).toBe(422);
    expect(await json(all)).toMatchObject({ error: 'unprocessable', accepted: 0, rejected: 1, errors: [{ index: 0, sample: 0, reason: 'too_far_in_future' }] });
    expect((await stored(tag)).map((x) => x.value)).toEqual([20.1, 20.3]);
  });

  it('reads the body only after authentication: a large body without a token gets 401, not 413; other media types 415', async () => {
    const big = 'x'.repeat(9 * 2 ** 20);
    const anon = await postLines(big, null);
    expect(anon.status).toBe(401);
    const tooBig = await postLines(big);
    expect(tooBig.status).toBe(413);
    expect((await postLines(lines([{ tag: 'acme.izmir.line3.x', timestamps: Array.from({ length: 100_001 }, (_, i) => 1_750_000_000_000 + i), values: Array.from({ length: 100_001 }, () => 1) }]))).status).toBe(413);
    const text = await dist.request('/api/v1/metrics', { method: 'POST', token, headers: { 'Content-Type': 'text/plain' }, body: 'acme.izmir.line3.x 1' });
    expect(text.status).toBe(415);
    const broken = await dist.request('/api/v1/metrics', { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: '[{"tag":' });
    expect(broken.status).toBe(400);
    expect((await json(broken)).message).toMatch(/invalid JSON/);
  });

  it('reads gzip bodies, a UTF-8 byte-order mark and other charsets; refuses an unknown charset with 415', async () => {
    const t0 = 1_750_100_000_000;
    const body = (tag: string, k: number) => lines([{ tag: `acme.izmir.line3.${tag}`, timestamps: [t0 + k, t0 + k + 1], values: [k + 0.25, -(k + 0.5)] }]);
    const post = (b: Buffer | string, contentType: string, extra: Record<string, string> = {}) => dist.request('/api/v1/metrics', {
      method: 'POST', token, headers: { 'Content-Type': contentType, ...extra }, body: typeof b === 'string' ? b : new Uint8Array(b),
    });
    const sent: Array<[Promise<Response>, string, number]> = [
      [post(gzipSync(body('gz', 1)), 'application/x-ndjson', { 'Content-Encoding': 'gzip' }), 'gz', 1],
      [post(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body('bom', 2))]), 'application/x-ndjson'), 'bom', 2],
      [post(Buffer.from(body('utf16', 3), 'utf16le'), 'application/x-ndjson; charset=utf-16le'), 'utf16', 3],
      [post(Buffer.from(body('latin1', 4), 'latin1'), 'application/x-ndjson; charset="ISO-8859-1"'), 'latin1', 4],
    ];
    for (const [res, tag, k] of sent) {
      const r = await res;
      expect([tag, r.status]).toEqual([tag, 202]);
      expect((await stored(`acme.izmir.line3.${tag}`)).map((x) => [x.ts, x.value])).toEqual([[t0 + k, k + 0.25], [t0 + k + 1, -(k + 0.5)]]);
    }
    const unknown = await post(body('x', 5), 'application/x-ndjson; charset=klingon');
    expect(unknown.status).toBe(415);
    expect((await json(unknown)).message).toMatch(/charset "KLINGON"/);
  });

  it('keeps every acknowledged sample across kill -9 right after the answers', async () => {
    const t0 = Math.floor((Date.now() - 7_200_000) / 1000) * 1000;
    const tags = ['acme.izmir.line3.crash.a', 'acme.izmir.line3.crash.b'];
    let accepted = 0;
    const sent = await Promise.all(Array.from({ length: 8 }, async (_, k) => {
      const items = tags.map((tag, j) => ({ tag, timestamps: Array.from({ length: 500 }, (_, i) => t0 + (k * 500 + i) * 1000), values: Array.from({ length: 500 }, (_, i) => j * 1e6 + k * 500 + i) }));
      const r = await postLines(lines(items));
      expect(r.status).toBe(202);
      accepted += (await json(r)).accepted;
      return items;
    }));
    expect(accepted).toBe(8000);
    dist.proc.kill('SIGKILL');
    expect((await dist.proc.exited).signal).toBe('SIGKILL');
    dist = await start();
    for (const [j, tag] of tags.entries()) {
      const s = await stored(tag);
      expect(s).toHaveLength(4000);
      expect(s.map((x) => x.value)).toEqual(sent.flatMap((items) => items[j].values).sort((a, b) => a - b));
    }
  });
});
