import { isPortOpen } from './ports';

export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 50 ms). */
  intervalMs?: number;
  /** What we are waiting for, in words; it goes into the timeout message. */
  what?: string;
  /** Checked before every attempt: a reason given here ends the wait at once (e.g. the server process exited). */
  abortIf?: () => string | undefined;
}

/**
 * Thrown from a `waitFor` probe to stop waiting at once, e.g. when the server being waited
 * for has already exited: there is no point polling until the timeout.
 */
export class WaitAbortedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitAbortedError';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `fn` until it returns a truthy value and resolves with that value. A probe that
 * throws counts as "not yet" (servers refuse connections while starting); the last such
 * error is quoted in the timeout message. A `WaitAbortedError` ends the wait immediately.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 50, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let attempts = 0;
  for (;;) {
    attempts++;
    const abort = options.abortIf?.();
    if (abort !== undefined) throw new WaitAbortedError(`gave up waiting for ${what}: ${abort}`);
    try {
      const value = await fn();
      if (value) return value;
      lastError = undefined;
    } catch (err) {
      if (err instanceof WaitAbortedError) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.max(0, Math.min(intervalMs, deadline - Date.now())));
  }
  const cause = lastError === undefined ? '' : `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
  throw new Error(`timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${what}${cause}`);
}

/**
 * Waits until `url` answers with `status` (default 200) and returns that response (its body
 * already read into `text`).
 */
export async function waitForHttp(
  url: string,
  status = 200,
  options: WaitOptions = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  return waitFor(
    async () => {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const text = await response.text();
      if (response.status !== status) throw new Error(`HTTP ${response.status} ${text.slice(0, 200)}`);
      return { status: response.status, text, headers: response.headers };
    },
    { ...options, what: options.what ?? `${url} to answer HTTP ${status}` },
  );
}

/** Waits until something accepts TCP connections on 127.0.0.1:`port` (or `host`). */
export async function waitForPort(port: number, options: WaitOptions & { host?: string } = {}): Promise<void> {
  const host = options.host ?? '127.0.0.1';
  await waitFor(() => isPortOpen(port, host), { ...options, what: options.what ?? `TCP port ${host}:${port} to accept connections` });
}

/** Waits until nothing accepts TCP connections on the port any more. */
export async function waitForPortClosed(port: number, options: WaitOptions & { host?: string } = {}): Promise<void> {
  const host = options.host ?? '127.0.0.1';
  await waitFor(async () => !(await isPortOpen(port, host)), { ...options, what: options.what ?? `TCP port ${host}:${port} to close` });
}
