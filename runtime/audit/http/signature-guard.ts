// HTTP side of electronic signatures: where a request carries its signing token (the
// X-Historian-Signature header, or a `signatureToken` body field), the check a route
// handler makes before a critical action (signatureFor: 428 without a valid token), and
// the same check as express middleware for handlers outside the route layer.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { authenticationRequired, sendError, type RouteContext } from '../../http';
import type { SignatureManifestation } from '../entry';
import { SIGNATURE_HEADER, SignatureError, type SignatureService, type Signer } from '../signature-service';

export { SIGNATURE_HEADER };
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

/** The JSON body of a refused signature (SignatureError.toJSON, naming the action). */
export function signatureErrorBody(e: SignatureError, action?: string, target?: string | null): Record<string, unknown> {
  return (action === undefined ? e : e.at(action, target)).toJSON();
}

/**
 * Consumes the request's signing token for a critical action: the manifestation to put
 * in the action's audit entry, null when the action needs no signature; throws a
 * SignatureError (428, 403, 429) naming the action otherwise.
 */
export function consumeSignature(signatures: SignatureService, req: Request, signer: Signer | null | undefined, action: string, target?: string | null): SignatureManifestation | null {
  if (!signatures.requiresSignature(action)) return null;
  if (!signer) throw authenticationRequired('authentication required before signing');
  try {
    return signatures.consume(signatureTokenOf(req), action, target ?? null, signer, req.ip);
  } catch (e) {
    if (e instanceof SignatureError) throw e.at(action, target ?? null);
    throw e;
  }
}

/** For a route handler doing a possibly critical action (see consumeSignature). */
export function signatureFor(ctx: RouteContext<unknown, unknown, unknown>, signatures: SignatureService, action: string, target?: string | null): SignatureManifestation | null {
  return consumeSignature(signatures, ctx.req, ctx.principal, action, target);
}

export interface RequireSignatureSpec {
  /** The action name, or how to read it from the request (null: the request needs none). */
  action: string | ((req: Request) => string | null);
  target?: (req: Request) => string | null | undefined;
  /** Who is signing; default req.principal (set by the auth middleware). */
  signer?: (req: Request) => Signer | undefined;
}

/**
 * Middleware form of consumeSignature for handlers outside the route layer: leaves the
 * manifestation on req.signature. Actions not on the critical list pass untouched.
 */
export function requireSignature(signatures: SignatureService, spec: RequireSignatureSpec): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    try {
      const action = typeof spec.action === 'function' ? spec.action(req) : spec.action;
      if (action === null) return next();
      const signer = spec.signer ? spec.signer(req) : (req as Request & { principal?: Signer }).principal;
      const signature = consumeSignature(signatures, req, signer, action, spec.target?.(req) ?? null);
      if (signature) req.signature = signature;
      next();
    } catch (e) {
      sendError(res, e, next);
    }
  };
}
