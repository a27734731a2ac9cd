import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { columnsOf, type Sample } from '../../../runtime/model';
import { segmentPath, Wal } from '../../../runtime/tsdb/wal';
import { type DecodedRecord, encodeRecord, TagDictionary } from '../../../runtime/tsdb/wal-record';
import { memoryLogger } from './reference';

function batch(n: number, start: number, tags = ['a.x', 'b.y']): Sample[] {
  return Array.from({ length: n }, (_, i) => ({ tag: tags[i % tags.length], ts: start + i, value: i * 0.5, quality: i % 7 === 0 ? 0x8001 : 0 }));
}

function replayAll(dir: string, logger = memoryLogger()) {
  const got: Sample[] = [];
  const wal = Wal.open(dir, { fsync: 'never', logger }, (tags: readonly string[], rec: DecodedRecord) => {
    for (let i = 0; i < rec.ts.length; i++) got.push({ tag: tags[rec.ids[i]], ts: rec.ts[i], value: rec.values[i], quality: rec.quality[i] });
  });
  return { wal, got, logger };
}

describe('WAL', () => {
  let dir: string;
  beforeEach(async () => { dir = await makeTempDir('tsdb-wal-'); });
  afterEach(async () => { await removeTempDir(dir); });

  it('replays every record with its tags, values and qualities', async () => {
    const { wal } = replayAll(dir);
    const a = batch(1000, 1_000), b = batch(10, 5_000, ['c.z', 'a.x']);
    await wal.append(columnsOf(a), null, a.length);
    const keep = new Uint8Array(b.length).fill(1);
    keep[3] = 0;
    wal.append(columnsOf(b), keep, b.length - 1);
    await wal.close();
    const { wal: w2, got } = replayAll(dir);
    expect(got).toEqual([...a, ...b.filter((_, i) => i !== 3)]);
    await w2.close();
  });

  it('records built in the reused buffer replay exactly, whatever size the one before had', async () => {
    const { wal } = replayAll(dir);
    const long = Array.from({ length: 50 }, (_, i) => `plant.area${i}.a-rather-long-device-name-${'x'.repeat(i)}.pv`);
    // large, small, bulk (past the reused buffer's bound: a buffer of its own), small again
    const parts = [batch(20_000, 0, long), batch(3, 100_000, ['q']), batch(200_000, 200_000, ['bulk.a', 'bulk.b']), batch(5, 500_000, ['r.s', 'q'])];
    for (const p of parts) wal.append(columnsOf(p), null, p.length);
    await wal.close();
    const { wal: w2, got } = replayAll(dir);
    expect(got).toEqual(parts.flat());
    await w2.close();
  });

  it('encodes a record to the same bytes whatever the reused buffer held before', () => {
    const small = batch(7, 10, ['m.n', 'o']);
    const first = Buffer.from(encodeRecord(new TagDictionary(), columnsOf(small), null, small.length));
    const noisy = Array.from({ length: 5000 }, (_, i) => ({ tag: `noise.${i % 97}.${'z'.repeat(i % 13)}`, ts: -i, value: Number.NaN, quality: 0xffff }));
    encodeRecord(new TagDictionary(), columnsOf(noisy), null, noisy.length);
    expect(Buffer.compare(encodeRecord(new TagDictionary(), columnsOf(small), null, small.length), first)).toBe(0);
  });

  it('fsync always resolves appends only after a sync and groups concurrent ones', async () => {
    const wal = Wal.open(dir, { fsync: 'always' }, () => {});
    const ps = Array.from({ length: 20 }, (_, k) => wal.append(columnsOf(batch(5, k * 10)), null, 5));
    expect(ps.every((p) => p instanceof Promise)).toBe(true);
    await Promise.all(ps);
    await wal.close();
    const { wal: w2, got } = replayAll(dir);
    expect(got.length).toBe(100);
    await w2.close();
  });

  it('cuts a torn tail with a warning and keeps what came before', async () => {
    const { wal } = replayAll(dir);
    wal.append(columnsOf(batch(100, 0)), null, 100);
    wal.append(columnsOf(batch(100, 1000)), null, 100);
    const seg = wal.segment;
    await wal.close();
    const file = segmentPath(dir, seg);
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 7); // the second record loses its end
    const { wal: w2, got, logger } = replayAll(dir);
    expect(got).toEqual(batch(100, 0));
    expect(logger.lines.some((l) => l.level === 'warn' && /torn/.test(l.msg))).toBe(true);
    expect(fs.statSync(file).size).toBeLessThan(size - 7); // the torn bytes are gone from disk
    await w2.close();
    const { wal: w3, got: again, logger: l3 } = replayAll(dir);
    expect(again).toEqual(batch(100, 0));
    expect(l3.lines.filter((l) => l.level === 'warn')).toEqual([]);
    await w3.close();
  });

  it('detects a corrupt record by its checksum and never replays it', async () => {
    const { wal } = replayAll(dir);
    wal.append(columnsOf(batch(50, 0)), null, 50);
    wal.append(columnsOf(batch(50, 100)), null, 50);
    wal.append(columnsOf(batch(50, 200)), null, 50);
    const seg = wal.segment;
    await wal.close();
    const file = segmentPath(dir, seg);
    const buf = fs.readFileSync(file);
    const firstLen = 8 + buf.readUInt32LE(8);
    buf[8 + firstLen + 40] ^= 0xff; // inside the second record's payload
    fs.writeFileSync(file, buf);
    const { wal: w2, got, logger } = replayAll(dir);
    expect(got).toEqual(batch(50, 0));
    expect(logger.lines.some((l) => l.level === 'warn' && /checksum/.test(l.msg))).toBe(true);
    await w2.close();
  });

  it('rotates segments and deletes the ones a checkpoint covers', async () => {
    const { wal } = replayAll(dir);
    wal.append(columnsOf(batch(10, 0)), null, 10);
    const next = await wal.rotate();
    wal.append(columnsOf(batch(10, 100)), null, 10);
    wal.removeBefore(next);
    await wal.close();
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.wal'));
    expect(files).toEqual([path.basename(segmentPath(dir, next))]);
    const { wal: w2, got } = replayAll(dir);
    expect(got).toEqual(batch(10, 100));
    await w2.close();
  });

  it('starts a new segment past the size limit', async () => {
    const wal = Wal.open(dir, { fsync: 'never', segmentBytes: 4096 }, () => {});
    for (let k = 0; k < 10; k++) wal.append(columnsOf(batch(100, k * 1000)), null, 100);
    await new Promise((r) => setImmediate(r));
    expect(wal.segmentCount()).toBeGreaterThan(3);
    await wal.close();
    const { wal: w2, got } = replayAll(dir);
    expect(got.length).toBe(1000);
    await w2.close();
  });
});
