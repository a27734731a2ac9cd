// Whole copies of SQLite databases (`VACUUM INTO`: a transactionally consistent copy made
// through a read transaction of its own, writers going on) on a worker thread, so the
// server's event loop is not held for the length of a copy: about 2 ms per MB of database
// on the main thread was an alarm journal or frames of years stalling ingest, polls and
// queries for seconds. The audit trail's database is not copied here: it must be of the same
// instant as the anchor and sealed state beside it (data-snapshot.ts, phase 1).
import { Worker } from 'node:worker_threads';

// plain JavaScript, evaluated by the worker: it needs no module of ours
const WORKER = `
const { parentPort } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
parentPort.on('message', ({ id, from, to }) => {
  try {
    const db = new DatabaseSync(from, { readOnly: true });
    try { db.exec("VACUUM INTO '" + to.replace(/'/g, "''") + "'"); } finally { db.close(); }
    parentPort.postMessage({ id });
  } catch (e) {
    parentPort.postMessage({ id, error: String(e && e.message || e) });
  }
});`;

export class DatabaseCopier {
  private readonly worker = new Worker(WORKER, { eval: true });
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private next = 0;
  private failed: Error | null = null;

  constructor() {
    this.worker.on('message', (m: { id: number; error?: string }) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error) w?.reject(new Error(m.error)); else w?.resolve();
    });
    const fail = (e: Error) => {
      this.failed = e;
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => { if (this.waiting.size) fail(new Error(`database copier stopped (exit code ${code})`)); });
  }

  /** Copies `from` whole into `to` (which must not exist). */
  copy(from: string, to: string): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.next++;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, from, to });
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
