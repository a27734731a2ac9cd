// HTTP ingest throughput (bulk requests of 1,000 samples from a second process) and
// login latency, against the real distribution; baseline: the same client against a
// server that only parses JSON. Cardinality (issue 26), same run: the ingest rate of
// existing tags while a second client floods new tags (default limits on) against the
// rate without the flood; and, on a second distribution with the limits off, the server's
// RSS after 100,000 distinct tags and the existing-tag rate under an unlimited flood.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startDistribution, type Distribution } from '../helpers/distribution';
import { createUser } from '../helpers/signing';
import { metric, writeReport, type Metric } from './lib/report';

const SECONDS = 10;
type Load = { samples: number; seconds: number; errors: number; accepted: number };
const rate = (l: Load) => l.samples / l.seconds;
const loadArgs = (url: string, token: string, mode: string, concurrency = 8) =>
  ['--import', 'tsx', join(__dirname, 'lib', 'http-load.ts'), url, token, String(SECONDS), String(concurrency), '1000', mode];
const parse = (out: string) => JSON.parse(out.trim().split('\n').pop()!) as Load;
const load = (url: string, token: string, mode = 'existing') => {
  const r = spawnSync(process.execPath, loadArgs(url, token, mode), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return parse(r.stdout);
};
/** The flood runs in its own process for the same time as the measured load. */
function startFlood(url: string, token: string): { child: ChildProcess; done: Promise<Load> } {
  const child = spawn(process.execPath, loadArgs(url, token, 'new', 2), { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  return { child, done: new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(parse(out)) : reject(new Error(`flood exited ${code}`))))) };
}
/** Existing-tag rate with a flood of new tags running beside it. */
async function loadDuringFlood(d: Distribution, token: string, floodToken: string): Promise<{ existing: Load; flood: Load }> {
  const flood = startFlood(`${d.url}/api/v1/metrics`, floodToken);
  const existing = load(`${d.url}/api/v1/metrics`, token);
  return { existing, flood: await flood.done };
}

/**
 * A request from the bench process itself. After a 10 s load its pooled connection may be
 * one the server closed as idle (keep-alive timeout); that shows as "other side closed"
 * before the server read anything, so one retry is safe.
 */
async function request(d: Distribution, path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  try { return await d.request(path, init); } catch { return d.request(path, init); }
}

async function tokens(d: Distribution): Promise<{ admin: string; token: string; floodToken: string }> {
  const admin = await d.login();
  const post = (path: string, body: unknown) => request(d, path, { method: 'POST', token: admin, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  await createUser(d, admin, { username: 'bench', name: 'Bench client', role: 'SERVICE' });
  const mk = async () => ((await (await post('/api/v1/tokens', { user: 'bench', scopes: ['ingest'] })).json()) as { token: string }).token;
  return { admin, token: await mk(), floodToken: await mk() };
}

async function rss(d: Distribution, admin: string): Promise<number> {
  const h = (await (await request(d, '/api/v1/system/health', { token: admin })).json()) as { process: { rssBytes: number } };
  return h.process.rssBytes;
}

async function main(): Promise<void> {
  const metrics: Metric[] = [];
  const dist = await startDistribution({ env: { HISTORIAN_INGEST_RATE: '100000000' } });
  try {
    const { token, floodToken } = await tokens(dist);
    const logins: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      await dist.login();
      logins.push(performance.now() - t);
    }
    logins.sort((a, b) => a - b);

    const ours = load(`${dist.url}/api/v1/metrics`, token);
    const sink = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'lib', 'http-sink.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve) => sink.stdout!.once('data', (d) => resolve(JSON.parse(String(d)).port)));
    const base = load(`http://127.0.0.1:${port}/`, token);
    sink.kill();
    if (ours.errors) console.log(`  (${ours.errors} failed requests)`);
    metrics.push(
      metric('ingest_http.samples_per_s', rate(ours), 'samples/s', 'higher', null, { name: 'JSON-parsing sink, same client', value: rate(base) }),
      metric('login.p50_ms', logins[Math.floor(logins.length / 2)], 'ms', 'lower', null, null),
    );
    // default limits: the flood is refused above the per-token/per-store new-tag rates
    const limited = await loadDuringFlood(dist, token, floodToken);
    console.log(`  limits on: flood sent ${limited.flood.samples} new-tag samples, ${limited.flood.accepted} accepted; existing-tag errors ${limited.existing.errors}`);
    metrics.push(
      metric('ingest_http.existing_tags_during_flood_limits_on.samples_per_s', rate(limited.existing), 'samples/s', 'higher', null, { name: 'same client, no flood', value: rate(ours) }),
      metric('flood.new_tags_accepted_limits_on', limited.flood.accepted, 'tags', 'lower', null, { name: 'new-tag samples sent', value: limited.flood.samples }),
    );
  } finally {
    await dist.stop();
  }

  // limits off: what 100,000 distinct tags cost, and what an unlimited flood does to the others
  const open = await startDistribution({
    env: { HISTORIAN_INGEST_RATE: '100000000', HISTORIAN_MAX_TAGS: '0', HISTORIAN_MAX_NEW_TAGS_PER_MINUTE: '0', HISTORIAN_MAX_NEW_TAGS_PER_TOKEN_PER_MINUTE: '0', HISTORIAN_MAX_TAGS_PER_TOKEN: '0' },
  });
  try {
    const { admin, token, floodToken } = await tokens(open);
    const quiet = load(`${open.url}/api/v1/metrics`, token);
    const before = await rss(open, admin);
    const TAGS = 100_000;
    const now = Date.now();
    for (let i = 0; i < TAGS; i += 10_000) {
      const body = Array.from({ length: 10_000 }, (_, k) => ({ tag: `bench.card.d${i + k}.v`, value: k, timestamp: now }));
      const r = await request(open, '/api/v1/metrics', { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const out = (await r.json()) as { accepted: number };
      if (out.accepted !== 10_000) throw new Error(`distinct-tag load: ${JSON.stringify(out).slice(0, 300)}`);
    }
    const after = await rss(open, admin);
    console.log(`  RSS ${(before / 1_048_576).toFixed(0)} MB before, ${(after / 1_048_576).toFixed(0)} MB after ${TAGS} distinct tags`);
    const unlimited = await loadDuringFlood(open, token, floodToken);
    console.log(`  limits off: flood sent ${unlimited.flood.samples}, ${unlimited.flood.accepted} accepted`);
    metrics.push(
      metric('rss_after_100k_distinct_tags_mb', after / 1_048_576, 'MB', 'lower', null, { name: 'RSS before them', value: before / 1_048_576 }),
      metric('rss_per_distinct_tag_bytes', Math.max(0, after - before) / TAGS, 'bytes', 'lower', null, null),
      metric('ingest_http.existing_tags_during_flood_limits_off.samples_per_s', rate(unlimited.existing), 'samples/s', 'higher', null, { name: 'same client, no flood (this server)', value: rate(quiet) }),
    );
  } catch (e) {
    console.error(`server output:\n${open.proc.logs().slice(-4000)}`);
    throw e;
  } finally {
    await open.stop();
  }
  writeReport('http', metrics);
}
main().catch((e) => { console.error(e); process.exit(1); });
