import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableQueue, type BufferEvent, type QueueOptions } from '../../../runtime/buffer';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

const dirs: string[] = [];
const open: DurableQueue[] = [];
afterEach(async () => {
  for (const q of open.splice(0)) q.close();
  for (const d of dirs.splice(0)) await removeTempDir(d);
});

async function tmp(): Promise<string> {
  const d = await makeTempDir('historian-buffer-');
  dirs.push(d);
  return d;
}

function q(o: QueueOptions): DurableQueue {
  const x = DurableQueue.open(o);
  open.push(x);
  return x;
}

const body = (i: number, size = 100) => Buffer.from(`entry-${i}-`.padEnd(size, 'x'));
const entry = (i: number, size = 100) => ({ source: 'gw1', subject: `hist.t${i % 3}`, count: 10, body: body(i, size) });

/** Simulates a crash: the files stay as written, nothing is flushed at close. */
function crash(x: DurableQueue): void {
  open.splice(open.indexOf(x), 1);
}

describe('durable queue', () => {
  it('hands entries out in push order and removes them only on ack', async () => {
    const x = q({ dir: await tmp() });
    for (let i = 0; i < 10; i++) await x.push(entry(i));
    const a = x.take(4);
    expect(a.map((e) => x.payload(e).toString())).toEqual([0, 1, 2, 3].map((i) => body(i).toString()));
    expect(x.stats()).toMatchObject({ pending: 10, pendingSamples: 100, inFlight: 4 });
    for (const e of a) x.ack(e);
    expect(x.stats()).toMatchObject({ pending: 6, inFlight: 0, acked: 4 });
    const b = x.take(100);
    expect(b.map((e) => x.payload(e).toString())).toEqual([4, 5, 6, 7, 8, 9].map((i) => body(i).toString()));
    // event ids are UUIDv7, time-ordered
    const ids = [...a, ...b].map((e) => e.id);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
  });

  it('gives released entries back first, in order', async () => {
    const x = q({ dir: await tmp() });
    for (let i = 0; i < 6; i++) await x.push(entry(i));
    const a = x.take(4);
    x.ack(a[1]);
    x.release(a[3]);
    x.release(a[0]);
    x.ack(a[2]);
    const b = x.take(10);
    expect(b.map((e) => e.seq)).toEqual([a[0].seq, a[3].seq, a[3].seq + 1, a[3].seq + 2]);
  });

  it('spills to disk beyond the RAM limit and reads bodies back in order', async () => {
    const x = q({ dir: await tmp(), ramLimitBytes: 1000, journal: 'spill' });
    for (let i = 0; i < 50; i++) await x.push(entry(i));
    const s = x.stats();
    expect(s.ramBytes).toBeLessThanOrEqual(1000);
    expect(s.onDisk).toBe(40);
    expect(s.diskBytes).toBeGreaterThan(40 * 100);
    const all = x.take(100);
    expect(all.map((e) => x.payload(e).toString())).toEqual(Array.from({ length: 50 }, (_, i) => body(i).toString()));
    for (const e of all) x.ack(e);
    expect(x.stats().pending).toBe(0);
  });

  it('recovers journaled entries after a crash; in-flight entries are pending again, acked ones are gone', async () => {
    const dir = await tmp();
    const x = q({ dir, journal: 'always', fsync: 'always' });
    for (let i = 0; i < 20; i++) await x.push(entry(i));
    const a = x.take(8);
    for (const e of a.slice(0, 5)) x.ack(e);
    await new Promise((r) => setImmediate(r)); // the ack record is written with the next group
    crash(x);
    const events: BufferEvent[] = [];
    const y = q({ dir, journal: 'always', onEvent: (e) => events.push(e) });
    expect(y.stats().pending).toBe(15);
    const got = y.take(100);
    expect(got.map((e) => y.payload(e).toString())).toEqual(Array.from({ length: 15 }, (_, i) => body(i + 5).toString()));
    expect(got.map((e) => e.id)).toEqual(a.slice(5).map((e) => e.id).concat(got.slice(3).map((e) => e.id)));
    expect(events).toContainEqual({ type: 'recovered', entries: 15, samples: 150, tornSegments: 0 });
    // new entries continue the sequence
    const n = await y.push(entry(99));
    expect(n.seq).toBeGreaterThan(got[got.length - 1].seq);
  });

  it('writes RAM-only entries on close so a restart finds them', async () => {
    const dir = await tmp();
    const x = DurableQueue.open({ dir, journal: 'spill' });
    for (let i = 0; i < 5; i++) await x.push(entry(i));
    x.ack(x.take(1)[0]);
    expect(x.stats().onDisk).toBe(0);
    x.close();
    const y = q({ dir });
    expect(y.take(10).map((e) => y.payload(e).toString())).toEqual([1, 2, 3, 4].map((i) => body(i).toString()));
  });

  it('cuts a torn tail and a corrupt record instead of reading them as data', async () => {
    const dir = await tmp();
    const x = q({ dir, journal: 'always' });
    for (let i = 0; i < 5; i++) await x.push(entry(i));
    crash(x);
    const seg = path.join(dir, 'segments', fs.readdirSync(path.join(dir, 'segments')).sort().pop()!);
    const full = fs.statSync(seg).size;
    fs.truncateSync(seg, full - 7); // last record torn
    const y = DurableQueue.open({ dir, journal: 'always' });
    expect(y.stats().pending).toBe(4);
    y.close();
    // flip a byte inside the third entry's body: the CRC catches it, the rest is cut
    const seg2 = path.join(dir, 'segments', fs.readdirSync(path.join(dir, 'segments')).sort()[0]);
    const img = fs.readFileSync(seg2);
    const at = img.indexOf(Buffer.from('entry-2-'));
    img[at + 3] ^= 0xff;
    fs.writeFileSync(seg2, img);
    const events: BufferEvent[] = [];
    const z = q({ dir, onEvent: (e) => events.push(e) });
    expect(z.take(10).map((e) => z.payload(e).toString())).toEqual([0, 1].map((i) => body(i).toString()));
    expect(events.some((e) => e.type === 'recovered' && e.tornSegments === 1)).toBe(true);
  });

  it('deletes segments once everything in them is acknowledged', async () => {
    const dir = await tmp();
    const x = q({ dir, journal: 'always', segmentBytes: 4096 });
    for (let i = 0; i < 100; i++) await x.push(entry(i));
    const segs = () => fs.readdirSync(path.join(dir, 'segments')).length;
    expect(segs()).toBeGreaterThan(3);
    const before = x.stats().diskBytes;
    for (const e of x.take(100)) x.ack(e);
    await new Promise((r) => setImmediate(r));
    expect(segs()).toBe(1);
    expect(x.stats().diskBytes).toBeLessThan(before / 3);
  });

  it('drop-oldest: drops the oldest pending entries at the disk limit, counts and reports them', async () => {
    const events: BufferEvent[] = [];
    const x = q({ dir: await tmp(), journal: 'always', segmentBytes: 4096, diskLimitBytes: 20_000, policy: 'drop-oldest', onEvent: (e) => events.push(e) });
    for (let i = 0; i < 400; i++) await x.push(entry(i));
    const s = x.stats();
    expect(s.diskBytes).toBeLessThanOrEqual(20_000 + 4096);
    expect(s.dropped).toBeGreaterThan(0);
    expect(s.dropped + s.pending).toBe(400);
    expect(events.find((e) => e.type === 'disk-full')).toMatchObject({ policy: 'drop-oldest', limit: 20_000 });
    const dropped = events.filter((e) => e.type === 'dropped');
    expect(dropped.at(-1)).toMatchObject({ totalDropped: s.droppedSamples });
    // what is left is the newest, still in order
    const left = x.take(1000).map((e) => x.payload(e).toString());
    expect(left).toEqual(Array.from({ length: s.pending }, (_, i) => body(400 - s.pending + i).toString()));
  });

  it('block: producers wait at the disk limit and go on, in order, once acks free a segment', async () => {
    const events: BufferEvent[] = [];
    const x = q({ dir: await tmp(), journal: 'always', segmentBytes: 4096, diskLimitBytes: 16_384, policy: 'block', onEvent: (e) => events.push(e) });
    let accepted = 0;
    const pushes = Array.from({ length: 300 }, (_, i) => x.push(entry(i)).then(() => { accepted++; }));
    await new Promise((r) => setTimeout(r, 50));
    expect(accepted).toBeLessThan(300);
    expect(x.stats().blocked).toBe(1);
    expect(events.some((e) => e.type === 'disk-full' && e.policy === 'block')).toBe(true);
    const seen: string[] = [];
    while (seen.length < 300) {
      const got = x.take(20);
      for (const e of got) { seen.push(x.payload(e).toString()); x.ack(e); }
      if (!got.length) await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(pushes);
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => body(i).toString()));
    expect(x.stats().dropped).toBe(0);
    expect(events.some((e) => e.type === 'disk-ok')).toBe(true);
  });

  it('quarantines refused entries; lists, replays with the same id, purges; survives a restart', async () => {
    const dir = await tmp();
    const x = DurableQueue.open({ dir, journal: 'always' });
    for (let i = 0; i < 3; i++) await x.push(entry(i));
    const [a, b, c] = x.take(3);
    x.quarantine(a, 'too big');
    x.quarantine(c, 'not allowed');
    x.ack(b);
    expect(x.stats()).toMatchObject({ pending: 0, quarantined: 2 });
    x.close();
    const y = q({ dir });
    expect(y.quarantined().map((i) => [i.id, i.reason, i.body.toString()])).toEqual([[a.id, 'too big', body(0).toString()], [c.id, 'not allowed', body(2).toString()]]);
    expect(await y.replayQuarantine([a.id])).toBe(1);
    const again = y.take(5);
    expect(again.map((e) => [e.id, y.payload(e).toString()])).toEqual([[a.id, body(0).toString()]]);
    expect(y.purgeQuarantine()).toBe(1);
    expect(y.quarantined()).toEqual([]);
  });

  it('rejects bad input and options naming the field', async () => {
    const dir = await tmp();
    expect(() => DurableQueue.open({ dir, policy: 'panic' as never })).toThrow(/^policy: /);
    expect(() => DurableQueue.open({ dir, journal: 'sometimes' as never })).toThrow(/^journal: /);
    expect(() => DurableQueue.open({ dir, fsync: 'maybe' as never })).toThrow(/^fsync: /);
    expect(() => DurableQueue.open({ dir, diskLimitBytes: 4 << 30 })).toThrow(/^diskLimitBytes: /);
    const x = q({ dir });
    await expect(x.push({ ...entry(0), body: 'text' as never })).rejects.toThrow(/^body: /);
    await expect(x.push({ ...entry(0), source: '' })).rejects.toThrow(/^source: /);
    await expect(x.push({ ...entry(0), category: 'spam' as never })).rejects.toThrow(/^category: /);
    await expect(x.push({ ...entry(0), count: -1 })).rejects.toThrow(/^count: /);
    expect(x.stats().pending).toBe(0);
  });
});
