// The scan of large JSON-lines ingest bodies on a thread of its own. The server's one
// JavaScript thread also answers HTTP, writes the WAL and the head; reading the numbers of a
// 10,000-sample body is about a fifth of its time per request, and on a machine with a
// second core that part can run beside it. The body's bytes move to the thread and back
// (transferred, not copied); the thread answers a table of plain arrays (line-table.ts) that
// the caller turns into the items splitItems would give, refusals and all. Small bodies, a
// single-core machine, or a thread that failed: the scan runs inline, as before.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { IngestItemError } from './metric-item';
import { splitItems } from './ingest-body';
import { itemsFromTable, type LineTable } from './line-table';

/** Bodies smaller than this are scanned inline: the trip to the thread costs more than it saves. */
export const SCAN_THREAD_MIN_BYTES = 64 * 1024;

/** The thread stopped while it held a body: nothing of that request was stored, the client sends it again. */
export class ScanThreadLost extends Error {}

type Reply = { id: number; body: ArrayBuffer; table?: LineTable; error?: string };

export class ScanThread {
  private worker: Worker | null = null;
  private failed = false;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();

  /** `log`: where a failure of the thread is reported (the scan then runs inline). */
  constructor(private readonly log: (msg: string) => void = () => {}) {}

  /** Whether a second core is there to run the scan beside the server. */
  static useful(): boolean {
    return availableParallelism() > 1;
  }

  /** The items of a JSON-lines body (as splitItems(bytes, 'lines', errors)); the bytes are moved to the thread and back. */
  async splitLines(bytes: Buffer, errors: IngestItemError[]): Promise<unknown[]> {
    const w = bytes.length >= SCAN_THREAD_MIN_BYTES ? this.thread() : null;
    if (!w) return splitItems(bytes, 'lines', errors);
    // a buffer that shares its memory (a slice of a pool, a BOM cut off) is copied: moving it would take the rest away
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    const body = own ? (bytes.buffer as ArrayBuffer) : Uint8Array.prototype.slice.call(bytes).buffer;
    const id = this.next++;
    const length = bytes.length;
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, body, offset: 0, length }, [body]);
    });
    const back = Buffer.from(reply.body, 0, length);
    if (reply.error) {
      this.log(`ingest scan thread: ${reply.error}; scanning inline`);
      return splitItems(back, 'lines', errors);
    }
    return itemsFromTable(back, reply.table!, errors);
  }

  /** Stops the thread (a later large body starts a new one). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.dropPending('the server is stopping');
    if (w) await w.terminate();
  }

  private dropPending(why: string): void {
    for (const p of this.pending.values()) p.reject(new ScanThreadLost(`${why}: nothing of this request was stored; send it again`));
    this.pending.clear();
  }

  private thread(): Worker | null {
    if (this.worker || this.failed) return this.worker;
    // the compiled worker next to this file; from the TypeScript sources (tests) through tsx
    const ts = __filename.endsWith('.ts');
    const w = new Worker(path.join(__dirname, `scan-thread-worker${ts ? '.ts' : '.js'}`), ts ? { execArgv: ['--import', 'tsx'] } : {});
    w.unref();
    w.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      p.resolve(r);
    });
    const fail = (e: Error) => {
      if (this.worker !== w) return;
      this.worker = null;
      this.failed = true;
      this.log(`ingest scan thread stopped (${e.message}); scanning inline from now on`);
      // the bodies it held are gone with it: those requests fail (nothing of them was stored), the client sends them again
      this.dropPending(`the ingest scan thread stopped (${e.message})`);
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    this.worker = w;
    return w;
  }
}
