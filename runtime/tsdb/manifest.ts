// The manifest: the authoritative list of blocks (FORMAT-manifest.md). A block exists
// for readers only once the manifest naming it is durable; every change replaces the
// whole file atomically (temp, fsync, rename, fsync dir).
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../platform';

export interface BlockMeta {
  id: string;
  /** write generation: on equal (tag, ts) the block with the higher seq holds the newer write */
  seq: number;
  minT: number;
  maxT: number;
  /** 0 = cut from the head, 1.. = compacted into the level's range */
  level: number;
  bytes: number;
  samples: number;
  series: number;
  /** which BlockSource holds it: "local", or e.g. "remote" once the tier mover moved it */
  location: string;
}

interface ManifestFile { version: 1; nextSeq: number; blocks: BlockMeta[] }

export class Manifest {
  private constructor(readonly file: string, private data: ManifestFile) {}

  static load(file: string): Manifest {
    if (!fs.existsSync(file)) return new Manifest(file, { version: 1, nextSeq: 1, blocks: [] });
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as ManifestFile;
    if (data.version !== 1 || !Array.isArray(data.blocks)) throw new Error(`manifest ${file}: unsupported version ${data.version}`);
    return new Manifest(file, data);
  }

  get blocks(): readonly BlockMeta[] { return this.data.blocks; }

  /** Allocates a write generation (persisted with the next commit). */
  nextSeq(): number { return this.data.nextSeq++; }

  /** Atomically adds and removes blocks. */
  commit(add: BlockMeta[], remove: readonly string[] = [], update: BlockMeta[] = []): void {
    const gone = new Set(remove);
    const upd = new Map(update.map((b) => [b.id, b]));
    const blocks = this.data.blocks.filter((b) => !gone.has(b.id)).map((b) => upd.get(b.id) ?? b).concat(add);
    blocks.sort((a, b) => a.minT - b.minT || a.seq - b.seq);
    const next: ManifestFile = { version: 1, nextSeq: this.data.nextSeq, blocks };
    writeFileAtomic(this.file, JSON.stringify(next, null, 1));
    this.data = next;
  }
}
