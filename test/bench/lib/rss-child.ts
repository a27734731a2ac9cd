// RSS of the storage engine with N active tags at 1 Hz (bench:tsdb), in a process of its
// own that loads nothing but the engine as the distribution runs it (the compiled
// dist/runtime/tsdb; build first), so the figure is the engine's and not that of the
// benchmark's other libraries or of a TypeScript loader (tsx adds ~40 MB, Node's own type
// stripping ~20 MB): bench:tsdb strips its types (node:module stripTypeScriptTypes) and runs
//   node --expose-gc rss-child.mjs <tags> <seconds> <memoryLimitMb> <dist/runtime/tsdb/store.js>
// Writes `seconds` seconds of data for every tag (one batch per second, as fast as the
// engine takes them: a harder case than real time, the garbage of a whole day arrives in a
// minute), samples RSS and the process.memoryUsage() breakdown after every minute of data,
// and prints one JSON line: peak RSS, the idle process before any data, and the breakdown
// at the peak.
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

async function main(): Promise<void> {
  const [count, seconds, memoryLimitMb] = process.argv.slice(2, 5).map(Number);
  const compiled = process.argv[5];
  if (!fs.existsSync(compiled)) throw new Error(`${compiled} is missing: build first (node scripts/build.js)`);
  const { TsdbStore } = (await import(compiled)) as Engine;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  // the process before any data: Node, tsx and the engine's code
  const idle = process.memoryUsage().rss / MB;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdb-bench-rss-'));
  const store = await TsdbStore.open({ dir, fsync: 'interval', memoryLimitMb });
  const tags = Array.from({ length: count }, (_, i) => `site.area${i % 20}.line${i % 7}.dev${i}.value`);
  const batch: Sample[] = tags.map((tag) => ({ tag, ts: 0, value: 0, quality: 0 }));
  const r = rand(1);
  const level = new Float64Array(tags.length).fill(50);
  const start = Date.now() - 2 * 3_600_000;
  let peak = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0, headMb: 0 };
  let headPerSeries = 0;
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < tags.length; i++) {
      level[i] += 0.05 * (50 - level[i]) + Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r()) * 0.3;
      batch[i].ts = start + s * 1000; batch[i].value = Math.round(level[i] * 10) / 10;
    }
    await store.write(batch);
    if (s % 60 === 59) {
      await new Promise((res) => setImmediate(res)); // let background maintenance (head cuts) run as it would
      const m = process.memoryUsage();
      const st = store.stats();
      if (m.rss > peak.rss) peak = { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, headMb: st.headBytes / MB };
      headPerSeries = Math.max(headPerSeries, st.headBytes / count);
    }
  }
  gc?.();
  await new Promise((res) => setTimeout(res, 200));
  const end = process.memoryUsage();
  const st = store.stats();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const rss = Math.max(peak.rss, end.rss) / MB;
  process.stdout.write(JSON.stringify({
    rss, idle, headSamples: st.headSamples, blocks: st.blocks, samples: seconds * tags.length, headPerSeries,
    atPeak: { heapUsedMb: peak.heapUsed / MB, heapTotalMb: peak.heapTotal / MB, externalMb: peak.external / MB, arrayBuffersMb: peak.arrayBuffers / MB, headMb: peak.headMb },
    afterGc: { rssMb: end.rss / MB, heapUsedMb: end.heapUsed / MB, externalMb: end.external / MB },
  }) + '\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
