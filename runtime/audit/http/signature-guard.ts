// Express side of electronic signatures: where a request carries its signing token (the
// X-Historian-Signature header, or a `signatureToken` body field), and a middleware that
// answers 428 Precondition Required when a critical action arrives without a valid one.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { SignatureManifestation } from '../entry';
import { SignatureError, type SignatureService, type Signer } from '../signature-service';

export const SIGNATURE_HEADER = 'X-Historian-Signature';
export const SIGNATURE_BODY_FIELD = 'signatureToken';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by requireSignature() when the action was signed. */
      signature?: SignatureManifestation;
    }
  }
}

export function signatureTokenOf(req: Request): string | undefined {
  const h = req.headers[SIGNATURE_HEADER.toLowerCase()];
  const header = Array.isArray(h) ? h[0] : h;
  if (typeof header === 'string' && header.trim() !== '') return header.trim();
  const body = req.body as Record<string, unknown> | undefined;
  const field = body && typeof body === 'object' && !Array.isArray(body) ? body[SIGNATURE_BODY_FIELD] : undefined;
  return typeof field === 'string' && field !== '' ? field : undefined;
}

/** The JSON body of a refused signature. */
export function signatureErrorBody(e: SignatureError, action?: string, target?: string | null): Record<string, unknown> {
  return {
    error: e.status === 428 ? 'signature_required' : e.code, reason: e.code, message: e.message,
    ...(action !== undefined ? { action, target: target ?? null } : {}),
    ...(e.status === 428 ? { signatureHeader: SIGNATURE_HEADER, reauth: '/api/v1/re-auth' } : {}),
    ...(e.field ? { field: e.field } : {}),
  };
}

export function sendSignatureError(res: Response, e: SignatureError, action?: string, target?: string | null): void {
  if (e.retryAfterSec !== undefined) res.setHeader('Retry-After', String(Math.max(1, e.retryAfterSec)));
  res.status(e.status).json(signatureErrorBody(e, action, target));
}

export interface RequireSignatureSpec {
  /** The action name, or how to read it from the request (null: the request needs none). */
  action: string | ((req: Request) => string | null);
  target?: (req: Request) => string | null | undefined;
  /** Who is signing; default req.principal (set by the auth middleware). */
  signer?: (req: Request) => Signer | undefined;
}

/**
 * For critical actions, consumes the request's signing token and leaves the manifestation
 * on req.signature for the handler's audit entry; refuses with 428 otherwise. Actions not
 * on the critical list pass untouched. Mount after authentication.
 */
export function requireSignature(signatures: SignatureService, spec: RequireSignatureSpec): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const action = typeof spec.action === 'function' ? spec.action(req) : spec.action;
    if (action === null || !signatures.requiresSignature(action)) return next();
    const target = spec.target?.(req) ?? null;
    const signer = spec.signer ? spec.signer(req) : (req as Request & { principal?: Signer }).principal;
    if (!signer) {
      res.status(401).json({ error: 'unauthenticated', message: 'authentication required before signing' });
      return;
    }
    try {
      req.signature = signatures.consume(signatureTokenOf(req), action, target, signer, req.ip);
      next();
    } catch (e) {
      if (e instanceof SignatureError) sendSignatureError(res, e, action, target);
      else next(e);
    }
  };
}
