// Load client for the HTTP benchmarks, run as its own process so the server under test
// has the machine's other core: `node --import tsx http-load.ts <url> <token> <seconds> <concurrency> <batch>`.
// Prints one JSON line {requests, samples, seconds, errors}.
const [url, token, seconds, concurrency, batch] = process.argv.slice(2);
const dur = Number(seconds) * 1000;
const size = Number(batch);
let requests = 0;
let samples = 0;
let errors = 0;
let seq = 0;

async function worker(id: number): Promise<void> {
  const end = Date.now() + dur;
  while (Date.now() < end) {
    const base = 1_800_000_000_000 + (seq++) * size;
    const body = JSON.stringify(Array.from({ length: size }, (_, i) => ({ tag: `bench.http.w${id}.t${i % 50}`, value: i * 0.5, timestamp: base + i })));
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body });
    await res.arrayBuffer();
    if (res.status === 202) { requests++; samples += size; } else errors++;
  }
}

const t0 = Date.now();
Promise.all(Array.from({ length: Number(concurrency) }, (_, i) => worker(i))).then(() => {
  console.log(JSON.stringify({ requests, samples, errors, seconds: (Date.now() - t0) / 1000 }));
});
