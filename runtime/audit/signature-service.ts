// Electronic signatures (21 CFR 11.50, 11.70, 11.200): the signer re-enters both
// identification components (user id and password) for one named action and a meaning,
// and gets a 60-second, single-use signing token bound to that user, action and target.
// Consuming the token yields the signature manifestation that the action's audit entry
// carries (and that the trail binds to the entry's hash).
import { randomUUID } from 'node:crypto';
import { HttpError, retryAfterHeader } from '../http';
import type { AuthService } from '../auth';
import { isAuthError } from '../auth';
import type { AuditTrail } from './audit-trail';
import { ALWAYS_SIGNED, CriticalActions, DEFAULT_CRITICAL_ACTIONS, CRITICAL } from './critical-actions';
import { SIGNATURE_MEANINGS, type SignatureManifestation, type SignatureMeaning } from './entry';
import { SigningTokenStore } from './signing-tokens';

export type SignatureRefusal =
  | 'missing' | 'unknown_token' | 'expired' | 'reused' | 'other_user' | 'other_action' | 'other_target'
  | 'invalid_credentials' | 'locked' | 'not_session_user' | 'not_a_person' | 'validation';

const STATUS: Record<SignatureRefusal, number> = {
  missing: 428, unknown_token: 428, expired: 428, reused: 428, other_user: 428, other_action: 428, other_target: 428,
  invalid_credentials: 403, locked: 429, not_session_user: 403, not_a_person: 403, validation: 400,
};

/** Where a request carries its signing token(s), and where a client gets one. */
export const SIGNATURE_HEADER = 'X-Historian-Signature';
export const REAUTH_PATH = '/api/v1/re-auth';

/**
 * A refused signature, a member of the API's error family. 428 answers say what to sign
 * and how (`error: "signature_required"`, the header, the re-auth route); `at()` adds the
 * action and target the request was refused for.
 */
export class SignatureError extends HttpError {
  declare readonly code: SignatureRefusal;
  constructor(
    code: SignatureRefusal, message: string, readonly field?: string, readonly retryAfterSec?: number,
    readonly action?: string, readonly target?: string | null,
    /** More of the answer's body (e.g. the actions a deploy still needs signed). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(STATUS[code], code, message, {}, retryAfterHeader(retryAfterSec));
    this.name = 'SignatureError';
  }

  /** The same refusal, naming the action (and target) it concerns. */
  at(action: string | undefined, target?: string | null, details: Record<string, unknown> = {}): SignatureError {
    return new SignatureError(this.code, this.message, this.field, this.retryAfterSec, action, target ?? null, details);
  }

  override toJSON(): Record<string, unknown> {
    const required = this.status === 428;
    return {
      error: required ? 'signature_required' : this.code, reason: this.code, message: this.message,
      ...(this.action !== undefined ? { action: this.action, target: this.target ?? null } : {}),
      ...(required ? { signatureHeader: SIGNATURE_HEADER, reauth: REAUTH_PATH } : {}),
      ...(this.field ? { field: this.field } : {}),
      ...this.details,
    };
  }
}

/** The logged-in user asking to sign or presenting a token (a Principal fits). */
export interface Signer {
  kind?: 'user' | 'token';
  userId: string;
  username: string;
  name: string;
  role?: string;
}

export interface ReauthRequest {
  /** One of userId / username is required: the first identification component. */
  userId?: string;
  username?: string;
  password: string;
  meaning: SignatureMeaning;
  action: string;
  target?: string | null;
}

export interface SigningTicket {
  token: string;
  expiresAt: string;
  expiresInMs: number;
  meaning: SignatureMeaning;
  action: string;
  target: string | null;
  userId: string;
  printedName: string;
}

export interface SignatureServiceOptions {
  auth: Pick<AuthService, 'reauthenticate'>;
  /** Records issued tokens and refused signatures when given. */
  trail?: AuditTrail | null;
  clock?: () => number;
  /** Token lifetime, default 60 s. */
  ttlMs?: number;
  /** Default DEFAULT_CRITICAL_ACTIONS. */
  criticalActions?: Iterable<string>;
  /** Adds flows.deploy and flows.restore to the critical actions. */
  signedDeploys?: boolean;
}

const ACTION_RE = /^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$/;

export class SignatureService {
  readonly ttlMs: number;
  readonly signedDeploys: boolean;
  private readonly critical: CriticalActions;
  private readonly tokens = new SigningTokenStore();
  private readonly clock: () => number;

  constructor(private readonly opts: SignatureServiceOptions) {
    this.clock = opts.clock ?? Date.now;
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.signedDeploys = opts.signedDeploys ?? false;
    const list = [...(opts.criticalActions ?? DEFAULT_CRITICAL_ACTIONS)];
    if (this.signedDeploys && !list.includes(CRITICAL.flowsDeploy)) list.push(CRITICAL.flowsDeploy);
    // a restore is a deploy: signed whenever deploys are
    if (this.signedDeploys && !list.includes(CRITICAL.flowsRestore)) list.push(CRITICAL.flowsRestore);
    for (const a of ALWAYS_SIGNED) if (!list.includes(a)) list.push(a);
    this.critical = new CriticalActions(list);
  }

  requiresSignature(action: string): boolean {
    return this.critical.has(action);
  }

  criticalActions(): string[] {
    return this.critical.list();
  }

  /** The action a signing token was issued for, without using it (null: unknown or spent). */
  peek(token: string): { action: string; target: string | null } | null {
    const rec = this.tokens.get(token);
    return rec && !rec.used ? { action: rec.action, target: rec.target } : null;
  }

  /** Re-authenticates the logged-in user (both components) and issues a signing token. */
  async reauth(req: ReauthRequest, signer: Signer, address?: string): Promise<SigningTicket> {
    const ref = validateRequest(req);
    if (signer.kind === 'token') {
      throw new SignatureError('not_a_person', 'API tokens cannot sign: an electronic signature belongs to a person logged in with a session');
    }
    let user;
    try {
      user = await this.opts.auth.reauthenticate(ref, req.password, { address, sessionUserId: signer.userId });
    } catch (e) {
      if (!isAuthError(e)) throw e;
      if (e.code === 'forbidden') throw new SignatureError('not_session_user', 'a signature must be given by the logged-in user');
      if (e.code === 'locked' || e.code === 'rate_limited') throw new SignatureError('locked', e.message, undefined, e.details.retryAfterSec);
      if (e.code === 'validation') throw new SignatureError('validation', e.message, e.details.field);
      throw new SignatureError('invalid_credentials', 'invalid user id or password');
    }
    const now = this.clock();
    this.tokens.prune(now);
    const target = req.target ? req.target : null;
    const expiresAt = now + this.ttlMs;
    const token = this.tokens.issue({
      userId: user.id, username: user.username, printedName: user.name, role: user.role, meaning: req.meaning,
      action: req.action, target, issuedAt: now, expiresAt,
    });
    this.opts.trail?.append({
      ts: now, userId: user.id, username: user.username, userName: user.name, role: user.role,
      action: 'signature.issue', target: describe(req.action, target), clientAddress: address ?? null,
      newValue: { meaning: req.meaning, action: req.action, target, expiresAt: new Date(expiresAt).toISOString() },
    });
    return {
      token, expiresAt: new Date(expiresAt).toISOString(), expiresInMs: this.ttlMs, meaning: req.meaning,
      action: req.action, target, userId: user.id, printedName: user.name,
    };
  }

  /**
   * Uses a signing token for one action on one target by the logged-in signer: returns the
   * manifestation to put in the action's audit entry, or throws a SignatureError saying
   * why not. A token is spent by its first presentation, successful or not.
   */
  consume(token: string | undefined | null, action: string, target: string | null | undefined, signer: Signer, address?: string): SignatureManifestation {
    const t = target ? target : null;
    try {
      return this.consumeOrThrow(token, action, t, signer);
    } catch (e) {
      if (e instanceof SignatureError) {
        this.opts.trail?.append({
          userId: signer.userId, username: signer.username, userName: signer.name, role: signer.role ?? null,
          action: 'signature.refused', target: describe(action, t), reason: e.code, clientAddress: address ?? null,
        });
      }
      throw e;
    }
  }

  private consumeOrThrow(token: string | undefined | null, action: string, target: string | null, signer: Signer): SignatureManifestation {
    const hint = `POST /api/v1/re-auth with your user id, password, a meaning and action "${action}"${target !== null ? ` and target "${target}"` : ''}, then send the token in the X-Historian-Signature header`;
    if (typeof token !== 'string' || token === '') {
      throw new SignatureError('missing', `"${action}" requires an electronic signature: ${hint}`);
    }
    const now = this.clock();
    const rec = this.tokens.get(token);
    if (!rec) throw new SignatureError('unknown_token', `the signing token is not valid; ${hint}`);
    if (rec.used) throw new SignatureError('reused', 'the signing token was already used; a signature is valid for one action only — sign again');
    if (now >= rec.expiresAt) throw new SignatureError('expired', `the signing token expired (tokens are valid ${Math.round(this.ttlMs / 1000)} s); sign again`);
    rec.used = true;
    if (rec.userId !== signer.userId) throw new SignatureError('other_user', 'the signing token belongs to another user');
    if (rec.action !== action) throw new SignatureError('other_action', `the signing token was issued for "${rec.action}", not "${action}"`);
    if (rec.target !== target) {
      throw new SignatureError('other_target', `the signing token was issued for target "${rec.target ?? '(none)'}", not "${target ?? '(none)'}"`);
    }
    return {
      signatureId: randomUUID(), userId: rec.userId, username: rec.username, printedName: rec.printedName,
      meaning: rec.meaning, signedAt: new Date(rec.issuedAt).toISOString(), action, target,
    };
  }
}

function describe(action: string, target: string | null): string {
  return target === null ? action : `${action} ${target}`;
}

function validateRequest(req: ReauthRequest): string {
  if (req === null || typeof req !== 'object') throw new SignatureError('validation', 'body must be an object', 'body');
  const ref = req.userId ?? req.username;
  if (typeof ref !== 'string' || ref === '') {
    throw new SignatureError('validation', 'userId or username is required: a signature needs both identification components', 'username');
  }
  if (typeof req.password !== 'string' || req.password === '') throw new SignatureError('validation', 'password is required', 'password');
  if (!(SIGNATURE_MEANINGS as readonly string[]).includes(req.meaning)) {
    throw new SignatureError('validation', `meaning must be one of ${SIGNATURE_MEANINGS.join(', ')}`, 'meaning');
  }
  if (typeof req.action !== 'string' || !ACTION_RE.test(req.action)) throw new SignatureError('validation', 'action must be a dotted action name', 'action');
  if (req.target !== undefined && req.target !== null && (typeof req.target !== 'string' || req.target.length > 1024)) {
    throw new SignatureError('validation', 'target must be a string of at most 1024 characters', 'target');
  }
  return ref;
}
