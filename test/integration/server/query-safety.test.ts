// Queries against the running distribution (issue 18, defects 4, 6 and 8): no request can
// starve the process, every query is validated before the first byte, and the input
// oddities of the probe are refused with the field named.
//
// The distribution runs a flow of its own: a Modbus poll group at 100 ms against a real
// Modbus TCP server in this process, written into the store. Each poll leaves a sample
// stamped with the poll's actual time, so a missed poll is a gap in the stored series.
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { makeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { startModbusServer, type TestModbusServer } from '../devices/modbus-server';

const POLL_TAG = 'acme.test.poll.counter';
const PERIOD = 100;
const TAGS = Array.from({ length: 20 }, (_, i) => `acme.test.grid.t${i}`);

let dist: Distribution;
let modbus: TestModbusServer;
let token: string;
let dataT0: number;

async function json(res: Response): Promise<any> {
  const t = await res.text();
  return t ? JSON.parse(t) : undefined;
}

const get = (path: string) => dist.request(path, { token });
const q = (params: Record<string, string>) => get(`/api/v1/query?${new URLSearchParams(params)}`);

beforeAll(async () => {
  modbus = await startModbusServer(100);
  modbus.holding[0] = 42;
  const dir = await makeTempDir('query-safety-');
  const flowFile = join(dir, 'flow.json');
  writeFileSync(flowFile, JSON.stringify([
    { id: 'q-tab', type: 'tab', label: 'Query safety' },
    { id: 'q-dev', type: 'modbus-device', host: '127.0.0.1', port: modbus.port, unitId: 1, timeout: 1000, backoffInitial: 200, backoffMax: 1000 },
    { id: 'q-poll', type: 'modbus-poll', z: 'q-tab', device: 'q-dev', groups: [{ name: 'fast', period: '100ms' }],
      tags: [{ tag: POLL_TAG, register: 'holding', address: 0, type: 'int16' }], output: 'batch', topic: 'poll', wires: [['q-write']] },
    { id: 'q-write', type: 'historian-write', z: 'q-tab', store: 'q-store', logging: 'every', wires: [[]] },
    { id: 'q-store', type: 'historian-store', name: 'default', directory: 'tsdb/default', retentionDays: 0, blockHours: 2, fsync: 'interval', fsyncIntervalMs: 200 },
  ]));
  dist = await startDistribution({ dataDir: join(dir, 'data'), env: { HISTORIAN_DEMO_FLOW: flowFile } });
  token = await dist.login();
  // 20 tags, one sample per second over the last 10 minutes
  dataT0 = Math.floor((Date.now() - 600_000) / 1000) * 1000;
  const items = [];
  for (const tag of TAGS) for (let i = 0; i < 600; i++) items.push({ tag, timestamp: dataT0 + i * 1000, value: (i % 97) + TAGS.indexOf(tag) });
  const r = await dist.request('/api/v1/metrics', { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(items) });
  expect(r.status).toBe(202);
  expect((await json(r)).accepted).toBe(items.length);
  // the poll group is running and stored
  await waitFor(async () => (await json(await q({ kind: 'latest', tags: POLL_TAG }))).samples.length === 1, { what: 'first stored poll', timeoutMs: 20_000 });
}, 120_000);

afterAll(async () => {
  await dist?.stop();
  await modbus?.stop();
});

/** Poll slots missed in [from, to): gaps between stored polls beyond one period. */
async function missedPolls(from: number, to: number): Promise<{ polls: number; missed: number }> {
  const body = await json(await q({ kind: 'raw', tag: POLL_TAG, from: String(from), to: String(to) }));
  const ts: number[] = body.samples.map((s: { ts: number }) => s.ts);
  let missed = 0;
  for (let i = 1; i < ts.length; i++) missed += Math.max(0, Math.round((ts[i] - ts[i - 1]) / PERIOD) - 1);
  return { polls: ts.length, missed };
}

describe('no request can starve the process', () => {
  it('refuses the freezing query up front and runs the largest allowed one while polls and /health keep their timing', async () => {
    // the probe's query: 20 tags on a 1 ms grid over an hour; refused before any work
    const freezing = await q({ kind: 'aligned', tags: TAGS.join(','), from: 'now-1h', to: 'now', stepMs: '1' });
    expect(freezing.status).toBe(400);
    expect(await json(freezing)).toMatchObject({ error: 'bad_request', field: 'stepMs' });

    // the largest grid a request may have: 250,000 rows x 20 tags = 5,000,000 cells
    let healthMissed = 0, healthAnswered = 0, inFlight = false;
    const prober = setInterval(() => {
      if (inFlight) { healthMissed++; return; }
      inFlight = true;
      void fetch(`${dist.url}/health`).then((r) => { if (r.ok) healthAnswered++; }).finally(() => { inFlight = false; });
    }, PERIOD);
    const from = Date.now();
    let bytes = 0;
    let tail = '';
    try {
      const res = await q({ kind: 'aligned', tags: TAGS.join(','), from: String(dataT0), to: String(dataT0 + 250_000), stepMs: '1' });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
        tail = (tail + Buffer.from(value).toString()).slice(-300);
      }
    } finally {
      clearInterval(prober);
    }
    const to = Date.now();
    // the answer is complete, or says that its time budget ran out: never silently cut
    expect(tail.endsWith(']}') || /"error":\{"status":503,"code":"query_budget_exceeded"/.test(tail)).toBe(true);
    expect(bytes).toBeGreaterThan(1_000_000);
    // let the poll stored at the end of the window become readable
    await waitFor(async () => (await missedPolls(to, Date.now() + 1000)).polls > 0, { what: 'a poll after the query' });
    const { polls, missed } = await missedPolls(from, to);
    expect(polls).toBeGreaterThan(3);
    expect({ missed, healthMissed }).toEqual({ missed: 0, healthMissed: 0 });
    expect(healthAnswered).toBeGreaterThan(0);
  }, 120_000);
});

describe('errors before streaming: 400 naming the field', () => {
  it.each([
    ['from after to', { kind: 'raw', tag: TAGS[0], from: 'now', to: 'now-1h' }, 'to'],
    ['bucketMs=1 over years', { kind: 'aggregate', tag: TAGS[0], from: 'now-5y', to: 'now', bucketMs: '1' }, 'bucketMs'],
    ['stepMs=1 from 0', { kind: 'aligned', tags: TAGS[0], from: '0', to: 'now', stepMs: '1' }, 'stepMs'],
    ['aligned from after to', { kind: 'aligned', tags: TAGS[0], from: 'now', to: 'now-1h', stepMs: '1000' }, 'to'],
    ['relative time before 1970', { kind: 'raw', tag: TAGS[0], from: 'now-99999999999999y', to: 'now' }, 'from'],
    ['bad at=', { kind: 'at', tag: TAGS[0], at: 'now-99999999999999y' }, 'at'],
    ['timestamp in seconds', { kind: 'raw', tag: TAGS[0], from: String(Math.floor(Date.now() / 1000) - 3600), to: 'now' }, 'from'],
    ['raw limit above the cap', { kind: 'raw', tag: TAGS[0], from: 'now-1h', to: 'now', limit: '50000000' }, 'limit'],
  ])('%s', async (_what, params, field) => {
    const r = await q(params as Record<string, string>);
    expect(r.status).toBe(400);
    const body = await json(r);
    expect(body.field).toBe(field);
    expect(body.message).toMatch(new RegExp(`^${field}: `));
  });

  it('streams a large answer to a slow reader without piling up listeners', async () => {
    // a reader that takes one chunk at a time makes the server wait for "drain" many times
    await new Promise<void>((resolve, reject) => {
      const url = new URL(`/api/v1/query?${new URLSearchParams({ kind: 'aligned', tags: TAGS.slice(0, 4).join(','), from: String(dataT0), to: String(dataT0 + 600_000), stepMs: '2' })}`, dist.url);
      const req = http.get(url, { headers: { Authorization: `Bearer ${token}` } }, (res) => {
        expect(res.statusCode).toBe(200);
        let chunks = 0;
        res.on('data', () => {
          chunks++;
          res.pause();
          setImmediate(() => res.resume());
        });
        res.on('end', () => { expect(chunks).toBeGreaterThan(50); resolve(); });
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    expect(dist.proc.logs()).not.toMatch(/MaxListenersExceededWarning/);
  }, 60_000);
});

describe('long tag lists: POST /query', () => {
  const post = (body: unknown) => dist.request('/api/v1/query', { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('answers a list of 1000 long tag paths that no address can carry, as GET answers a short one', async () => {
    // ISA-95 paths of a real plant: 1000 of them make an address of ~90 kB, which the server refuses (431)
    const many = Array.from({ length: 1000 }, (_, i) => `acme.izmir.plant1.area2.line${i % 7}.cell${i % 11}.unit${i}.bearing_temperature`);
    const list = [...TAGS, ...many.slice(TAGS.length)];
    expect((await q({ kind: 'latest', tags: list.join(',') })).status).toBe(431);
    const r = await post({ kind: 'latest', tags: list });
    expect(r.status).toBe(200);
    const body = await json(r);
    // the stored ones answer, the others are simply absent
    expect(body.samples.map((x: { tag: string }) => x.tag).sort()).toEqual([...TAGS].sort());
    const short = await json(await q({ kind: 'latest', tags: TAGS.join(',') }));
    expect(body.samples.sort((a: { tag: string }, b: { tag: string }) => (a.tag < b.tag ? -1 : 1)))
      .toEqual(short.samples.sort((a: { tag: string }, b: { tag: string }) => (a.tag < b.tag ? -1 : 1)));
  });

  it('takes the same parameters as GET (numbers, relative times, tags as a list or a string)', async () => {
    const params = { kind: 'aligned', tags: TAGS.slice(0, 3).join(','), from: String(dataT0), to: String(dataT0 + 60_000), stepMs: '10000' };
    const viaGet = await json(await q(params));
    expect(await json(await post({ ...params, tags: TAGS.slice(0, 3), from: dataT0, to: dataT0 + 60_000, stepMs: 10_000 }))).toEqual(viaGet);
    expect(await json(await post(params))).toEqual(viaGet);
  });

  it('refuses what GET refuses, naming the field, and more than 1000 tags', async () => {
    const late = await post({ kind: 'raw', tag: TAGS[0], from: 'now', to: 'now-1h' });
    expect(late.status).toBe(400);
    expect((await json(late)).field).toBe('to');
    const over = await post({ kind: 'latest', tags: Array.from({ length: 1001 }, (_, i) => `acme.t.x${i}`) });
    expect(over.status).toBe(400);
    expect((await json(over)).field).toBe('tags');
    const bad = await post({ kind: 'nearest', tags: TAGS });
    expect(bad.status).toBe(400);
    expect((await json(bad)).field).toBe('kind');
    const notJson = await dist.request('/api/v1/query', { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: '{kind:' });
    expect(notJson.status).toBe(400);
  });
});

describe('one representation, relative times everywhere', () => {
  it('GET /tags/{tag} gives the latest quality by name, like /query', async () => {
    const tag = await json(await get(`/api/v1/tags/${TAGS[3]}`));
    expect(tag.latest).toMatchObject({ tag: TAGS[3], quality: 'GOOD' });
    const latest = await json(await q({ kind: 'latest', tags: TAGS[3] }));
    expect(latest.samples[0].quality).toBe(tag.latest.quality);
  });

  it('/calc/evaluate takes from=now-7d as the README shows', async () => {
    const r = await get(`/api/v1/calc/evaluate?${new URLSearchParams({ expression: `tag('${TAGS[1]}') * 2`, from: 'now-7d', to: 'now', stepMs: '60000' })}`);
    expect(r.status).toBe(200);
    const body = await json(r);
    expect(body.ts.length).toBeGreaterThan(10_000);
    expect(body.values.filter((v: number | null) => v !== null).length).toBeGreaterThan(0);
  });
});
