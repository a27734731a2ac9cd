import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PidLockError, releasePidLock, takePidLock } from '../../../runtime/platform';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';

let dir: string;
let file: string;
const children: ChildProcess[] = [];
beforeEach(async () => { dir = await makeTempDir('pid-lock-'); file = join(dir, 'x.pid'); });
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await removeTempDir(dir);
});

/** A live process of the given program, and its pid once it runs that program (not yet the forked parent's). */
async function running(cmd: string, args: string[], shows: RegExp): Promise<number> {
  const c = spawn(cmd, args, { stdio: 'ignore' });
  children.push(c);
  await waitFor(() => { try { return shows.test(readFileSync(`/proc/${c.pid}/cmdline`, 'utf8')); } catch { return false; } }, { what: `${cmd} to run` });
  return c.pid!;
}

describe('pid lock', () => {
  it('is refused while another Node process holds it, naming the process', async () => {
    const pid = await running(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], /setTimeout/);
    writeFileSync(file, String(pid));
    let err: unknown;
    try { takePidLock(file, 'data directory /x'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(PidLockError);
    expect((err as PidLockError).message).toBe(`data directory /x is in use by process ${pid}`);
    expect(readFileSync(file, 'utf8')).toBe(String(pid));
  });

  it('is taken over from a process that is gone, or whose pid another program now has', async () => {
    writeFileSync(file, '999999999');
    takePidLock(file, 'x');
    expect(readFileSync(file, 'utf8')).toBe(String(process.pid));
    const other = await running('sleep', ['30'], /^sleep/);
    writeFileSync(file, String(other));
    takePidLock(file, 'x');
    expect(readFileSync(file, 'utf8')).toBe(String(process.pid));
  });

  it('may be taken again by its owner, and is gone once released', () => {
    takePidLock(file, 'x');
    takePidLock(file, 'x');
    releasePidLock(file);
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
  });
});
