import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { parsePrometheusText } from '../../helpers/prometheus-text';
import { waitFor } from '../../helpers/wait';

let dist: Distribution;
let token: string;
beforeAll(async () => {
  dist = await startDistribution();
  token = await dist.login();
});
afterAll(async () => { await dist?.stop(); });

async function scrape() {
  const res = await dist.request('/metrics', { token });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

describe('GET /metrics', () => {
  it('is valid Prometheus text with process metrics and Node-RED message counters that grow', async () => {
    const fams = await scrape();
    for (const name of ['historian_process_cpu_user_seconds_total', 'historian_process_resident_memory_bytes', 'historian_nodejs_eventloop_lag_seconds']) {
      expect(fams.get(name), name).toBeDefined();
    }
    const count = async () => {
      const f = (await scrape()).get('historian_nodered_messages_total');
      return f?.samples.find((s) => s.labels.type === 'plant-sim')?.value ?? 0;
    };
    // the demo simulator writes its history first, then emits live messages
    const first = await waitFor(count, { what: 'plant-sim messages counted', timeoutMs: 60_000 });
    await waitFor(async () => (await count()) > first, { what: 'the counter to grow', timeoutMs: 10_000 });
    const live = (await scrape()).get('historian_live_published_samples_total');
    expect(live?.samples[0].value).toBeGreaterThan(0);
  });

  it('needs a bearer token, unlike /health and /ready', async () => {
    expect((await dist.request('/metrics')).status).toBe(401);
    expect((await dist.request('/health')).status).toBe(200);
    expect((await dist.request('/ready')).status).toBe(200);
  });
});
