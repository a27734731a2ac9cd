// Where block chunks are encoded: on a thread of their own when the machine has a second
// core, else inline. Cutting a head into blocks or compacting re-encodes every sample, and
// the chunk codec is about two thirds of that work (~0.4 µs a sample); on the server's one
// JavaScript thread it competes with every request while the cut runs. The block writer
// keeps the rest (merging, summaries, rollups, the file) and hands each full chunk's
// columns over (moved, not copied); the encoded bytes come back in order. The same
// encodeChunk runs either way, so the bytes are identical. A thread that fails fails the
// block being written (the head it came from stays frozen and is cut again, inline).
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { encodeChunk } from './codec';

export interface ChunkEncoder {
  /** The encoded chunk; a thread takes ownership of the columns (their buffers are moved), so pass copies of exactly n samples. */
  encode(ts: Float64Array, values: Float64Array, quality: Uint16Array, n: number): Uint8Array | Promise<Uint8Array>;
  /** Whether encode takes the columns away (the caller then gives it copies). */
  readonly threaded: boolean;
}

export const INLINE_ENCODER: ChunkEncoder = { encode: (ts, values, quality, n) => encodeChunk(ts, values, quality, n), threaded: false };

type Reply = { id: number; bytes?: Uint8Array; error?: string };

export class ThreadEncoder implements ChunkEncoder {
  private worker: Worker | null = null;
  private failed = false;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();

  /** `log`: where a failure of the thread is reported (chunks are then encoded inline). */
  constructor(private readonly log: (msg: string) => void = () => {}) {}

  get threaded(): boolean { return !this.failed; }

  /** Chunks handed to the thread and not back yet. */
  get inFlight(): number { return this.pending.size; }

  encode(ts: Float64Array, values: Float64Array, quality: Uint16Array, n: number): Uint8Array | Promise<Uint8Array> {
    const w = this.thread();
    if (!w) return encodeChunk(ts, values, quality, n);
    const id = this.next++;
    return new Promise<Uint8Array>((resolve, reject) => {
      // the thread holds no event-loop handle while idle, only while it owes an answer
      try {
        w.postMessage({ id, ts, values, quality, n }, [ts.buffer, values.buffer, quality.buffer] as ArrayBuffer[]);
      } catch (e) {
        reject(e as Error); // columns it cannot take (a view of a larger buffer): nothing is owed
        return;
      }
      if (this.pending.size === 0) w.ref();
      this.pending.set(id, { resolve, reject });
    });
  }

  /** Stops the thread; chunks it still held fail their block. A later chunk starts a new thread unless it failed before. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.dropPending('the chunk encoder thread was stopped');
    if (w) await w.terminate();
  }

  private dropPending(why: string): void {
    for (const p of this.pending.values()) p.reject(new Error(`${why}; the block being written was not stored and is written again`));
    this.pending.clear();
  }

  private thread(): Worker | null {
    if (this.worker || this.failed) return this.worker;
    // the compiled worker next to this file; from the TypeScript sources (tests) through tsx
    const ts = __filename.endsWith('.ts');
    const w = new Worker(path.join(__dirname, `chunk-encoder-worker${ts ? '.ts' : '.js'}`), ts ? { execArgv: ['--import', 'tsx'] } : {});
    w.unref();
    w.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (this.pending.size === 0) w.unref();
      if (r.bytes) p.resolve(r.bytes);
      else p.reject(new Error(r.error ?? 'chunk encoder thread: no answer'));
    });
    const fail = (e: Error) => {
      if (this.worker !== w) return;
      this.worker = null;
      this.failed = true;
      this.log(`tsdb chunk encoder thread stopped (${e.message}); encoding inline from now on`);
      this.dropPending(`the chunk encoder thread stopped (${e.message})`);
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    this.worker = w;
    return w;
  }
}

let shared: ChunkEncoder | null = null;

/** The process's chunk encoder: a thread where a second core exists, else inline. */
export function sharedChunkEncoder(log?: (msg: string) => void): ChunkEncoder {
  return (shared ??= availableParallelism() > 1 ? new ThreadEncoder(log) : INLINE_ENCODER);
}
