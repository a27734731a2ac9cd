// The tier mover against the real S3-API test server: blocks older than the policy move,
// queries across local and remote blocks answer exactly as before, Parquet copies equal
// the blocks, retention deletes from the bucket (audited), a server stopped mid-upload and
// a corrupted object lose nothing and are reported.
import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3, type S3Server } from '../../helpers/s3';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { TierMover, type TierAuditEvent } from '../../../runtime/tier';
import { ObjectKeys } from '../../../runtime/tier/s3-settings';
import type { TsdbStore } from '../../../runtime/tsdb/store';
import { BlockReader } from '../../../runtime/tsdb/block';
import { D, NOW, openStore, seedBig, seedWeeks, snapshot, TAGS, W } from './fixture';

const BUCKET = 'archive';

describe('tier mover against an S3-API server', () => {
  let s3: S3Server;
  let client: S3Client;
  let tmp: string;
  beforeAll(async () => {
    s3 = await startS3();
    await s3.createBucket(BUCKET);
    client = s3.client();
    tmp = await makeTempDir('tier-int-');
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.dispose();
    await removeTempDir(tmp);
  });

  const settings = (prefix: string) => ({
    endpoint: s3.endpoint, region: s3.region, bucket: BUCKET, prefix, forcePathStyle: true,
    accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey,
  });
  const fast = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

  async function keys(prefix: string): Promise<string[]> {
    const r = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return (r.Contents ?? []).map((o) => o.Key!).sort();
  }

  it('moves old blocks, answers queries exactly as before, writes Parquet, applies retention', async () => {
    const dir = path.join(tmp, 'main');
    let now = NOW;
    let store: TsdbStore = await openStore(dir, { clock: () => now, retentionMs: 100 * D });
    await seedWeeks(store, 6);
    await seedBig(store, 6);
    const before = await snapshot(store);
    const audit: TierAuditEvent[] = [];
    const metrics = new Registry();
    const mover = new TierMover({
      store, storeName: 'main', s3: settings('hist'), policyAgeMs: 30 * D, parquet: true, partBytes: 5 << 20,
      retry: fast, metrics, onAudit: (e) => audit.push(e), clock: () => now, retentionMs: 100 * D,
    });
    const old = store.blocks().filter((b) => b.maxT < NOW - 30 * D).map((b) => b.id).sort();
    expect(old.length).toBe(4); // weeks 0..3 end more than 30 days before NOW
    const report = await mover.runOnce();
    expect(report.errors).toEqual([]);
    expect(report.moved.sort()).toEqual(old);
    for (const b of store.blocks()) {
      expect(b.location).toBe(old.includes(b.id) ? 'remote' : 'local');
      expect(fs.existsSync(path.join(dir, 'blocks', `${b.id}.blk`))).toBe(!old.includes(b.id));
    }
    expect(await keys('hist/main/blocks/')).toEqual(old.map((id) => `hist/main/blocks/${id}.blk`));
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `hist/main/blocks/${old[0]}.blk` }));
    expect(head.Metadata?.sha256).toMatch(/^[0-9a-f]{64}$/);

    // sample by sample, through a fresh process view too (reopened store, no cached readers)
    expect(await snapshot(store)).toEqual(before);
    expect(mover.summary().cache.misses).toBeGreaterThan(0);
    await store.close();
    store = await openStore(dir, { clock: () => now, retentionMs: 100 * D });
    const mover2 = new TierMover({ store, storeName: 'main', s3: settings('hist'), policyAgeMs: 30 * D, retry: fast, metrics, onAudit: (e) => audit.push(e), clock: () => now, retentionMs: 100 * D });
    expect(await snapshot(store)).toEqual(before);
    const sum = mover2.summary();
    expect(sum.remote.blocks).toBe(4);
    expect(sum.local.blocks).toBe(4);
    // the page cache on disk survived the restart: no page fetched again
    expect(sum.cache.misses).toBe(0);
    expect(sum.cache.hits).toBeGreaterThan(0);
    // the second read of the same range comes from the page cache
    const hitsBefore = mover2.summary().cache.hits;
    await snapshot(store, [TAGS[0]]);
    expect(mover2.summary().cache.hits).toBeGreaterThan(hitsBefore);
    const text = await metrics.metrics();
    expect(text).toMatch(/historian_tier_blocks_moved_total\{store="main"\} 4/);
    expect(text).toMatch(/historian_tier_uploaded_bytes_total\{store="main"\} [1-9]/);

    // Parquet copies hold exactly the block's samples
    const { parquetReadObjects } = await import('hyparquet');
    const pk = new ObjectKeys('hist', 'main');
    const parquetKeys = await keys('hist/parquet/store=main/');
    // Hive layout: one file per UTC day of the block
    expect([...new Set(parquetKeys.map((k) => pk.parquetIdOf(k)))].sort()).toEqual(old);
    for (const id of old) {
      const rows: Array<Record<string, unknown>> = [];
      for (const key of parquetKeys.filter((k) => pk.parquetIdOf(k) === id)) {
        const obj = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        const bytes = await obj.Body!.transformToByteArray();
        const part = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer });
        const day = /date=(\d{4}-\d{2}-\d{2})\//.exec(key)![1];
        for (const r of part) expect(new Date((r.ts as Date).getTime()).toISOString().slice(0, 10), key).toBe(day);
        rows.push(...part);
      }
      const reader = await BlockReader.open(id, mover2.source);
      const expected: unknown[] = [];
      for (const [tag, s] of reader.series) for (const c of s.chunks) {
        const cols = await reader.loadChunk(c);
        for (let i = 0; i < cols.ts.length; i++) expected.push({ tag, ts: cols.ts[i], value: cols.values[i], quality: cols.quality[i] });
      }
      const byTagTime = (a: any, b: any) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : a.ts - b.ts);
      const got = rows.map((r: Record<string, unknown>) => ({ tag: r.tag, ts: (r.ts as Date).getTime(), value: r.value, quality: r.quality })).sort(byTagTime);
      expect(got.length).toBe(expected.length);
      expect(got).toEqual(expected.sort(byTagTime));
    }

    // cold-tier retention: advance time past the retention of the two oldest weeks
    now = NOW + 55 * D; // retention cutoff at T0 + 15 d: weeks 0 and 1 expire
    const expired = store.blocks().filter((b) => b.maxT < now - 100 * D).map((b) => b.id).sort();
    expect(expired.length).toBe(2);
    await store.maintain();
    await waitFor(async () => (await keys('hist/main/blocks/')).length === 2, { what: 'expired objects deleted', timeoutMs: 10_000 });
    expect([...new Set((await keys('hist/parquet/store=main/')).map((k) => pk.parquetIdOf(k)))].sort()).toEqual(old.filter((id) => !expired.includes(id)));
    const deletions = audit.filter((e) => e.action === 'tier.object.deleted');
    expect(deletions.map((e) => e.blockId).sort()).toEqual(expired);
    for (const e of deletions) {
      expect(e.reason).toBe('retention');
      expect(e.keys[0]).toBe(`hist/main/blocks/${e.blockId}.blk`);
      expect(e.keys.length).toBeGreaterThan(1);
      for (const k of e.keys.slice(1)) expect(pk.parquetIdOf(k)).toBe(e.blockId);
      expect(e.maxT).toBeLessThan(now - 100 * D);
    }
    await store.close();
  });

  it('a server stopped mid-upload loses nothing; the next pass completes the move', async () => {
    const dir = path.join(tmp, 'stop');
    const store = await openStore(dir);
    await seedBig(store, 0);
    const before = await snapshot(store, ['plant.big.noise']);
    let killed = false;
    const metrics = new Registry();
    const mover = new TierMover({
      store, storeName: 'stop', s3: settings('hist'), policyAgeMs: 30 * D, partBytes: 5 << 20, retry: fast, metrics,
      onStep: (step) => { if (step === 'part' && !killed) { killed = true; s3.kill(); } },
    });
    const r1 = await mover.runOnce();
    expect(killed).toBe(true);
    expect(r1.moved).toEqual([]);
    expect(r1.errors.length).toBe(1);
    expect(r1.errors[0].step).toBe('upload');
    expect(store.blocks()[0].location).toBe('local');
    expect(await snapshot(store, ['plant.big.noise'])).toEqual(before);
    expect(await metrics.metrics()).toMatch(/historian_tier_errors_total\{store="stop",step="upload"\} 1/);
    expect(mover.status().lastError).toMatch(/upload/);
    await s3.restart();
    const r2 = await mover.runOnce();
    expect(r2.errors).toEqual([]);
    expect(r2.recovered.abortedUploads).toBe(1); // the multipart upload cut short
    expect(r2.moved.length).toBe(1);
    expect(store.blocks()[0].location).toBe('remote');
    expect(await snapshot(store, ['plant.big.noise'])).toEqual(before);
    await store.close();
  });

  it('a corrupted remote object is reported and never served; other blocks still answer', async () => {
    const dir = path.join(tmp, 'corrupt');
    let store = await openStore(dir);
    await seedWeeks(store, 2);
    const before = await snapshot(store, TAGS);
    const m1 = new TierMover({ store, storeName: 'corrupt', s3: settings('hist'), policyAgeMs: 30 * D, retry: fast });
    expect((await m1.runOnce()).moved.length).toBe(2);
    await store.close();
    const [victim, healthy] = store.blocks().map((b) => b.id);
    // flip bytes in the middle of the victim's object on the server's disk
    const metaFile = path.join(s3.dir, BUCKET, 'objects', `${Buffer.from(`hist/corrupt/blocks/${victim}.blk`).toString('base64url')}.json`);
    const blob = path.join(s3.dir, BUCKET, 'data', JSON.parse(fs.readFileSync(metaFile, 'utf8')).blob);
    const data = fs.readFileSync(blob);
    for (let i = 1000; i < data.length / 2; i += 4096) data[i] ^= 0xff;
    fs.writeFileSync(blob, data);
    fs.rmSync(path.join(dir, 'tier', 'cache'), { recursive: true, force: true });

    store = await openStore(dir);
    const audit: TierAuditEvent[] = [];
    const metrics = new Registry();
    const m2 = new TierMover({ store, storeName: 'corrupt', s3: settings('hist'), policyAgeMs: 30 * D, retry: fast, metrics, onAudit: (e) => audit.push(e) });
    // the query that finds the damage returns only chunks that passed their checksum
    const first = await snapshot(store, TAGS);
    const victimMeta = store.blocks().find((b) => b.id === victim)!;
    for (const tag of TAGS) {
      const original = new Map(before.raw[tag].map((r) => [r[0], r]));
      for (const row of first.raw[tag]) expect(row).toEqual(original.get(row[0]));
    }
    // from then on the block is refused as a whole; the healthy block and the local one answer in full
    const after = await snapshot(store, TAGS);
    for (const tag of TAGS) {
      const outside = before.raw[tag].filter(([t]) => t < victimMeta.minT || t > victimMeta.maxT);
      expect(after.raw[tag]).toEqual(outside);
      expect(outside.length).toBeLessThan(before.raw[tag].length);
    }
    expect(store.stats().corruptBlocks).toBe(1);
    expect(m2.summary().corrupt).toEqual([victim]);
    expect(audit.some((e) => e.action === 'tier.object.corrupt' && e.blockId === victim)).toBe(true);
    expect(await metrics.metrics()).toMatch(/historian_tier_corrupt_objects_total\{store="corrupt"\} 1/);
    // nothing of the corrupt object was cached
    expect(fs.readdirSync(path.join(dir, 'tier', 'cache')).filter((f) => f.startsWith(victim))).toEqual([]);
    expect(await m2.source.verifyObject(healthy)).toBe(true);
    await store.close();
  });
});
