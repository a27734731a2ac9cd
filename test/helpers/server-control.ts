// The life-cycle controls every real-server helper (NATS, mosquitto, S3) offers, over the
// server's current child process: a stop keeps the server's files so a restart can follow
// on the same port; dispose stops and removes what the helper created.
import type { ManagedProcess } from './process';

export interface ServerControl {
  /** pid of the current server process (undefined while stopped). */
  pid(): number | undefined;
  isRunning(): boolean;
  /** Output of the current (or last) server process. */
  logs(): string;
  /** Graceful stop (SIGTERM, SIGKILL after 5 s); files are kept so `restart` can follow. */
  stop(): Promise<void>;
  /** Stops if running, then starts again on the same port(s) with the same files. */
  restart(): Promise<void>;
  /** Sends a signal (default SIGKILL) without waiting, to simulate a crash. */
  kill(signal?: NodeJS.Signals): void;
  /** Stops and removes what the helper created (a caller-given directory is left alone). */
  dispose(): Promise<void>;
}

export function serverControl(current: () => ManagedProcess | undefined, launch: () => Promise<void>, cleanup: () => Promise<void>): ServerControl {
  // stop() on a process that was killed just waits for it to be gone, releasing the port
  const stop = async () => {
    await current()?.stop();
  };
  return {
    pid: () => (current()?.isRunning() ? current()!.pid : undefined),
    isRunning: () => current()?.isRunning() ?? false,
    logs: () => current()?.logs() ?? '',
    stop,
    async restart() {
      await stop();
      await launch();
    },
    kill(signal = 'SIGKILL') {
      current()?.kill(signal);
    },
    async dispose() {
      await stop();
      await cleanup();
    },
  };
}
