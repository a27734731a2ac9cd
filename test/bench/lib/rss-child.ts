// RSS of the storage engine with N active tags (bench:tsdb), in a process of its own that
// loads nothing but the engine as the distribution runs it (the compiled dist/runtime/tsdb;
// build first), so the figure is the engine's and not that of the benchmark's other
// libraries or of a TypeScript loader (tsx adds ~40 MB, Node's own type stripping ~20 MB):
// bench:tsdb strips its types (node:module stripTypeScriptTypes) and runs
//   node --expose-gc rss-child.mjs <tags> <seconds> <memoryLimitMb> <dist/runtime/tsdb/store.js> [<pacedSeconds> [<maxHeadSamples>]]
// Fast phase: `seconds` seconds of data for every tag, one batch per second of data, as
// fast as the engine takes them (a harder case than real time: the garbage of a whole day
// arrives in a minute). Paced phase (when pacedSeconds > 0): one batch per wall-clock
// second, as a gateway delivers 1 Hz data, for pacedSeconds; after a fast phase, that phase
// first goes on until the head is half a paced phase short of maxHeadSamples, so a head cut
// falls inside the paced phase. Without a fast phase, a maxHeadSamples below
// pacedSeconds x tags makes the head cut inside the paced run (at the default, 4,000,000,
// 10,000 tags at 1 Hz cut every 400 s). RSS and the process.memoryUsage() breakdown are sampled every minute of
// data in the fast phase and every second in the paced one; prints one JSON line with the
// peak of each phase, the idle process before any data, and the breakdown at each peak.
import type { Sample } from '../../../runtime/model';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

type Engine = typeof import('../../../runtime/tsdb/store');

const MB = 2 ** 20;

/** mulberry32, as the data sets use */
function rand(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Peak { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; headMb: number }

function zeroPeak(): Peak { return { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0, headMb: 0 }; }

function breakdown(p: Peak) {
  return { rssMb: p.rss / MB, heapUsedMb: p.heapUsed / MB, heapTotalMb: p.heapTotal / MB, externalMb: p.external / MB, arrayBuffersMb: p.arrayBuffers / MB, headMb: p.headMb };
}

async function main(): Promise<void> {
  const [count, seconds, memoryLimitMb] = process.argv.slice(2, 5).map(Number);
  const compiled = process.argv[5];
  const pacedSeconds = Number(process.argv[6] ?? 0);
  // the store's default (store-options.ts) unless given: a head cut falls due there
  const maxHeadSamples = Number(process.argv[7] ?? 4_000_000);
  if (!fs.existsSync(compiled)) throw new Error(`${compiled} is missing: build first (node scripts/build.js)`);
  const { TsdbStore } = (await import(compiled)) as Engine;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  // the process before any data: Node and the engine's code
  const idle = process.memoryUsage().rss / MB;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdb-bench-rss-'));
  const store = await TsdbStore.open({ dir, fsync: 'interval', memoryLimitMb, maxHeadSamples });
  const tags = Array.from({ length: count }, (_, i) => `site.area${i % 20}.line${i % 7}.dev${i}.value`);
  const batch: Sample[] = tags.map((tag) => ({ tag, ts: 0, value: 0, quality: 0 }));
  const r = rand(1);
  const level = new Float64Array(tags.length).fill(50);
  // data time ends near the wall clock, so the paced phase writes current data
  const fastSeconds = seconds + (pacedSeconds > 0 && seconds > 0 ? Math.ceil(maxHeadSamples / count) : 0);
  const start = Date.now() - (fastSeconds + 60) * 1000;
  let headPerSeries = 0;
  const note = (peak: Peak): Peak => {
    const m = process.memoryUsage();
    const st = store.stats();
    headPerSeries = Math.max(headPerSeries, st.headBytes / count);
    return m.rss > peak.rss ? { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, headMb: st.headBytes / MB } : peak;
  };
  const writeSecond = async (s: number): Promise<void> => {
    for (let i = 0; i < tags.length; i++) {
      level[i] += 0.05 * (50 - level[i]) + Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r()) * 0.3;
      batch[i].ts = start + s * 1000; batch[i].value = Math.round(level[i] * 10) / 10;
    }
    await store.write(batch);
  };

  let fast = zeroPeak();
  let s = 0;
  for (; s < seconds; s++) {
    await writeSecond(s);
    if (s % 60 === 59) {
      await new Promise((res) => setImmediate(res)); // let background maintenance (head cuts) run as it would
      fast = note(fast);
    }
  }
  let paced: Peak | null = null;
  let pacedCuts = 0, pacedSamples = 0, pacedStartRss = 0;
  if (pacedSeconds > 0) {
    // fill the current head (fast) until a cut falls due half-way through the paced phase
    const due = maxHeadSamples - Math.floor(pacedSeconds / 2) * count;
    for (; s < fastSeconds && store.stats().headSamples < due; s++) {
      await writeSecond(s);
      if (s % 60 === 59) { await new Promise((res) => setImmediate(res)); fast = note(fast); }
    }
    pacedStartRss = process.memoryUsage().rss / MB;
    const cutsBefore = store.stats().cuts;
    paced = zeroPeak();
    // data time continues from the fast phase; wall time paces it
    const t0 = Date.now();
    for (let p = 0; p < pacedSeconds; p++, s++) {
      await writeSecond(s);
      pacedSamples += count;
      paced = note(paced);
      const wait = t0 + (p + 1) * 1000 - Date.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    }
    pacedCuts = store.stats().cuts - cutsBefore;
  }
  gc?.();
  await new Promise((res) => setTimeout(res, 200));
  const end = process.memoryUsage();
  const st = store.stats();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({
    // `rss`: the peak of the whole run (both phases)
    rss: Math.max(fast.rss, paced?.rss ?? 0, end.rss) / MB, idle, maxHeadSamples, headSamples: st.headSamples, blocks: st.blocks, cuts: st.cuts,
    samples: s * tags.length, headPerSeries,
    fast: seconds > 0 ? { seconds: s - pacedSeconds, ...breakdown(fast) } : null,
    paced: paced ? { seconds: pacedSeconds, samples: pacedSamples, cuts: pacedCuts, rssAtStartMb: pacedStartRss, ...breakdown(paced) } : null,
    afterGc: { rssMb: end.rss / MB, heapUsedMb: end.heapUsed / MB, externalMb: end.external / MB },
  }) + '\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
