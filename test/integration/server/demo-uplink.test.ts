// The default Uplink flow against a real nats-server -js: a gateway started with only
// HISTORIAN_NATS_URL forwards the demo plant's samples, and a central Historian in a second
// process (nats-ingest → its own store) stores each of them exactly once. The central flow
// also appends every batch nats-ingest stored to a JSON-lines file, so a duplicate would be
// seen even though the store itself keeps one value per (tag, ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { startNats, type NatsServer } from '../../helpers/nats';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';

const PUMP = 'acme.izmir.plant1.line1.cell1.pump1';
let nats: NatsServer;
let gateway: Distribution;
let central: Distribution;
let dir: string;

function centralFlow(url: string, arrivals: string): unknown[] {
  return [
    { id: 'c-tab', type: 'tab', label: 'Central' },
    { id: 'c-store', type: 'historian-store', name: 'central', directory: 'tsdb/central', fsync: 'interval', fsyncIntervalMs: 200, blockHours: 2, outOfOrderMinutes: 60 },
    { id: 'c-ingest', type: 'nats-ingest', z: 'c-tab', name: 'from gateways', store: 'c-store', url, stream: 'HISTORIAN', streamSubjects: 'hist.>', createStream: true,
      duplicateWindowS: 120, durable: 'historian-ingest', ackWaitS: 30, batch: 1000, dedupWindowH: 24, output: true, wires: [['c-arrivals']] },
    { id: 'c-arrivals', type: 'file', z: 'c-tab', name: 'arrivals', filename: arrivals, filenameType: 'str', appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'utf8', wires: [[]] },
  ];
}

async function raw(d: Distribution, token: string, tag: string, from: number, to: number): Promise<Array<{ ts: number; value: number }>> {
  const q = new URLSearchParams({ kind: 'raw', tag, from: String(from), to: String(to), limit: '100000' });
  const r = await d.request(`/api/v1/query?${q}`, { token });
  if (r.status !== 200) throw new Error(`query ${tag}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { samples: Array<{ ts: number; value: number }> }).samples.map((s) => ({ ts: s.ts, value: s.value }));
}

beforeAll(async () => {
  dir = await makeTempDir('demo-uplink-');
  nats = await startNats();
  const flowFile = join(dir, 'central-flow.json');
  writeFileSync(flowFile, JSON.stringify(centralFlow(nats.url, join(dir, 'arrivals.jsonl'))));
  [gateway, central] = await Promise.all([
    startDistribution({ env: { HISTORIAN_NATS_URL: nats.url } }),
    startDistribution({ env: { HISTORIAN_DEMO_FLOW: flowFile } }),
  ]);
});

afterAll(async () => {
  await Promise.all([gateway?.stop(), central?.stop()]);
  await nats?.dispose();
  if (dir) await removeTempDir(dir);
});

describe('default Uplink flow with HISTORIAN_NATS_URL', () => {
  it('forwards the demo plant\'s live samples to a central Historian, each stored exactly once', async () => {
    const [gt, ct] = await Promise.all([gateway.login(), central.login()]);
    // a window of live samples the gateway has stored (after its history backfill)
    const first = await waitFor(async () => (await raw(central, ct, `${PUMP}.flow`, Date.now() - 60_000, Date.now()))[0], { timeoutMs: 60_000, what: 'the first forwarded sample at the central store' });
    const from = first.ts;
    await waitFor(async () => (await raw(gateway, gt, `${PUMP}.flow`, from, Date.now())).length >= 15, { timeoutMs: 30_000, what: '15 s of live samples' });
    const to = Date.now() - 3000;
    const tags = [`${PUMP}.flow`, `${PUMP}.temperature`, `${PUMP}.total`, 'acme.izmir.plant1.line2.cell1.pump3.pressure'];
    for (const tag of tags) {
      const sent = await raw(gateway, gt, tag, from, to);
      expect(sent.length, tag).toBeGreaterThan(5);
      const got = await waitFor(async () => {
        const c = await raw(central, ct, tag, from, to);
        return c.length >= sent.length ? c : null;
      }, { timeoutMs: 30_000, what: `central has caught up on ${tag}` });
      expect(got, tag).toEqual(sent);
    }
    // every (tag, ts) of the window arrived once, not twice
    const seen = new Map<string, number>();
    for (const line of readFileSync(join(dir, 'arrivals.jsonl'), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      for (const s of JSON.parse(line) as Array<{ tag: string; ts: number }>) {
        if (s.ts < from || s.ts >= to) continue;
        const k = `${s.tag}@${s.ts}`;
        seen.set(k, (seen.get(k) ?? 0) + 1);
      }
    }
    expect(seen.size).toBeGreaterThan(tags.length * 5);
    expect([...seen.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    // the buffer reports the uplink connected
    const buffers = await (await gateway.request('/api/v1/buffers', { token: gt })).json() as { buffers: Array<{ name: string; connected: boolean }> };
    expect(buffers.buffers.find((b) => b.name === 'nats-uplink')).toMatchObject({ connected: true });
    expect(buffers.buffers.find((b) => b.name === 'mqtt-uplink')).toBeUndefined();
    expect(gateway.proc.logs()).not.toMatch(/\[error\]/);
  });
});
