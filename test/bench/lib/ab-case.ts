// One measurement of one benchmark case against the code of a given checkout, for paired
// before/after comparisons (scripts/bench-ab.js runs it alternately on two checkouts):
//   node --import tsx test/bench/lib/ab-case.ts <checkout root> <case>
// Cases (each a subset of a registered benchmark, measured the same way):
//   tsdb-ingest  bench:tsdb's engine ingest (fsync interval, 1,000 tags, batches of 10,000,
//                one writer), 2,000,000 samples -> samples/s
//   head-append  the head alone (runtime/tsdb/head.ts), due for its cut so every chunk stays
//                raw as in a backfill: 3,000,000 samples over 36 and over 1,000 series, in
//                runs of 10 per series as batches deliver them -> samples/s, head bytes
//   ingest-parse the HTTP ingest body's parse (runtime/ingest: splitItems + parseIngestEntries)
//                on JSON lines as the peer benchmark sends them, from the body's bytes (a
//                checkout without series-line.ts took the body as text: its decoding is
//                counted): 36 tags x 278 samples at 2 decimals, 1,000 tags x 10, and 40 tags x
//                250 with one value in ten a float artefact of 16-17 digits -> ns of CPU per sample
//   http         bench:http's ingest (the same load client: 8 connections, 1,000-sample
//                batches, 8 s) against <root>/dist, started with the demo's store and no
//                simulated plant (so the server's CPU time is the requests') -> samples/s; then GET /api/v1/query
//                (raw, 1,000 samples of one tag) and a query refused with 400 (bad field),
//                each back to back for 4 s -> requests/s
//   http-small   the same server, 4 clients POSTing JSON lines of 10 tags x 10 samples back
//                to back for 6 s: what a request itself costs -> requests/s, server CPU per request
//   head-cut     a head cut into blocks (store.flush()): 3,000,000 samples of 10 one-minute
//                tags (a backfill: week blocks) and of 10,000 tags x 300 s at 1 Hz (a gateway's
//                head), written first, then cut -> per sample: wall time, the main thread's
//                busy time (event-loop utilisation) and the process's CPU (all threads); the
//                longest the event loop went without a turn (a 5 ms timer's lateness)
// Data directories go under $AB_TMP when set (e.g. /dev/shm: a tmpfs takes the disk's fsync
// stalls out of the figures, leaving the code's own cost), else the system temp directory.
// Besides the rates, each case reports CPU time per unit of work (this process's for the
// engine, the server process's for HTTP, from /proc): on a shared machine whose load swings,
// waiting for a core changes the rates a lot and the CPU time a unit of work costs far less.
// Prints one JSON line: {"case", "metrics": {name: value}}.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Sample } from '../../../runtime/model';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { steadyTags } from './datasets';
import { createUser } from '../../helpers/signing';

const [rootArg, which] = process.argv.slice(2);
if (!rootArg || !which) {
  console.error('usage: ab-case.ts <checkout root> <tsdb-ingest|head-append|ingest-parse|http|http-small|head-cut>');
  process.exit(2);
}
const root = path.resolve(rootArg);
const tmpRoot = process.env.AB_TMP || os.tmpdir();

interface StoreLike { write(s: Sample[]): Promise<unknown>; flush(): Promise<unknown>; close(): Promise<unknown> }

async function tsdbIngest(): Promise<Record<string, number>> {
  // the checkout's own engine, loaded from its sources
  const { TsdbStore } = (await import(path.join(root, 'runtime', 'tsdb', 'store.ts'))) as { TsdbStore: { open(o: object): Promise<StoreLike> } };
  const dir = fs.mkdtempSync(path.join(tmpRoot, 'ab-tsdb-'));
  const total = 2_000_000;
  const tags = 1000;
  const batch = 10_000;
  try {
    const store = await TsdbStore.open({ dir, fsync: 'interval', maxHeadSamples: 50_000_000 });
    const names = Array.from({ length: tags }, (_, i) => `plant.area${i % 10}.unit${i}.pv`);
    const b: Sample[] = Array.from({ length: batch }, (_, i) => ({ tag: names[i % tags], ts: 0, value: 0, quality: 0 }));
    let ts = Date.now() - 3_600_000;
    let written = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    while (written < total) {
      for (let i = 0; i < b.length; i++) { const s = b[i]; if (i % tags === 0) ts++; s.ts = ts; s.value = Math.round(i * 7.3 + ts) % 1000 / 10; }
      written += b.length;
      await store.write(b);
    }
    const secs = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await store.flush();
    await store.close();
    return { 'tsdb.ingest.samples_per_s': written / secs, 'tsdb.ingest.cpu_us_per_1000_samples': ((cpu.user + cpu.system) / written) * 1000 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface ColumnStore extends StoreLike {
  writeColumns(c: { length: number; tag: string[]; ts: Float64Array; value: Float64Array; quality: Uint16Array }): Promise<unknown>;
}

async function headCut(): Promise<Record<string, number>> {
  const { TsdbStore } = (await import(path.join(root, 'runtime', 'tsdb', 'store.ts'))) as { TsdbStore: { open(o: object): Promise<ColumnStore> } };
  const out: Record<string, number> = {};
  const end = Date.UTC(2026, 0, 1);
  for (const [name, tags, step, seconds] of [['backfill', 10, 60_000, 300_000 * 60], ['gateway', 10_000, 1000, 300]] as const) {
    const ds = steadyTags(`ab${name}`, name, tags, step, seconds * 1000, end, 3);
    const dir = fs.mkdtempSync(path.join(tmpRoot, 'ab-cut-'));
    try {
      const store = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, maxHeadSamples: 50_000_000, fsync: 'interval' });
      const B = 10_000;
      let c = { length: 0, tag: [] as string[], ts: new Float64Array(B), value: new Float64Array(B), quality: new Uint16Array(B) };
      let n = 0;
      for (const r of ds.rows()) {
        c.tag.push(r.tag); c.ts[c.length] = r.ts; c.value[c.length] = r.value; c.length++;
        if (c.length === B) { await store.writeColumns(c); n += B; c = { length: 0, tag: [], ts: new Float64Array(B), value: new Float64Array(B), quality: new Uint16Array(B) }; }
      }
      let last = performance.now(), stall = 0;
      const timer = setInterval(() => { const now = performance.now(); stall = Math.max(stall, now - last); last = now; }, 5);
      const elu0 = performance.eventLoopUtilization();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      last = t0;
      await store.flush();
      const wall = performance.now() - t0;
      clearInterval(timer);
      stall = Math.max(stall, performance.now() - last);
      const cpu = process.cpuUsage(cpu0);
      const busy = performance.eventLoopUtilization(elu0).active;
      await store.close();
      out[`cut.${name}.wall_ns_per_sample`] = (wall * 1e6) / n;
      // a cut that never gives the loop a turn is all busy time, though utilisation sees none of it
      out[`cut.${name}.main_thread_ns_per_sample`] = (Math.max(busy, stall >= wall - 1 ? wall : 0) * 1e6) / n;
      out[`cut.${name}.cpu_ns_per_sample`] = ((cpu.user + cpu.system) * 1000) / n;
      out[`cut.${name}.longest_stall_ms`] = stall;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

interface HeadLike { markDue(): void; bytes(): number; getOrCreate(tag: string): { append(t: number, v: number, q: number): void } }

async function headAppend(): Promise<Record<string, number>> {
  const { Head } = (await import(path.join(root, 'runtime', 'tsdb', 'head.ts'))) as { Head: new (base: number, now: number, chunk: number, raw: number, rawDue: number) => HeadLike };
  const total = 3_000_000;
  const out: Record<string, number> = {};
  for (const seriesCount of [36, 1000]) {
    const per = Math.floor(total / seriesCount / 10) * 10;
    let best = 0, bytes = 0;
    // the best of three: the first warms the JIT up
    for (let rep = 0; rep < 3; rep++) {
      const h = new Head(1e12, 0, 128, 32 << 20, 128 << 20);
      h.markDue();
      const series = Array.from({ length: seriesCount }, (_, k) => h.getOrCreate(`ab.s${k}`));
      const t0 = performance.now();
      for (let i = 0; i < per; i += 10) {
        for (const s of series) for (let j = i; j < i + 10; j++) s.append(1.7e12 + j * 1000, (j % 977) / 100, 0);
      }
      best = Math.max(best, (per * seriesCount) / ((performance.now() - t0) / 1000));
      bytes = h.bytes();
    }
    out[`head.append_${seriesCount}.samples_per_s`] = best;
    out[`head.append_${seriesCount}.bytes_per_sample`] = bytes / (per * seriesCount);
  }
  return out;
}

type SplitItems = (body: string | Uint8Array, framing: 'lines', errors: unknown[]) => unknown[];
type ParseEntries = (items: readonly unknown[], now: number, errors: unknown[]) => unknown[];

async function ingestParse(): Promise<Record<string, number>> {
  const { splitItems, parseIngestEntries } = (await import(path.join(root, 'runtime', 'ingest', 'ingest-body.ts'))) as { splitItems: SplitItems; parseIngestEntries: ParseEntries };
  const fromBytes = fs.existsSync(path.join(root, 'runtime', 'ingest', 'series-line.ts'));
  const t0 = 1_764_000_000_000;
  // deterministic values: a sine at 2 decimals, or the float32 rounding of it printed in full
  const value = (k: number, i: number, artefacts: boolean) => {
    const v = Math.round((50 + 20 * Math.sin(i / 37 + k)) * 100) / 100;
    return artefacts && i % 10 === 0 ? String(Math.fround(v)) : String(v);
  };
  const out: Record<string, number> = {};
  for (const [name, tags, per, artefacts] of [['plant', 36, 278, false], ['slow', 1000, 10, false], ['artefacts', 40, 250, true]] as const) {
    const bodies = Array.from({ length: 20 }, (_, b) => {
      let text = '';
      for (let k = 0; k < tags; k++) {
        const ts = Array.from({ length: per }, (_, i) => t0 + (b * per + i) * 1000);
        text += `{"tag":"ab.${name}.t${k}","values":[${ts.map((_, i) => value(k, b * per + i, artefacts)).join(',')}],"timestamps":[${ts.join(',')}]}\n`;
      }
      return Buffer.from(text);
    });
    let best = Infinity;
    // the best of five rounds over the 20 bodies: the first warms the JIT up
    for (let rep = 0; rep < 5; rep++) {
      const cpu0 = process.cpuUsage();
      let n = 0;
      for (const body of bodies) {
        const errors: unknown[] = [];
        const items = splitItems(fromBytes ? body : body.toString(), 'lines', errors);
        n += parseIngestEntries(items, t0, errors).length;
        if (errors.length) throw new Error(`ingest-parse ${name}: ${JSON.stringify(errors[0])}`);
      }
      if (n !== bodies.length * tags) throw new Error(`ingest-parse ${name}: ${n} entries of ${bodies.length * tags}`);
      const cpu = process.cpuUsage(cpu0);
      best = Math.min(best, ((cpu.user + cpu.system) * 1000) / (bodies.length * tags * per));
    }
    out[`ingest.parse_${name}.cpu_ns_per_sample`] = best;
  }
  return out;
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc). */
function cpuMsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second)
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Requests per second of `fn`, back to back for `ms`, and how many it made. */
async function rate(ms: number, fn: () => Promise<void>): Promise<{ perSecond: number; n: number }> {
  const end = performance.now() + ms;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < end) { await fn(); n++; }
  return { perSecond: n / ((performance.now() - t0) / 1000), n };
}

/** The checkout's distribution with the demo's store alone (as in flows/demo-plant.json, without the simulated plant, so the server's CPU time is the requests'), and an ingest token. */
async function withServer<T>(fn: (d: Distribution, tokens: { admin: string; token: string }) => Promise<T>): Promise<T> {
  const dataDir = process.env.AB_TMP ? fs.mkdtempSync(path.join(tmpRoot, 'ab-dist-')) : undefined;
  const flowFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ab-flow-')), 'store-only.json');
  fs.writeFileSync(flowFile, JSON.stringify([
    { id: 'ab-tab', type: 'tab', label: 'Store', disabled: false, info: '' },
    { id: 'ab-store', type: 'historian-store', name: 'default', directory: 'tsdb/default', retentionDays: 0, blockHours: 2, fsync: 'interval', fsyncIntervalMs: 200, outOfOrderMinutes: 60 },
  ]));
  const d = await startDistribution({ entry: path.join(root, 'dist', 'runtime', 'server', 'main.js'), cwd: root, dataDir, env: { HISTORIAN_INGEST_RATE: '100000000', HISTORIAN_DEMO_FLOW: flowFile } });
  try {
    const admin = await d.login();
    await createUser(d, admin, { username: 'bench', name: 'Bench client', role: 'SERVICE' });
    const mk = await d.request('/api/v1/tokens', { method: 'POST', token: admin, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user: 'bench', scopes: ['ingest'] }) });
    const { token } = (await mk.json()) as { token: string };
    return await fn(d, { admin, token });
  } finally {
    await d.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(path.dirname(flowFile), { recursive: true, force: true });
  }
}

async function http(): Promise<Record<string, number>> {
  return withServer(async (d, { admin, token }) => {
    const pid = d.proc.pid!;
    const c0 = cpuMsOf(pid);
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'http-load.ts'), `${d.url}/api/v1/metrics`, token, '8', '8', '1000', 'existing'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const load = JSON.parse(r.stdout.trim().split('\n').pop()!) as { samples: number; seconds: number; errors: number };
    const ingestCpuMs = cpuMsOf(pid) - c0;
    // failed requests (resets under load) are counted, as bench:http counts them
    // http-load writes from a day back, 1 ms per sample
    const from = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const to = new Date().toISOString();
    const ok = `/api/v1/query?kind=raw&tag=bench.http.w0.t0&from=${from}&to=${to}&limit=1000`;
    const bad = `/api/v1/query?kind=raw&tag=bench.http.w0.t0&from=${to}&to=${from}&limit=1000`;
    // a pooled connection may be one the server closed as idle (keep-alive timeout, long
    // pauses on a loaded machine): GETs are safe to retry; a few tries, then the error
    const get = async (p: string) => {
      for (let attempt = 1; ; attempt++) {
        try { return await d.request(p, { token: admin }); } catch (e) { if (attempt >= 3) throw e; }
      }
    };
    const first = await get(ok);
    const body = (await first.json()) as unknown;
    if (first.status !== 200) throw new Error(`query answered ${first.status}: ${JSON.stringify(body)}`);
    const refused = await get(bad);
    if (refused.status !== 400) throw new Error(`bad query answered ${refused.status}`);
    await refused.arrayBuffer();
    const c1 = cpuMsOf(pid);
    const q = await rate(4000, async () => { const res = await get(ok); await res.arrayBuffer(); });
    const c2 = cpuMsOf(pid);
    const q400 = await rate(4000, async () => { const res = await get(bad); await res.arrayBuffer(); });
    const c3 = cpuMsOf(pid);
    return {
      'http.ingest.samples_per_s': load.samples / load.seconds, 'http.ingest.failed_requests': load.errors,
      'http.ingest.server_cpu_ms_per_1000_samples': (ingestCpuMs / load.samples) * 1000,
      'http.query_raw_1000.requests_per_s': q.perSecond, 'http.query_raw_1000.server_cpu_ms_per_request': (c2 - c1) / q.n,
      'http.query_400.requests_per_s': q400.perSecond, 'http.query_400.server_cpu_ms_per_request': (c3 - c2) / q400.n,
    };
  });
}

/**
 * Small columnar requests, where the cost of a request itself (authentication, routing, the
 * answer) outweighs its samples: 4 clients in this process, each POSTing JSON lines of 10
 * tags x 10 samples back to back for 6 s -> requests/s and server CPU µs per request.
 */
async function httpSmall(): Promise<Record<string, number>> {
  return withServer(async (d, { token }) => {
    const pid = d.proc.pid!;
    const url = `${d.url}/api/v1/metrics`;
    const headers = { 'Content-Type': 'application/x-ndjson', Authorization: `Bearer ${token}` };
    const start = Date.now() - 86_400_000;
    let n = 0;
    // each client's next batch: its series stay in time order across warm-up and timed run
    const next = [0, 0, 0, 0];
    const worker = async (w: number, until: number) => {
      for (let k = next[w]; performance.now() < until; k = ++next[w]) {
        let body = '';
        for (let t = 0; t < 10; t++) {
          const ts = Array.from({ length: 10 }, (_, i) => start + (k * 10 + i) * 1000);
          body += `{"tag":"bench.small.w${w}.t${t}","timestamps":[${ts.join(',')}],"values":[${ts.map((x, i) => ((x / 1000 + i * 7) % 1000) / 10).join(',')}]}\n`;
        }
        const res = await fetch(url, { method: 'POST', headers, body });
        const text = await res.text();
        if (res.status !== 202 || !text.includes('"rejected":0')) throw new Error(`ingest answered ${res.status}: ${text.slice(0, 300)}`);
        n++;
      }
    };
    // a warm-up, then the timed run
    await Promise.all([0, 1, 2, 3].map((w) => worker(w, performance.now() + 1000)));
    n = 0;
    const c0 = cpuMsOf(pid);
    const t0 = performance.now();
    await Promise.all([0, 1, 2, 3].map((w) => worker(w, t0 + 6000)));
    const seconds = (performance.now() - t0) / 1000;
    return { 'http_small.requests_per_s': n / seconds, 'http_small.server_cpu_us_per_request': ((cpuMsOf(pid) - c0) / n) * 1000 };
  });
}

const cases: Record<string, () => Promise<Record<string, number>>> = { 'tsdb-ingest': tsdbIngest, 'head-append': headAppend, 'ingest-parse': ingestParse, http, 'http-small': httpSmall, 'head-cut': headCut };
const run = cases[which];
if (!run) {
  console.error(`unknown case "${which}"; cases: ${Object.keys(cases).join(', ')}`);
  process.exit(2);
}
run().then((metrics) => console.log(JSON.stringify({ case: which, metrics })), (e) => { console.error(e); process.exit(1); });
