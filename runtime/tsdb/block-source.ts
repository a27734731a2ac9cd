// Where block files live. The engine reads blocks only through this interface so the
// tier mover can put old blocks in object storage (location "remote") behind the same
// calls; the manifest records each block's location.
import fs from 'node:fs';
import path from 'node:path';

export interface BlockSource {
  /** the manifest's `location` value this source serves, e.g. "local" */
  readonly location: string;
  read(id: string, offset: number, length: number): Promise<Uint8Array>;
  size(id: string): Promise<number>;
  remove(id: string): Promise<void>;
  close?(): Promise<void>;
}

const MAX_OPEN = 256;

/** Block files in a local directory, `<id>.blk`, with a small cache of open descriptors. */
export class LocalBlockSource implements BlockSource {
  readonly location: string = 'local';
  private fds = new Map<string, number>();

  constructor(readonly dir: string) {}

  file(id: string): string {
    return path.join(this.dir, `${id}.blk`);
  }

  private fd(id: string): number {
    let fd = this.fds.get(id);
    if (fd !== undefined) {
      this.fds.delete(id); this.fds.set(id, fd); // most recently used last
      return fd;
    }
    fd = fs.openSync(this.file(id), 'r');
    this.fds.set(id, fd);
    if (this.fds.size > MAX_OPEN) {
      const [oldId, oldFd] = this.fds.entries().next().value as [string, number];
      this.fds.delete(oldId);
      fs.closeSync(oldFd);
    }
    return fd;
  }

  async read(id: string, offset: number, length: number): Promise<Uint8Array> {
    return this.readSync(id, offset, length);
  }

  readSync(id: string, offset: number, length: number): Uint8Array {
    const buf = new Uint8Array(length);
    const fd = this.fd(id);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(fd, buf, got, length - got, offset + got);
      if (n === 0) throw new Error(`block ${id}: unexpected end of file at ${offset + got}`);
      got += n;
    }
    return buf;
  }

  async size(id: string): Promise<number> {
    return fs.fstatSync(this.fd(id)).size;
  }

  async remove(id: string): Promise<void> {
    this.forget(id);
    fs.rmSync(this.file(id), { force: true });
  }

  forget(id: string): void {
    const fd = this.fds.get(id);
    if (fd !== undefined) { this.fds.delete(id); fs.closeSync(fd); }
  }

  async close(): Promise<void> {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }
}
