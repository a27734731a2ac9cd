// The one function that turns an error into an HTTP answer, for every route of the API,
// the auth routes, the signature guard, the deploy guard and node admin endpoints.
import type { NextFunction, Response } from 'express';
import { REALM } from './bearer';
import { toHttpError } from './domain-errors';
import { HttpError } from './errors';

/** `Bearer realm="historian"`, plus RFC 6750's error="invalid_token" when a token was sent and refused. */
export function wwwAuthenticate(e: HttpError): string {
  const reason = e.extra.reason;
  const invalid = typeof reason === 'string' && reason !== 'missing';
  return `Bearer realm="${REALM}"${invalid ? `, error="invalid_token", error_description="${e.message.replace(/"/g, "'")}"` : ''}`;
}

/**
 * The JSON answer of a request that is not a GET: the body in one write, without the ETag
 * (and the hash of the body it costs) that express computes for every answer. Nothing
 * revalidates the answer to a POST, and a client that batches samples sends many of them.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/**
 * Answers an HttpError (or a subclass), or a domain error mapped by the one table
 * (domain-errors.ts), with its status, body and headers. Anything else is a bug: it goes to
 * `next` (the app's error handler logs it) or becomes a bare 500.
 * A response already under way is cut, so the client sees a broken transfer, not a
 * truncated success.
 */
export function sendError(res: Response, e: unknown, next?: NextFunction): void {
  if (res.headersSent) {
    res.destroy(e instanceof Error ? e : undefined);
    return;
  }
  const h = toHttpError(e);
  if (h) {
    for (const [k, v] of Object.entries(h.headers)) res.setHeader(k, v);
    if (h.status === 401) res.setHeader('WWW-Authenticate', wwwAuthenticate(h));
    res.status(h.status).json(h.toJSON());
    return;
  }
  if (next) return next(e);
  res.status(500).json({ error: 'internal', message: 'internal error' });
}
