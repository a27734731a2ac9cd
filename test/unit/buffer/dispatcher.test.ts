import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher, DurableQueue, PermanentError, type OutboundEntry, type Sender } from '../../../runtime/buffer';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';

const dirs: string[] = [];
afterEach(async () => { for (const d of dirs.splice(0)) await removeTempDir(d); });

class FakeSender implements Sender {
  connected = true;
  delivered: string[] = [];
  fail: (e: OutboundEntry, attempt: number) => Error | null = () => null;
  attempts = new Map<string, number>();
  private cbs = new Set<() => void>();
  async send(e: OutboundEntry): Promise<void> {
    const n = (this.attempts.get(e.id) ?? 0) + 1;
    this.attempts.set(e.id, n);
    await new Promise((r) => setImmediate(r));
    const err = this.fail(e, n);
    if (err) throw err;
    this.delivered.push(e.body.toString());
  }
  isConnected() { return this.connected; }
  onConnected(cb: () => void) { this.cbs.add(cb); return () => { this.cbs.delete(cb); }; }
  reconnect() { this.connected = true; for (const c of this.cbs) c(); }
}

async function setup(): Promise<DurableQueue> {
  const dir = await makeTempDir('historian-dispatch-');
  dirs.push(dir);
  return DurableQueue.open({ dir });
}
const push = (q: DurableQueue, i: number) => q.push({ source: 'g', subject: 's', count: 1, body: Buffer.from(String(i)) });

describe('dispatcher', () => {
  it('delivers in order and retries transient failures, re-sending the failed entries first', async () => {
    const q = await setup();
    const s = new FakeSender();
    s.fail = (e, n) => (e.body.toString() === '3' && n < 3 ? new Error('timeout') : null);
    const d = new Dispatcher(q, s, { maxInFlight: 1, backoff: { baseMs: 1, maxMs: 5 } });
    d.start();
    for (let i = 0; i < 8; i++) await push(q, i);
    await waitFor(() => q.stats().pending === 0, { what: 'all delivered' });
    expect(s.delivered).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(d.counters.retries).toBe(2);
    // the timeout is the last error, and entries were delivered after it (the Health page says it is behind)
    expect(d.counters.lastError).toBe('timeout');
    expect(d.counters.lastSentAt).toBeGreaterThanOrEqual(d.counters.lastErrorAt!);
    await d.stop();
    q.close();
  });

  it('quarantines permanent refusals and goes on with the rest', async () => {
    const q = await setup();
    const s = new FakeSender();
    s.fail = (e) => (e.body.toString() === '2' ? new PermanentError('message too large') : null);
    const d = new Dispatcher(q, s, { maxInFlight: 4 });
    const before = Date.now();
    expect(d.counters).toMatchObject({ lastError: null, lastErrorAt: null, lastSentAt: null });
    d.start();
    for (let i = 0; i < 5; i++) await push(q, i);
    await waitFor(() => q.stats().pending === 0, { what: 'all handled' });
    expect(s.delivered).toEqual(['0', '1', '3', '4']);
    expect(q.quarantined().map((x) => [x.body.toString(), x.reason])).toEqual([['2', 'message too large']]);
    // the refusal is the last error, with when it happened
    expect(d.counters.lastError).toBe('message too large');
    expect(d.counters.lastErrorAt).toBeGreaterThanOrEqual(before);
    expect(d.counters.lastErrorAt).toBeLessThanOrEqual(Date.now());
    await d.stop();
    q.close();
  });

  it('waits while disconnected and resumes on reconnect', async () => {
    const q = await setup();
    const s = new FakeSender();
    s.connected = false;
    const d = new Dispatcher(q, s);
    d.start();
    for (let i = 0; i < 3; i++) await push(q, i);
    await new Promise((r) => setTimeout(r, 20));
    expect(s.delivered).toEqual([]);
    s.reconnect();
    await waitFor(() => s.delivered.length === 3, { what: 'delivery after reconnect' });
    await d.stop();
    q.close();
  });
});

describe('dispatcher backoff options', () => {
  it('takes baseMs as the first delay and names the option in errors', async () => {
    const q = await setup();
    const s = new FakeSender();
    expect(() => new Dispatcher(q, s, { backoff: { baseMs: 10, maxMs: 5 } })).toThrow(/^backoff.maxMs: /);
    expect(() => new Dispatcher(q, s, { backoff: { baseMs: -1 } })).toThrow(/^backoff.initialMs: /);
    q.close();
  });
});
