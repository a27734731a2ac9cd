// Turns auth-domain failures into HTTP answers: AuthError carries its status; zod
// failures become 400 naming the field. Anything else is passed to express (a 500).
import type { NextFunction, Request, Response } from 'express';
import type { ZodError } from 'zod';
import { AuthError } from '../errors';

export function sendAuthError(res: Response, err: AuthError): void {
  if (err.status === 401) {
    const reason = err.details.reason;
    const param = reason && reason !== 'missing' ? `, error="invalid_token", error_description="${err.message.replace(/"/g, "'")}"` : '';
    res.setHeader('WWW-Authenticate', `Bearer realm="historian"${param}`);
  }
  if (err.status === 429 && err.details.retryAfterSec !== undefined) {
    res.setHeader('Retry-After', String(Math.max(1, err.details.retryAfterSec)));
  }
  res.status(err.status).json(err.toJSON());
}

export function validationError(e: ZodError): AuthError {
  const issue = e.issues[0];
  const field = issue.path.map(String).join('.') || 'body';
  return new AuthError('validation', `${field}: ${issue.message}`, { field });
}

/** Wraps an async handler so AuthError becomes its answer and other errors reach next(). */
export function handle(fn: (req: Request, res: Response) => Promise<void> | void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    Promise.resolve().then(() => fn(req, res)).catch((err: unknown) => {
      if (err instanceof AuthError) sendAuthError(res, err);
      else next(err);
    });
  };
}
