// Giving back the memory V8 keeps after a burst. The V8 of Node 24 pools the heap pages a
// collection frees (256 KiB each) instead of returning them to the system, and only a
// last-resort collection releases the pool: the memory reducer's collections do not. So one
// burst of allocation (the demo plant writing a month of history at first start, a bulk
// import, a large export) left the server at its peak RSS for the rest of its life, 550-700
// MB where it idles at ~190 MB (measured: README "Memory"). A process cannot ask for that
// collection without --expose-gc; the gc function is taken from a fresh context with the
// flag set just for that, so the global `gc` is not exposed to the rest of the process.
//
// The pool is measured, not guessed: on Linux, anonymous read-write mappings of exactly one
// V8 page, less the heap V8 says it holds (its large objects, in larger mappings, make that
// an underestimate). Elsewhere the probe reports nothing and the trimmer never collects.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

/** V8's regular heap page (kPageSizeBits 18 on x64 and arm64). */
const V8_PAGE_BYTES = 256 * 1024;
const MAPPING = /^([0-9a-f]+)-([0-9a-f]+) rw-p 00000000 00:00 0\s*$/;

/** Bytes of heap pages the process holds beyond what V8's heap uses (Linux), or null where it cannot be seen. */
export function pooledHeapBytes(): number | null {
  let maps: string;
  try { maps = fs.readFileSync('/proc/self/maps', 'utf8'); } catch { return null; }
  let pages = 0;
  for (const line of maps.split('\n')) {
    const m = MAPPING.exec(line);
    if (m && parseInt(m[2], 16) - parseInt(m[1], 16) === V8_PAGE_BYTES) pages++;
  }
  return Math.max(0, pages * V8_PAGE_BYTES - v8.getHeapStatistics().total_physical_size);
}

type GcFunction = (options?: { type?: string; execution?: string; flavor?: string }) => void;
let gcFn: GcFunction | null = null;

/** A last-resort collection: every unreachable object freed, the heap compacted and the page pool released. */
export function lastResortCollection(): void {
  if (!gcFn) {
    const exposed = (globalThis as { gc?: GcFunction }).gc;
    if (typeof exposed === 'function') gcFn = exposed;
    else {
      v8.setFlagsFromString('--expose-gc');
      try { gcFn = vm.runInNewContext('gc') as GcFunction; } finally { v8.setFlagsFromString('--no-expose-gc'); }
    }
  }
  gcFn({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

export interface HeapTrimOptions {
  /** pooled bytes beyond the level left by the last trim that make the next check collect; 0 = never */
  thresholdBytes: number;
  /** how often the pool is measured */
  intervalMs?: number;
  /** at least this long between two collections (each stops the process for ~0.1-0.3 s) */
  minSpacingMs?: number;
  log?: (msg: string) => void;
  /** for tests: the measurement, the collection and whether the process is busy */
  probe?: () => number | null;
  collect?: () => void;
  clock?: () => number;
  busy?: () => boolean;
}

/**
 * The event loop was busy for more than this share of the time since the last check: the
 * collection waits. Its pause would land in the middle of a bulk import or a burst of
 * queries; the memory is given back once the process is quiet again.
 */
export const BUSY_UTILIZATION = 0.25;

/** Whether the event loop was busy since the last call (the first call: since this was made). */
export function eventLoopBusy(): () => boolean {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization > BUSY_UTILIZATION;
    last = now;
    return busy;
  };
}

export class HeapTrimmer {
  private timer: NodeJS.Timeout | null = null;
  /** what the pool measured right after the last collection: the part a collection does not release */
  private floor = 0;
  private lastCollect = -Infinity;
  private readonly busy: () => boolean;
  /** collections run and bytes they released, for health and tests */
  readonly stats = { collections: 0, releasedBytes: 0 };

  constructor(private readonly o: HeapTrimOptions) {
    this.busy = o.busy ?? eventLoopBusy();
  }

  /**
   * Measures the pool; collects when it has grown past the threshold and the event loop has
   * been quiet since the last check. Returns the bytes released (0 when it did not collect).
   */
  check(): number {
    const o = this.o;
    if (!(o.thresholdBytes > 0)) return 0;
    const busy = this.busy();
    const probe = o.probe ?? pooledHeapBytes;
    const pooled = probe();
    if (pooled === null) return 0;
    if (pooled < this.floor) this.floor = pooled;
    const now = (o.clock ?? Date.now)();
    if (busy || pooled - this.floor < o.thresholdBytes || now - this.lastCollect < (o.minSpacingMs ?? 5 * 60_000)) return 0;
    const rssBefore = process.memoryUsage.rss();
    const t0 = performance.now();
    (o.collect ?? lastResortCollection)();
    const ms = performance.now() - t0;
    this.lastCollect = now;
    const after = probe() ?? 0;
    this.floor = after;
    const released = Math.max(0, pooled - after);
    this.stats.collections++;
    this.stats.releasedBytes += released;
    const mb = (b: number) => Math.round(b / 1048576);
    o.log?.(`[historian] memory: gave back ${mb(released)} MB of heap pages kept after a burst (RSS ${mb(rssBefore)} → ${mb(process.memoryUsage.rss())} MB, ${ms.toFixed(0)} ms)`);
    return released;
  }

  start(): this {
    if (this.timer || !(this.o.thresholdBytes > 0)) return this;
    this.timer = setInterval(() => {
      // a collection that cannot be had (a runtime without the flag or the page pool) must not take the server down
      try { this.check(); } catch (e) {
        this.o.log?.(`[historian] memory: heap pages are not given back (${(e as Error).message})`);
        this.stop();
      }
    }, this.o.intervalMs ?? 30_000);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
