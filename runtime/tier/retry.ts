// Retries with exponential backoff and jitter for calls to object storage. Errors that a
// retry cannot fix (access denied, missing bucket, bad request) fail at once.
import { Backoff } from '../platform';

export interface RetryOptions {
  /** total attempts including the first (default 5) */
  attempts?: number;
  /** first delay (default 200 ms), doubled each time up to maxDelayMs (default 10 s) */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

const PERMANENT = new Set(['AccessDenied', 'NoSuchBucket', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidBucketName', 'InvalidArgument']);

export function isPermanent(err: unknown): boolean {
  const e = err as { name?: string; permanent?: boolean; $metadata?: { httpStatusCode?: number } } | null;
  if (!e) return false;
  if (e.permanent === true) return true;
  if (e.name && PERMANENT.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429 && status !== 404;
}

export const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions = {}): Promise<T> {
  const attempts = o.attempts ?? 5, base = o.baseDelayMs ?? 200, max = o.maxDelayMs ?? 10_000;
  const sleep = o.sleep ?? realSleep;
  const backoff = new Backoff({ initialMs: base, maxMs: max, factor: 2, jitter: 0.5 });
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt >= attempts || isPermanent(e)) throw e;
      const delay = backoff.next();
      o.onRetry?.(e, attempt, delay);
      await sleep(delay);
    }
  }
}
