// The scan thread (runtime/ingest/scan-thread.ts), a real worker thread: a large body's
// items are exactly splitItems', the body really goes to the thread and back (its memory
// moves, so the caller's buffer is left empty), a buffer sharing its memory is copied
// instead, small bodies stay inline, and a body the thread holds when it stops fails as
// ScanThreadLost (nothing stored; the client sends it again).
import { afterEach, describe, expect, it } from 'vitest';
import { isSeriesEntry, parseIngestEntries, SCAN_THREAD_MIN_BYTES, ScanThread, ScanThreadLost, splitItems } from '../../../runtime/ingest';
import type { IngestEntry, IngestItemError } from '../../../runtime/ingest';

const T = 1_750_000_000_000;
let thread: ScanThread | null = null;
afterEach(async () => { await thread?.close(); thread = null; });

/** A body of many lines: scanned ones, some for JSON.parse, bad ones, blank ones. */
function body(lines: number): string {
  const out: string[] = [];
  for (let k = 0; k < lines; k++) {
    const ts = Array.from({ length: 50 }, (_, i) => T + (k * 50 + i) * 1000);
    const vs = ts.map((_, i) => (k % 7 === 3 && i === 5 ? 91.45716359999999 : (k * 50 + i) / 100));
    if (k % 11 === 5) out.push(`{"tag":"plant.t${k % 13}","timestamps":[${ts.join(',')}],"values":[${vs.join(',')}],"qualities":[${ts.map(() => '"GOOD"').join(',')}]}`);
    else if (k % 17 === 9) out.push('{"tag":"plant.t1","timestamps":[');
    else if (k % 19 === 4) out.push('');
    else if (k % 23 === 8) out.push(`{"tag":"plant..bad","timestamps":[${T}],"values":[1]}`);
    else out.push(`{"tag":"plant.t${k % 13}","timestamps":[${ts.join(',')}],"values":[${vs.join(',')}]${k % 5 === 0 ? `,"qualities":[${ts.map((_, i) => (i === 3 ? 32769 : 0)).join(',')}]` : ''}}`);
  }
  return out.join('\n') + '\n';
}

function plain(entries: IngestEntry[]): unknown[] {
  return entries.map((e) => (isSeriesEntry(e) ? { ...e, ts: Array.from(e.ts), values: Array.from(e.values), quality: e.quality && Array.from(e.quality) } : e));
}

async function viaThread(t: ScanThread, bytes: Buffer): Promise<{ entries: unknown[]; errors: IngestItemError[] }> {
  const errors: IngestItemError[] = [];
  const items = await t.splitLines(bytes, errors);
  return { entries: plain(parseIngestEntries(items, 0, errors)), errors };
}

function inline(text: string): { entries: unknown[]; errors: IngestItemError[] } {
  const errors: IngestItemError[] = [];
  return { entries: plain(parseIngestEntries(splitItems(Buffer.from(text), 'lines', errors), 0, errors)), errors };
}

describe('the ingest scan thread', () => {
  it('gives a large body the items and refusals splitItems gives, the body moving to the thread and back', async () => {
    thread = new ScanThread();
    const text = body(400);
    const bytes = Buffer.alloc(Buffer.byteLength(text));
    bytes.write(text);
    expect(bytes.length).toBeGreaterThan(SCAN_THREAD_MIN_BYTES);
    const want = inline(text);
    expect(want.errors.length).toBeGreaterThan(10);
    const got = await viaThread(thread, bytes);
    expect(got).toEqual(want);
    expect(bytes.buffer.byteLength).toBe(0); // moved to the thread, not copied
    // again, on the same thread
    const again = Buffer.alloc(Buffer.byteLength(text));
    again.write(text);
    expect(await viaThread(thread, again)).toEqual(want);
  });

  it('copies a buffer that shares its memory, and keeps small bodies inline', async () => {
    thread = new ScanThread();
    const text = body(400);
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const cut = withBom.subarray(3);
    expect(await viaThread(thread, cut)).toEqual(inline(text));
    expect(cut.toString()).toBe(text);
    const small = Buffer.alloc(Buffer.byteLength(body(3)));
    small.write(body(3));
    expect(small.length).toBeLessThan(SCAN_THREAD_MIN_BYTES);
    expect(await viaThread(thread, small)).toEqual(inline(body(3)));
    expect(small.buffer.byteLength).toBe(small.length);
  });

  it('fails a body it holds when it stops, with nothing half done; the next body starts a new thread', async () => {
    const logs: string[] = [];
    thread = new ScanThread((m) => logs.push(m));
    const text = body(2000);
    const bytes = Buffer.alloc(Buffer.byteLength(text));
    bytes.write(text);
    const pending = thread.splitLines(bytes, []).catch((e: unknown) => e);
    await thread.close();
    const e = await pending;
    expect(e).toBeInstanceOf(ScanThreadLost);
    expect((e as Error).message).toMatch(/nothing of this request was stored; send it again/);
    const next = Buffer.alloc(Buffer.byteLength(text));
    next.write(text);
    expect(await viaThread(thread, next)).toEqual(inline(text));
    expect(next.buffer.byteLength).toBe(0);
    expect(logs).toEqual([]);
  });
});
