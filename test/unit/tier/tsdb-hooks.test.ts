// The storage engine's hooks for the tier mover: which blocks are sealed, attaching a
// block source after open, relocating a block atomically, and the stale local copy.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { LocalBlockSource, type BlockSource } from '../../../runtime/tsdb/block-source';
import { TsdbStore } from '../../../runtime/tsdb/store';

const H = 3_600_000, D = 24 * H;
const T0 = Date.UTC(2024, 0, 1);

function cols(n: number, start: number, step: number) {
  const ts = new Float64Array(n), values = new Float64Array(n), quality = new Uint16Array(n);
  for (let i = 0; i < n; i++) { ts[i] = start + i * step; values[i] = i * 0.5; }
  return { ts, values, quality };
}

/** A second directory posing as another location. */
class DirSource extends LocalBlockSource {
  override readonly location: string = 'remote';
}

describe('tsdb tiering hooks', () => {
  let dir: string;
  let other: string;
  beforeEach(async () => { dir = await makeTempDir('tier-hooks-'); other = await makeTempDir('tier-hooks-remote-'); });
  afterEach(async () => { await removeTempDir(dir); await removeTempDir(other); });

  it('lists only top-level blocks whose range is closed and not pending a merge', async () => {
    let now = T0 + 60 * D;
    const store = await TsdbStore.open({ dir, blockRangeMs: H, maintenanceIntervalMs: 0, clock: () => now });
    try {
      const old = await store.importBlock([{ tag: 'a.b', cols: cols(100, T0, 60_000) }], 3);
      const low = await store.importBlock([{ tag: 'a.b', cols: cols(100, T0 + 20 * D, 60_000) }], 1);
      const recent = await store.importBlock([{ tag: 'a.b', cols: cols(100, now - H, 1000) }], 3);
      const sealed = store.sealedBlocks().map((b) => b.id);
      expect(sealed).toEqual([old!.id]);
      expect(sealed).not.toContain(low!.id);
      expect(sealed).not.toContain(recent!.id);
      // a lower-level block inside a sealed block's week keeps it out until compaction merged it
      await store.importBlock([{ tag: 'x.y', cols: cols(10, T0 + 2 * H, 1000) }], 0);
      expect(store.sealedBlocks().map((b) => b.id)).not.toContain(old!.id);
      now += 1; // keep the clock moving; nothing else changes
    } finally { await store.close(); }
  });

  it('relocates a block atomically and queries read it from the attached source', async () => {
    const store = await TsdbStore.open({ dir, blockRangeMs: H, maintenanceIntervalMs: 0, clock: () => T0 + 60 * D });
    const remote: BlockSource = new DirSource(other);
    try {
      const b = (await store.importBlock([{ tag: 'a.b', cols: cols(500, T0, 1000) }], 3))!;
      await expect(store.relocateBlock(b.id, 'local', 'remote')).rejects.toThrow(/to: no block source for location "remote"/);
      store.attachBlockSource(remote);
      expect(store.blockSource('remote')).toBe(remote);
      fs.copyFileSync(path.join(dir, 'blocks', `${b.id}.blk`), path.join(other, `${b.id}.blk`));
      const moved = await store.relocateBlock(b.id, 'local', 'remote');
      expect(moved.location).toBe('remote');
      expect(store.blocks().find((x) => x.id === b.id)!.location).toBe('remote');
      expect(fs.existsSync(path.join(dir, 'blocks', `${b.id}.blk`))).toBe(false);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
      expect(manifest.blocks[0].location).toBe('remote');
      let n = 0;
      for await (const batch of store.raw({ tag: 'a.b', from: 0, to: 8e12 })) n += batch.ts.length;
      expect(n).toBe(500);
      await expect(store.relocateBlock(b.id, 'local', 'remote')).rejects.toThrow(/is at "remote", not "local"/);
      await expect(store.relocateBlock('nope', 'local', 'remote')).rejects.toThrow(/not in the manifest/);
    } finally { await store.close(); }
  });

  it('a remote block read before its source is attached is not marked corrupt', async () => {
    const b = await (async () => {
      const s = await TsdbStore.open({ dir, blockRangeMs: H, maintenanceIntervalMs: 0 });
      s.attachBlockSource(new DirSource(other));
      const meta = (await s.importBlock([{ tag: 'a.b', cols: cols(50, T0, 1000) }], 3))!;
      fs.copyFileSync(path.join(dir, 'blocks', `${meta.id}.blk`), path.join(other, `${meta.id}.blk`));
      await s.relocateBlock(meta.id, 'local', 'remote');
      await s.close();
      return meta;
    })();
    const store = await TsdbStore.open({ dir, blockRangeMs: H, maintenanceIntervalMs: 0 });
    try {
      let n = 0;
      for await (const batch of store.raw({ tag: 'a.b', from: 0, to: 8e12 })) n += batch.ts.length;
      expect(n).toBe(0);
      expect(store.stats().corruptBlocks).toBe(0);
      expect(store.stats().readErrors).toBe(1);
      store.attachBlockSource(new DirSource(other));
      for await (const batch of store.raw({ tag: 'a.b', from: 0, to: 8e12 })) n += batch.ts.length;
      expect(n).toBe(50);
      expect(store.blocks().map((x) => x.id)).toEqual([b.id]);
    } finally { await store.close(); }
  });

  it('deletes the stale local copy of a relocated block on open (crash after the manifest commit)', async () => {
    const s = await TsdbStore.open({ dir, blockRangeMs: H, maintenanceIntervalMs: 0 });
    s.attachBlockSource(new DirSource(other));
    const meta = (await s.importBlock([{ tag: 'a.b', cols: cols(50, T0, 1000) }], 3))!;
    const file = path.join(dir, 'blocks', `${meta.id}.blk`);
    const saved = fs.readFileSync(file);
    fs.writeFileSync(path.join(other, `${meta.id}.blk`), saved);
    await s.relocateBlock(meta.id, 'local', 'remote');
    await s.close();
    fs.writeFileSync(file, saved); // as if the process died before deleting it
    const store = await TsdbStore.open({ dir, blockRangeMs: H, maintenanceIntervalMs: 0 });
    try {
      expect(fs.existsSync(file)).toBe(false);
      expect(store.blocks()[0].location).toBe('remote');
    } finally { await store.close(); }
  });
});

describe('tsdb retention hook', () => {
  it('exposes the store-wide retention', async () => {
    const dir = await makeTempDir('tier-hooks-ret-');
    try {
      const a = await TsdbStore.open({ dir: path.join(dir, 'a'), maintenanceIntervalMs: 0, retentionMs: 5 * D });
      const b = await TsdbStore.open({ dir: path.join(dir, 'b'), maintenanceIntervalMs: 0 });
      expect(a.retentionMs).toBe(5 * D);
      expect(b.retentionMs).toBeNull();
      await a.close(); await b.close();
    } finally { await removeTempDir(dir); }
  });
});
