// Child of heap-trim.test.ts: a burst of allocation, freed by an ordinary major collection,
// then one check of a HeapTrimmer with the real measurement and collection. Prints one
// JSON line: the pool and RSS before and after, what the check released, how long it took.
import v8 from 'node:v8';
import vm from 'node:vm';
import { HeapTrimmer, pooledHeapBytes } from '../../../runtime/platform';

// an ordinary (not last-resort) major collection, as V8 runs by itself after a burst
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as (o?: object) => void;
v8.setFlagsFromString('--no-expose-gc');

const live: object[] = [];
for (let i = 0; i < 200_000; i++) live.push({ i, s: `kept ${i}` });
let burst: object[] | null = [];
for (let i = 0; i < 3_000_000; i++) burst.push({ i, s: `burst ${i}`, a: [i] });
burst = null;
gc({ type: 'major', execution: 'sync' });
const before = { pooled: pooledHeapBytes(), rss: process.memoryUsage.rss() };
const logs: string[] = [];
// the script runs in one turn of the event loop: that is not the busy server the trimmer waits out
const trimmer = new HeapTrimmer({ thresholdBytes: 64 * 1048576, log: (m) => logs.push(m), busy: () => false });
const t0 = performance.now();
const released = trimmer.check();
const ms = performance.now() - t0;
const after = { pooled: pooledHeapBytes(), rss: process.memoryUsage.rss() };
const again = trimmer.check();
console.log(JSON.stringify({ before, after, released, ms, again, logs, live: live.length, exposed: typeof (globalThis as { gc?: unknown }).gc }));
