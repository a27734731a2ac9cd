// Load client of the peer benchmark, run as its own process so the server under test has
// the other core to itself:
//   node --import tsx peer-load.ts '<json: {target, url, token, dataset, end, batch, concurrency, timedSamples, warmupSamples?, format?, serverPid?}>'
// Sends a data set in batches of `batch` samples with `concurrency` requests in flight:
// to VictoriaMetrics' /api/v1/import as JSON lines, one line per series of the batch with
// its `values` and `timestamps` arrays; to Historian's POST /api/v1/metrics the same lines
// (`{tag, timestamps, values, qualities?}`, application/x-ndjson) with format `columnar`
// (the default), or a JSON array of one `{tag, value, timestamp}` object per sample with
// format `rows`. Samples go in time order
// (all tags of one time, then the next) as a collector sends them. The first
// `warmupSamples` are sent untimed before anything else, so the timed rate is a running
// server's, not a fresh process's still compiling its code and creating its series (both
// servers get the same warm-up). The next `timedSamples` are serialized before the clock
// starts, so the rate measures the server, not this client; the rest is streamed untimed.
// Prints one JSON line, with the CPU time
// the server process (all its threads, from /proc/<serverPid>/stat) and this client spent
// in the timed window: both share the machine's cores, so the rate also depends on what
// a sample costs the server, not only on how many threads it runs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dataSetByName } from './peer-datasets';

interface Args { target: 'ours' | 'vm'; url: string; token: string; dataset: string; end: number; batch: number; concurrency: number; timedSamples: number; warmupSamples?: number; format?: 'columnar' | 'rows'; serverPid?: number }

/** CPU seconds (user + system, every thread) a process has used, or null where /proc is not there. */
function processCpuS(pid: number, tick: number): number | null {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name, which may hold spaces: utime and stime are the 12th and 13th
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / tick;
  } catch {
    return null;
  }
}

function clockTick(): number {
  try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; } catch { return 100; }
}

const a = JSON.parse(process.argv[2]) as Args;

/**
 * Batches per worker: a tag always goes to the same worker, so the samples of one series
 * arrive in time order whatever the interleaving of concurrent requests (an engine may
 * reject samples far behind a series' newest one, as Historian does outside its
 * out-of-order window).
 */
function* batches(): Generator<{ worker: number; body: string; n: number }> {
  const C = a.concurrency;
  const bufs = Array.from({ length: C }, () => ({ tags: [] as string[], ts: [] as number[], vs: [] as number[], qs: [] as number[] }));
  const owner = new Map<string, number>();
  const body = (b: (typeof bufs)[number]) => (a.target === 'vm' ? vmBody(b.tags, b.ts, b.vs) : a.format === 'rows' ? oursBody(b.tags, b.ts, b.vs, b.qs) : oursLines(b.tags, b.ts, b.vs, b.qs));
  for (const r of dataSetByName(a.dataset, a.end).rows()) {
    let w = owner.get(r.tag);
    if (w === undefined) owner.set(r.tag, (w = owner.size % C));
    const b = bufs[w];
    b.tags.push(r.tag); b.ts.push(r.ts); b.vs.push(r.value); b.qs.push(r.quality);
    if (b.ts.length === a.batch) {
      yield { worker: w, body: body(b), n: b.ts.length };
      b.tags = []; b.ts = []; b.vs = []; b.qs = [];
    }
  }
  for (let w = 0; w < C; w++) if (bufs[w].ts.length) yield { worker: w, body: body(bufs[w]), n: bufs[w].ts.length };
}

function oursBody(tags: string[], ts: number[], vs: number[], qs: number[]): string {
  const parts: string[] = new Array(ts.length);
  for (let i = 0; i < ts.length; i++) {
    parts[i] = qs[i] ? `{"tag":"${tags[i]}","value":${vs[i]},"timestamp":${ts[i]},"quality":${qs[i]}}` : `{"tag":"${tags[i]}","value":${vs[i]},"timestamp":${ts[i]}}`;
  }
  return `[${parts.join(',')}]`;
}

/** Historian's columnar JSON lines: the VictoriaMetrics lines with `tag` for the name, and qualities where a series has any. */
function oursLines(tags: string[], ts: number[], vs: number[], qs: number[]): string {
  let out = '';
  for (const [tag, e] of bySeries(tags, ts, vs, qs)) {
    const q = e.q.some((x) => x !== 0) ? `,"qualities":[${e.q.join(',')}]` : '';
    out += `{"tag":"${tag}","values":[${e.v.join(',')}],"timestamps":[${e.t.join(',')}]${q}}\n`;
  }
  return out;
}

function bySeries(tags: string[], ts: number[], vs: number[], qs: number[]): Map<string, { t: number[]; v: number[]; q: number[] }> {
  const by = new Map<string, { t: number[]; v: number[]; q: number[] }>();
  for (let i = 0; i < ts.length; i++) {
    let e = by.get(tags[i]);
    if (!e) by.set(tags[i], (e = { t: [], v: [], q: [] }));
    e.t.push(ts[i]); e.v.push(vs[i]); e.q.push(qs[i]);
  }
  return by;
}

/** JSON lines, one per series of the batch (its samples in time order). */
function vmBody(tags: string[], ts: number[], vs: number[]): string {
  let out = '';
  for (const [tag, e] of bySeries(tags, ts, vs, ts)) out += `{"metric":{"__name__":"${tag}"},"values":[${e.v.join(',')}],"timestamps":[${e.t.join(',')}]}\n`;
  return out;
}

let retries = 0;

async function post(body: string): Promise<boolean> {
  const url = a.target === 'ours' ? `${a.url}/api/v1/metrics` : `${a.url}/api/v1/import`;
  const headers: Record<string, string> = { 'Content-Type': a.target === 'ours' && a.format !== 'rows' ? 'application/x-ndjson' : 'application/json' };
  if (a.token) headers.Authorization = `Bearer ${a.token}`;
  let res: Response | undefined;
  // a keep-alive connection the server is just closing resets the request: send it again
  for (let attempt = 1; !res; attempt++) {
    try { res = await fetch(url, { method: 'POST', headers, body }); } catch (e) {
      if (attempt >= 3) throw e;
      retries++;
    }
  }
  const text = await res.text();
  if (res.status !== 202 && res.status !== 204) { process.stderr.write(`HTTP ${res.status}: ${text.slice(0, 300)}\n`); return false; }
  if (a.target === 'ours' && !text.includes('"rejected":0')) { process.stderr.write(`rejected samples: ${text.slice(0, 300)}\n`); return false; }
  return true;
}

type Batch = { worker: number; body: string; n: number };

/** The next batches of the data set, at least `samples` of them (fewer at its end), in each worker's queue. */
function take(it: Generator<Batch>, samples: number): { queues: Batch[][]; n: number; done: boolean } {
  const queues: Batch[][] = Array.from({ length: a.concurrency }, () => []);
  let n = 0;
  while (n < samples) {
    const b = it.next();
    if (b.done) return { queues, n, done: true };
    queues[b.value.worker].push(b.value);
    n += b.value.n;
  }
  return { queues, n, done: false };
}

/** Sends each worker's queue in order, the workers side by side; counts failed requests. */
async function send(queues: Batch[][]): Promise<number> {
  let errors = 0;
  await Promise.all(queues.map(async (q) => { for (const b of q) if (!(await post(b.body))) errors++; }));
  return errors;
}

async function run(): Promise<void> {
  const it = batches();
  const C = a.concurrency;
  // the warm-up, then the timed batches (each worker keeps its tags, so every series stays in time order)
  const warm = take(it, a.warmupSamples ?? 0);
  let errors = 0;
  const w0 = performance.now();
  errors += await send(warm.queues);
  const warmupSeconds = (performance.now() - w0) / 1000;
  const { queues, n: timed, done } = warm.done ? { queues: [], n: 0, done: true } : take(it, a.timedSamples);
  const tick = clockTick();
  const server0 = a.serverPid ? processCpuS(a.serverPid, tick) : null;
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  errors += await send(queues);
  const seconds = (performance.now() - t0) / 1000;
  const server1 = a.serverPid ? processCpuS(a.serverPid, tick) : null;
  const client = process.cpuUsage(client0);
  const serverCpuS = server0 !== null && server1 !== null ? server1 - server0 : null;
  const clientCpuS = (client.user + client.system) / 1e6;
  queues.forEach((q) => { q.length = 0; });
  // the rest, untimed: each worker's requests stay in order, at most two bodies waiting per worker
  let sent = 0;
  const chains: Array<Promise<void>> = Array.from({ length: C }, () => Promise.resolve());
  const pending = new Array<number>(C).fill(0);
  if (!done) {
    for (let b = it.next(); !b.done; b = it.next()) {
      const { worker, body, n } = b.value;
      sent += n;
      if (pending[worker] >= 2) await chains[worker];
      pending[worker]++;
      chains[worker] = chains[worker].then(async () => { if (!(await post(body))) errors++; pending[worker]--; });
    }
  }
  await Promise.all(chains);
  console.log(JSON.stringify({ warmupSamples: warm.n, warmupSeconds, timedSamples: timed, seconds, total: warm.n + timed + sent, errors, retries, serverCpuS, clientCpuS }));
}

run().catch((e) => { console.error(e); process.exit(1); });
