import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fsyncDir, renameDurable, writeFileAtomic } from '../../../runtime/platform';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

// Records the file-system calls so the order temp write → fsync → rename → fsync dir is
// checked, not only the end result (a missing fsync leaves the same file until a power cut).
const trace = vi.hoisted(() => [] as string[]);
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const names = new Map<number, string>();
  const wrapped = {
    ...real,
    openSync: (p: fs.PathLike, flags: fs.OpenMode, mode?: fs.Mode | null) => {
      const fd = real.openSync(p, flags, mode);
      names.set(fd, path.basename(String(p)));
      return fd;
    },
    fsyncSync: (fd: number) => { trace.push(`fsync ${names.get(fd)}`); real.fsyncSync(fd); },
    renameSync: (a: fs.PathLike, b: fs.PathLike) => { trace.push(`rename ${path.basename(String(a))} ${path.basename(String(b))}`); real.renameSync(a, b); },
  };
  return { ...wrapped, default: wrapped };
});


const dirs: string[] = [];
afterEach(async () => { trace.length = 0; for (const d of dirs.splice(0)) await removeTempDir(d); });
async function tmp(): Promise<string> { const d = await makeTempDir('historian-atomic-'); dirs.push(d); return d; }

describe('atomic file replace', () => {
  it('writes a temp file, fsyncs it, renames it over the target, fsyncs the directory', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'state.json');
    fs.writeFileSync(file, 'old');
    writeFileAtomic(file, '{"new":true}');
    expect(fs.readFileSync(file, 'utf8')).toBe('{"new":true}');
    expect(trace).toEqual(['fsync state.json.tmp', 'rename state.json.tmp state.json', `fsync ${path.basename(dir)}`]);
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
  });

  it('takes bytes, a mode for a new file, and creates the directory when asked', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'a', 'b', 'key.pem');
    writeFileAtomic(file, new Uint8Array([1, 2, 3]), { mode: 0o600, mkdir: true });
    expect([...fs.readFileSync(file)]).toEqual([1, 2, 3]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(() => writeFileAtomic(path.join(dir, 'missing', 'x'), 'x')).toThrow(/ENOENT/);
  });

  it('without durability still replaces atomically but never fsyncs (caches)', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'page');
    writeFileAtomic(file, 'p1', { durable: false });
    writeFileAtomic(file, 'p2', { durable: false });
    expect(fs.readFileSync(file, 'utf8')).toBe('p2');
    expect(trace).toEqual(['rename page.tmp page', 'rename page.tmp page']);
  });

  it('leaves the old content when the rename fails', async () => {
    const dir = await tmp();
    const target = path.join(dir, 'busy');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'inside'), 'x');
    expect(() => writeFileAtomic(target, 'new')).toThrow();
    expect(fs.readFileSync(path.join(target, 'inside'), 'utf8')).toBe('x');
  });

  it('publishes a streamed temp file durably, and fsyncs a directory', async () => {
    const dir = await tmp();
    fs.writeFileSync(path.join(dir, 'blk.tmp'), 'block');
    renameDurable(path.join(dir, 'blk.tmp'), path.join(dir, 'blk'));
    expect(fs.readFileSync(path.join(dir, 'blk'), 'utf8')).toBe('block');
    expect(trace).toEqual(['rename blk.tmp blk', `fsync ${path.basename(dir)}`]);
    expect(() => fsyncDir(path.join(dir, 'nope'))).toThrow(/ENOENT/);
  });
});
