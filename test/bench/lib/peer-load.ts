// Load client of the peer benchmark, run as its own process so the server under test has
// the other core to itself:
//   node --import tsx peer-load.ts '<json: {target, url, token, dataset, end, batch, concurrency, timedSamples}>'
// Sends a data set in batches of `batch` samples with `concurrency` requests in flight:
// to Historian's POST /api/v1/metrics (a JSON array of {tag, value, timestamp}) or to
// VictoriaMetrics' /api/v1/import (JSON lines, one per series in the batch), in time order
// (all tags of one time, then the next) as a collector sends them. The first
// `timedSamples` are serialized before the clock starts, so the rate measures the server,
// not this client; the rest is streamed untimed. Prints one JSON line.
import { dataSetByName } from './peer-datasets';

interface Args { target: 'ours' | 'vm'; url: string; token: string; dataset: string; end: number; batch: number; concurrency: number; timedSamples: number }

const a = JSON.parse(process.argv[2]) as Args;

function* batches(): Generator<{ body: string; n: number }> {
  let tags: string[] = [], ts: number[] = [], vs: number[] = [], qs: number[] = [];
  for (const r of dataSetByName(a.dataset, a.end).rows()) {
    tags.push(r.tag); ts.push(r.ts); vs.push(r.value); qs.push(r.quality);
    if (ts.length === a.batch) {
      yield { body: a.target === 'ours' ? oursBody(tags, ts, vs, qs) : vmBody(tags, ts, vs), n: ts.length };
      tags = []; ts = []; vs = []; qs = [];
    }
  }
  if (ts.length) yield { body: a.target === 'ours' ? oursBody(tags, ts, vs, qs) : vmBody(tags, ts, vs), n: ts.length };
}

function oursBody(tags: string[], ts: number[], vs: number[], qs: number[]): string {
  const parts: string[] = new Array(ts.length);
  for (let i = 0; i < ts.length; i++) {
    parts[i] = qs[i] ? `{"tag":"${tags[i]}","value":${vs[i]},"timestamp":${ts[i]},"quality":${qs[i]}}` : `{"tag":"${tags[i]}","value":${vs[i]},"timestamp":${ts[i]}}`;
  }
  return `[${parts.join(',')}]`;
}

/** JSON lines, one per series of the batch (its samples in time order). */
function vmBody(tags: string[], ts: number[], vs: number[]): string {
  const by = new Map<string, { t: number[]; v: number[] }>();
  for (let i = 0; i < ts.length; i++) {
    let e = by.get(tags[i]);
    if (!e) by.set(tags[i], (e = { t: [], v: [] }));
    e.t.push(ts[i]); e.v.push(vs[i]);
  }
  let out = '';
  for (const [tag, e] of by) out += `{"metric":{"__name__":"${tag}"},"values":[${e.v.join(',')}],"timestamps":[${e.t.join(',')}]}\n`;
  return out;
}

async function post(body: string): Promise<boolean> {
  const url = a.target === 'ours' ? `${a.url}/api/v1/metrics` : `${a.url}/api/v1/import`;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (a.token) headers.Authorization = `Bearer ${a.token}`;
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  if (res.status !== 202 && res.status !== 204) { process.stderr.write(`HTTP ${res.status}: ${text.slice(0, 300)}\n`); return false; }
  if (a.target === 'ours' && !text.includes('"rejected":0')) { process.stderr.write(`rejected samples: ${text.slice(0, 300)}\n`); return false; }
  return true;
}

async function run(): Promise<void> {
  const it = batches();
  const pre: Array<{ body: string; n: number }> = [];
  let timed = 0;
  while (timed < a.timedSamples) {
    const b = it.next();
    if (b.done) break;
    pre.push(b.value);
    timed += b.value.n;
  }
  let errors = 0;
  let k = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: a.concurrency }, async () => {
    while (k < pre.length) { const b = pre[k++]; if (!(await post(b.body))) errors++; }
  }));
  const seconds = (performance.now() - t0) / 1000;
  pre.length = 0;
  let rest = 0;
  let done = false;
  await Promise.all(Array.from({ length: a.concurrency }, async () => {
    for (;;) {
      if (done) return;
      const b = it.next();
      if (b.done) { done = true; return; }
      rest += b.value.n;
      if (!(await post(b.value.body))) errors++;
    }
  }));
  console.log(JSON.stringify({ timedSamples: timed, seconds, total: timed + rest, errors }));
}

run().catch((e) => { console.error(e); process.exit(1); });
