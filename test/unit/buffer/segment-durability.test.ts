// What `fsync: 'always'` promises (FORMAT-segment.md): when push() resolves, every byte of
// the entry is on disk, in whichever segment it landed, and so is the segment's name in
// the directory. A roll to a new segment must not leave the old one's tail unsynced.
import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DurableQueue } from '../../../runtime/buffer';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

let dir = '';
afterEach(async () => { vi.restoreAllMocks(); if (dir) await removeTempDir(dir); });

describe('segment durability with fsync always', () => {
  it('every written segment is synced after its last write, and the directory after each new segment', async () => {
    dir = await makeTempDir('historian-buffer-sync-');
    const ops: Array<[string, number]> = [];
    const dirFds = new Set<number>();
    const open = fs.openSync;
    vi.spyOn(fs, 'openSync').mockImplementation(((p: fs.PathLike, flags: fs.OpenMode = 'r', mode?: fs.Mode) => {
      const fd = open(p, flags, mode);
      if (fs.statSync(p).isDirectory()) dirFds.add(fd);
      else if (flags === 'wx+') ops.push(['create', fd]);
      return fd;
    }) as typeof fs.openSync);
    const write = fs.writeSync;
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, ...rest: unknown[]) => { ops.push(['write', fd]); return (write as (...a: unknown[]) => number)(fd, ...rest); }) as typeof fs.writeSync);
    const datasync = fs.fdatasyncSync;
    vi.spyOn(fs, 'fdatasyncSync').mockImplementation((fd: number) => { ops.push(['sync', fd]); datasync(fd); });
    const fsync = fs.fsyncSync;
    vi.spyOn(fs, 'fsyncSync').mockImplementation((fd: number) => { ops.push([dirFds.has(fd) ? 'dirsync' : 'sync', fd]); fsync(fd); });

    const q = DurableQueue.open({ dir, journal: 'always', fsync: 'always', segmentBytes: 4096 });
    try {
      let creates = 0;
      for (let i = 0; i < 40; i++) {
        ops.length = 0;
        await q.push({ source: 'gw1', subject: 'hist.t', count: 1, body: Buffer.alloc(700, i) });
        // after each acknowledged push: no written file descriptor waits for a sync
        const lastWrite = new Map<number, number>();
        const lastSync = new Map<number, number>();
        ops.forEach(([op, fd], k) => { if (op === 'write') lastWrite.set(fd, k); if (op === 'sync') lastSync.set(fd, k); });
        for (const [fd, k] of lastWrite) expect(lastSync.get(fd) ?? -1, `segment fd ${fd} synced after its last write (push ${i})`).toBeGreaterThan(k);
        const created = ops.filter(([op]) => op === 'create').length;
        creates += created;
        if (created) expect(ops.findIndex(([op]) => op === 'dirsync'), `directory synced after a new segment (push ${i})`).toBeGreaterThan(ops.findIndex(([op]) => op === 'create'));
      }
      // 40 entries of 700 bytes in 4 KiB segments: the rolls under test happened
      expect(creates).toBeGreaterThan(3);
    } finally { q.close(); }
  });
});
