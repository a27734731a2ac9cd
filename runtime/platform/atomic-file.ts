// Files that must never be seen half-written: write a temp file next to the target, fsync it,
// rename it over the target, fsync the directory so the rename itself survives a power cut.
// A crash leaves the old content or the new one, never a torn mix.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface AtomicWriteOptions {
  /** file mode of a new file (default 0o666 minus umask) */
  mode?: number;
  /**
   * false skips both fsyncs: the replace is still all-or-nothing for readers, but after a power
   * cut the file may be empty or lost. Only for data that is checked on read and can be
   * rebuilt (a cache); default true.
   */
  durable?: boolean;
  /** create the parent directory first (default false) */
  mkdir?: boolean;
}

/** The temp file used by writeFileAtomic for `file` (a leftover one is garbage after a crash). */
export function tempFileOf(file: string): string {
  return `${file}.tmp`;
}

/** Replaces `file` with `data` atomically (temp, fsync, rename, fsync dir). */
export function writeFileAtomic(file: string, data: string | Uint8Array, o: AtomicWriteOptions = {}): void {
  const durable = o.durable ?? true;
  if (o.mkdir) fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempFileOf(file);
  const fd = fs.openSync(tmp, 'w', o.mode);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    if (durable) fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  if (durable) renameDurable(tmp, file);
  else fs.renameSync(tmp, file);
}

/**
 * Publishes an already fsynced temp file under its final name and makes the rename durable.
 * For files written as a stream (blocks) where writeFileAtomic's one buffer does not fit.
 */
export function renameDurable(tmp: string, file: string): void {
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

/**
 * Makes the directory entries of `dir` durable (a created, renamed or removed file). Some file
 * systems refuse fsync on a directory (EINVAL, EISDIR, EPERM on a few network and Windows
 * file systems); there the rename is still atomic and nothing more can be done.
 */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw e;
  } finally {
    fs.closeSync(fd);
  }
}
