// The one error family of the HTTP API. Domain errors that reach a client (AuthError,
// SignatureError) extend HttpError, so one function (respond.ts) turns any of them into an
// answer: the status, `{error: code, message, ...extra}` and the headers the error asks for.
import type { ZodError } from 'zod';

export class HttpError extends Error {
  /** Headers the answer must carry (Retry-After, ...); WWW-Authenticate is added by sendError. */
  readonly headers: Record<string, string>;

  constructor(readonly status: number, readonly code: string, message: string, readonly extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.headers = headers;
  }

  /** The JSON body an HTTP client receives. */
  toJSON(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.extra };
  }
}

export function isHttpError(e: unknown): e is HttpError {
  return e instanceof HttpError;
}

export interface ValidationIssue {
  /** Dotted path, e.g. `body.samples.3.value`. */
  path: string;
  message: string;
}

/**
 * A request that failed its schema: 400 `bad_request` listing every issue, with `field`
 * naming the first failing field (without its `body.` / `query.` prefix) for forms.
 */
export function validationError(where: 'params' | 'query' | 'body', err: ZodError): HttpError {
  const issues: ValidationIssue[] = err.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  const first = err.issues[0]?.path.map(String).join('.') || where;
  return new HttpError(400, 'bad_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { field: first, issues });
}

/** 401 for a request without credentials. */
export function authenticationRequired(message = 'authentication required: send "Authorization: Bearer <token>"'): HttpError {
  return new HttpError(401, 'unauthenticated', message, { reason: 'missing' });
}

/** Retry-After in whole seconds (at least 1), for errors that carry `retryAfterSec`. */
export function retryAfterHeader(retryAfterSec: number | undefined): Record<string, string> {
  return retryAfterSec === undefined ? {} : { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSec))) };
}
