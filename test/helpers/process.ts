import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { WaitAbortedError, waitFor, type WaitOptions } from './wait';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process whose output is kept for failure messages and which is never orphaned by a normal exit. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number | undefined;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /** Set once the process has exited. */
  exitInfo(): ExitInfo | undefined;
  isRunning(): boolean;
  /** The retained stdout and stderr, interleaved as they arrived (the last ~256 KB). */
  logs(): string;
  /** Waits until the output matches `pattern`; fails at once if the process exits first. */
  waitForOutput(pattern: RegExp, options?: WaitOptions): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5 s); resolves once the process is gone. */
  stop(graceMs?: number): Promise<ExitInfo>;
  /** Sends a signal without waiting (SIGKILL simulates a crash). */
  kill(signal?: NodeJS.Signals): void;
}

const LOG_LIMIT = 256 * 1024;
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

// Servers started by a test must not outlive the test worker, even when a test forgot to
// stop them or failed half-way.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

export function describeExit(info: ExitInfo): string {
  return info.signal ? `killed by ${info.signal}` : `exited with code ${info.code}`;
}

export function spawnManaged(
  name: string,
  command: string,
  args: string[],
  options: Pick<SpawnOptions, 'cwd' | 'env' | 'detached'> = {},
): ManagedProcess {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let exit: ExitInfo | undefined;
  const append = (chunk: Buffer | string) => {
    log += chunk.toString();
    if (log.length > LOG_LIMIT) log = log.slice(log.length - LOG_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  running.add(child);
  installExitHook();

  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      append(`\n[failed to start ${command}: ${err.message}]\n`);
      // 'exit' may never fire when spawn itself failed
      if (!exit) {
        exit = { code: -1, signal: null };
        running.delete(child);
        resolve(exit);
      }
    });
    child.once('exit', (code, signal) => {
      if (!exit) exit = { code, signal };
      running.delete(child);
      resolve(exit);
    });
  });

  const managed: ManagedProcess = {
    name,
    child,
    pid: child.pid,
    exited,
    exitInfo: () => exit,
    isRunning: () => exit === undefined,
    logs: () => log,
    async waitForOutput(pattern, waitOptions = {}) {
      return waitFor<RegExpMatchArray | undefined>(
        () => {
          const match = log.match(pattern) ?? undefined;
          if (match) return match;
          if (exit) {
            throw new WaitAbortedError(`${name} ${describeExit(exit)} before printing ${pattern}`);
          }
          return undefined;
        },
        { intervalMs: 20, ...waitOptions, what: waitOptions.what ?? `${name} to print ${pattern}` },
      ) as Promise<RegExpMatchArray>;
    },
    async stop(graceMs = 5000) {
      if (exit) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    kill(signal = 'SIGKILL') {
      if (!exit) child.kill(signal);
    },
  };
  return managed;
}

/** The output of a process, framed for an error message. */
export function outputBlock(name: string, log: string): string {
  const tail = log.length > 8000 ? `…${log.slice(-8000)}` : log;
  return `--- ${name} output ---\n${tail.trimEnd() || '(nothing)'}\n--- end of ${name} output ---`;
}
