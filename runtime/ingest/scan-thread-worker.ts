// Entry of the ingest scan thread (scan-thread.ts): scans each body it is sent and sends the
// body back with its line table, every buffer moved, none copied.
import { parentPort } from 'node:worker_threads';
import { scanLines } from './line-table';

interface Job { id: number; body: ArrayBuffer; offset: number; length: number }

parentPort!.on('message', (m: Job) => {
  try {
    const t = scanLines(Buffer.from(m.body, m.offset, m.length));
    parentPort!.postMessage({ id: m.id, body: m.body, table: t }, [m.body, t.lines.buffer as ArrayBuffer, t.nums.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ id: m.id, body: m.body, error: (e as Error).stack ?? String(e) }, [m.body]);
  }
});
