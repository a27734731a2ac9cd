// Settings resolution, bandwidth limit, retry classification, page cache and pin format.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { ObjectKeys, resolveS3Settings } from '../../../runtime/tier';
import { PageCache } from '../../../runtime/tier/page-cache';
import { Pin } from '../../../runtime/tier/pin';
import { isPermanent, withRetry } from '../../../runtime/tier/retry';
import { Throttle } from '../../../runtime/tier/throttle';

describe('S3 settings', () => {
  it('takes explicit values over settings over the environment', () => {
    const env = { HISTORIAN_S3_BUCKET: 'env-bucket', HISTORIAN_S3_REGION: 'eu-west-1', HISTORIAN_S3_PATH_STYLE: 'false', HISTORIAN_S3_ACCESS_KEY_ID: 'A', HISTORIAN_S3_SECRET_ACCESS_KEY: 'S' };
    const s = resolveS3Settings({ bucket: 'node-bucket' }, { region: 'us-west-2', prefix: '/historian/' }, env);
    expect(s).toMatchObject({ bucket: 'node-bucket', region: 'us-west-2', prefix: 'historian', forcePathStyle: false, accessKeyId: 'A', secretAccessKey: 'S' });
    expect(resolveS3Settings({}, {}, env).bucket).toBe('env-bucket');
  });
  it('names the bad field', () => {
    expect(() => resolveS3Settings({}, {}, {})).toThrow(/^bucket: is required/);
    expect(() => resolveS3Settings({ bucket: 'Bad_Bucket' }, {}, {})).toThrow(/^bucket: "Bad_Bucket" is not a valid bucket name/);
    expect(() => resolveS3Settings({ bucket: 'ok-bucket', endpoint: 'ftp://x' }, {}, {})).toThrow(/^endpoint: must be an http\(s\) URL/);
    expect(() => resolveS3Settings({ bucket: 'ok-bucket', accessKeyId: 'A' }, {}, {})).toThrow(/^secretAccessKey: /);
    expect(() => resolveS3Settings({ bucket: 'ok-bucket', prefix: 'a/../b' }, {}, {})).toThrow(/^prefix: /);
  });
  it('lays out keys per store and recognizes block keys', () => {
    const k = new ObjectKeys('hist', 'main');
    expect(k.block('0001-3-x')).toBe('hist/main/blocks/0001-3-x.blk');
    expect(k.parquet('0001-3-x', '2026-03-01')).toBe('hist/parquet/store=main/date=2026-03-01/0001-3-x.parquet');
    expect(k.parquetIdOf('hist/parquet/store=main/date=2026-03-01/0001-3-x.parquet')).toBe('0001-3-x');
    expect(k.parquetIdOf('hist/parquet/store=other/date=2026-03-01/0001-3-x.parquet')).toBeNull();
    expect(k.idOf('hist/main/blocks/0001-3-x.blk')).toBe('0001-3-x');
    expect(k.idOf('hist/other/blocks/0001-3-x.blk')).toBeNull();
    expect(new ObjectKeys('', 's').block('b')).toBe('s/blocks/b.blk');
    expect(() => new ObjectKeys('p', 'a/b')).toThrow(/^store: /);
  });
});

describe('bandwidth limit', () => {
  it('holds the average rate with a one-second burst', async () => {
    let now = 0;
    const slept: number[] = [];
    const t = new Throttle(1000, () => now, async (ms) => { slept.push(ms); now += ms; });
    await t.take(1000); // the burst
    expect(slept).toEqual([]);
    await t.take(500);
    await t.take(500);
    expect(now).toBeCloseTo(1000);
    expect(() => new Throttle(0)).toThrow(/^bandwidth: /);
  });
});

describe('retry', () => {
  it('retries transient errors with growing delays and stops on permanent ones', async () => {
    const delays: number[] = [];
    let calls = 0;
    const r = await withRetry(async () => { if (++calls < 3) throw new Error('ECONNRESET'); return 'ok'; }, { baseDelayMs: 100, sleep: async (ms) => { delays.push(ms); } });
    expect(r).toBe('ok');
    expect(delays.length).toBe(2);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
    const denied = Object.assign(new Error('denied'), { name: 'AccessDenied' });
    calls = 0;
    await expect(withRetry(async () => { calls++; throw denied; }, { sleep: async () => undefined })).rejects.toBe(denied);
    expect(calls).toBe(1);
    expect(isPermanent({ $metadata: { httpStatusCode: 503 } })).toBe(false);
    expect(isPermanent({ $metadata: { httpStatusCode: 400 } })).toBe(true);
  });
});

describe('page cache', () => {
  let dir: string;
  beforeEach(async () => { dir = await makeTempDir('tier-cache-'); });
  afterEach(async () => { await removeTempDir(dir); });

  it('evicts the least recently used page, survives a restart and drops damaged pages', () => {
    const page = (b: number) => new Uint8Array(4096).fill(b);
    const c = new PageCache(dir, 3 * 4100, 4096);
    c.put('a', 0, page(1)); c.put('a', 1, page(2)); c.put('b', 0, page(3));
    expect(c.get('a', 0)).toEqual(page(1)); // a@0 is now the most recent
    c.put('b', 1, page(4)); // evicts a@1
    expect(c.get('a', 1)).toBeNull();
    expect(c.stats().pages).toBe(3);
    const again = new PageCache(dir, 3 * 4100, 4096);
    expect(again.get('b', 1)).toEqual(page(4));
    const file = path.join(dir, 'b.0.page');
    const buf = fs.readFileSync(file); buf[10] ^= 1; fs.writeFileSync(file, buf);
    expect(again.get('b', 0)).toBeNull();
    expect(fs.existsSync(file)).toBe(false);
    again.dropBlock('b');
    expect(again.stats().pages).toBe(1);
  });
});

describe('pin file', () => {
  it('round-trips and rejects a damaged file', () => {
    const pin = new Pin(1000, 'ab'.repeat(32), [{ offset: 0, data: new Uint8Array([1, 2, 3]) }, { offset: 900, data: new Uint8Array(100).fill(7) }]);
    const back = Pin.decode(pin.encode());
    expect(back.size).toBe(1000);
    expect(back.sha256).toBe('ab'.repeat(32));
    expect(back.read(950, 10)).toEqual(new Uint8Array(10).fill(7));
    expect(back.read(2, 2)).toBeNull(); // crosses the end of a pinned range
    const bad = pin.encode(); bad[60] ^= 1;
    expect(() => Pin.decode(bad)).toThrow(/checksum/);
  });
});
