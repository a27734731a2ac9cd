// Load client for the HTTP benchmarks, run as its own process so the server under test
// has the machine's other core: `node --import tsx http-load.ts <url> <token> <seconds> <concurrency> <batch> [existing|new]`.
// `existing` (default) writes 50 tags per worker over and over; `new` makes every sample a
// tag never seen before (a cardinality flood). Prints one JSON line
// {requests, samples, seconds, errors, accepted}: `accepted` as the server counted it.
const [url, token, seconds, concurrency, batch, mode = 'existing'] = process.argv.slice(2);
const dur = Number(seconds) * 1000;
const START = Date.now() - 86_400_000;
const size = Number(batch);
let requests = 0;
let samples = 0;
let errors = 0;
let accepted = 0;
let seq = 0;

async function worker(id: number): Promise<void> {
  const end = Date.now() + dur;
  while (Date.now() < end) {
    const n = seq++;
    // a day back and moving forward 1 ms per sample: in order per tag, never past the server's clock-skew limit
    const base = mode === 'new' ? Date.now() : START + n * size;
    const tag = mode === 'new' ? (i: number) => `bench.flood.p${process.pid}.w${id}.r${n}.s${i}` : (i: number) => `bench.http.w${id}.t${i % 50}`;
    const body = JSON.stringify(Array.from({ length: size }, (_, i) => ({ tag: tag(i), value: i * 0.5, timestamp: base + i })));
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body });
      text = await res.text();
    } catch {
      errors++; // a reset connection counts as a failed request, not the end of the run
      continue;
    }
    if (res.status === 202) { requests++; samples += size; } else if (res.status !== 422) errors++;
    if (res.status === 202 || res.status === 422) { try { accepted += (JSON.parse(text) as { accepted?: number }).accepted ?? 0; } catch { /* a sink answers nothing */ } }
  }
}

const t0 = Date.now();
Promise.all(Array.from({ length: Number(concurrency) }, (_, i) => worker(i))).then(() => {
  console.log(JSON.stringify({ requests, samples, errors, accepted, seconds: (Date.now() - t0) / 1000 }));
});
