// One owner process for a directory: a lock file holding the owner's pid. A lock whose
// process is gone (a crash, kill -9, a power cut) is taken over, and the owner may take its
// own lock again (a store reopened, a server restarted in the same process).
import fs from 'node:fs';

export class PidLockError extends Error {
  constructor(readonly pid: number, readonly file: string, message: string) {
    super(message);
    this.name = 'PidLockError';
  }
}

/** Takes `file` for this process; throws PidLockError ("<what> is in use by process N") while another live process holds it. */
export function takePidLock(file: string, what: string): void {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8'));
    if (pid && pid !== process.pid && pidAlive(pid) && mayBeNode(pid)) throw new PidLockError(pid, file, `${what} is in use by process ${pid}`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.writeFileSync(file, String(process.pid));
}

/** Gives the lock back (only its owner calls this). */
export function releasePidLock(file: string): void {
  fs.rmSync(file, { force: true });
}

export function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Whether a live process could be the lock's owner: after a reboot its pid may have gone
 * to another program, whose lock would otherwise refuse every start. Where the command
 * line cannot be read (not Linux), any live process counts.
 */
function mayBeNode(pid: number): boolean {
  try {
    return /node/i.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true;
  }
}
