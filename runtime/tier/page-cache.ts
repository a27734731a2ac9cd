// An LRU cache of remote block bytes on local disk (FORMAT-cache.md): fixed-size pages
// of the objects, each file carrying a CRC32 so a page damaged on disk is dropped and
// fetched again, never served. The total size stays under a limit; least recently used
// pages go first. Recency survives restarts through the files' modification times.
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from '../platform';

interface Entry { file: string; bytes: number }

export interface PageCacheStats { hits: number; misses: number; bytes: number; pages: number; limitBytes: number }

export class PageCache {
  private entries = new Map<string, Entry>(); // insertion order = recency (last = newest)
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly dir: string, readonly limitBytes: number, readonly pageBytes: number) {
    if (!(limitBytes >= 0)) throw new Error(`cacheBytes: must be zero or more (got ${limitBytes})`);
    if (!(pageBytes >= 4096) || !Number.isInteger(pageBytes)) throw new Error(`pageBytes: must be an integer of at least 4096 (got ${pageBytes})`);
    fs.mkdirSync(dir, { recursive: true });
    const found: Array<{ key: string; bytes: number; mtime: number }> = [];
    for (const f of fs.readdirSync(dir)) {
      const file = path.join(dir, f);
      if (f.endsWith('.tmp')) { fs.rmSync(file, { force: true }); continue; }
      const key = keyOfFile(f);
      if (!key) continue;
      const st = fs.statSync(file);
      found.push({ key, bytes: st.size, mtime: st.mtimeMs });
    }
    found.sort((a, b) => a.mtime - b.mtime);
    for (const f of found) { this.entries.set(f.key, { file: path.join(dir, fileOfKey(f.key)), bytes: f.bytes }); this.bytes += f.bytes; }
    this.evict();
  }

  /** A page, or null (missing, or damaged on disk: then it is dropped). */
  get(id: string, page: number): Uint8Array | null {
    const key = `${id}@${page}`;
    const e = this.entries.get(key);
    if (!e) { this.misses++; return null; }
    let buf: Buffer;
    try { buf = fs.readFileSync(e.file); } catch { this.drop(key); this.misses++; return null; }
    const data = buf.subarray(0, buf.length - 4);
    if (buf.length < 4 || crc32(data) !== buf.readUInt32LE(buf.length - 4)) { this.drop(key); this.misses++; return null; }
    this.entries.delete(key); this.entries.set(key, e);
    const now = new Date();
    try { fs.utimesSync(e.file, now, now); } catch { /* recency on disk is a hint only */ }
    this.hits++;
    return new Uint8Array(data);
  }

  put(id: string, page: number, data: Uint8Array): void {
    if (this.limitBytes === 0 || data.length + 4 > this.limitBytes) return;
    const key = `${id}@${page}`;
    this.drop(key);
    const file = path.join(this.dir, fileOfKey(key));
    const tail = Buffer.alloc(4);
    tail.writeUInt32LE(crc32(data));
    // Not durable on purpose: a page is a copy of an object in the bucket, checked by its CRC
    // on read, so a page lost or torn by a power cut is a cache miss. fsync per page would
    // cost a disk flush on every cold read. A crash mid-write leaves a .tmp (removed on open).
    writeFileAtomic(file, Buffer.concat([data, tail]), { durable: false });
    this.entries.set(key, { file, bytes: data.length + 4 });
    this.bytes += data.length + 4;
    this.evict();
  }

  /** Drops every page of a block (removed, or found corrupt). */
  dropBlock(id: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(`${id}@`)) this.drop(key);
  }

  drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.bytes -= e.bytes;
    fs.rmSync(e.file, { force: true });
  }

  private evict(): void {
    while (this.bytes > this.limitBytes && this.entries.size) this.drop(this.entries.keys().next().value as string);
  }

  stats(): PageCacheStats {
    return { hits: this.hits, misses: this.misses, bytes: this.bytes, pages: this.entries.size, limitBytes: this.limitBytes };
  }
}

function fileOfKey(key: string): string {
  const at = key.lastIndexOf('@');
  return `${key.slice(0, at)}.${key.slice(at + 1)}.page`;
}

function keyOfFile(f: string): string | null {
  const m = /^(.+)\.(\d+)\.page$/.exec(f);
  return m ? `${m[1]}@${m[2]}` : null;
}
