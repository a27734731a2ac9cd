// The server's security layer: opens the identity service, creates the first admin,
// authenticates requests (bearer JWT or API token; browsers' WebSockets may pass the
// token as ?access_token=) and gives Node-RED its adminAuth.
import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import { AuthService, DEFAULT_ARGON2, owaspArgon2Problem } from '../auth';
import { isAuthError } from '../auth';
import type { AuthEventSink, AuthEventType } from '../auth';
import { adminAuthFor } from '../auth';
import { authenticateUpgrade, authenticatorFor } from '../auth';
import type { Principal as AuthPrincipal } from '../auth';
import type { HistorianConfig } from './load-settings';
import type { Authenticate, Principal, RouteDef } from './api/route';
import { authRoutes } from '../auth';
import { consumeSignature } from '../audit';
import type { SignatureService } from '../audit';
import { LIVE_PERMISSION } from './permission-checks';

const SESSION_EVENTS = new Set<AuthEventType>(['logout', 'user_disabled', 'user_role_changed', 'password_changed', 'password_reset', 'token_revoked']);

export class SecurityLayer {
  private readonly authenticator: Authenticate;

  private constructor(readonly auth: AuthService) {
    this.authenticator = authenticatorFor(auth);
  }

  static async open(cfg: HistorianConfig, log: (l: string) => void, onEvent?: AuthEventSink): Promise<SecurityLayer> {
    const sec = cfg.security;
    const argon2MemoryKiB = sec.argon2MemoryKiB ?? DEFAULT_ARGON2.memoryKiB;
    const argon2Passes = sec.argon2Passes ?? DEFAULT_ARGON2.passes;
    const weak = owaspArgon2Problem(argon2MemoryKiB, argon2Passes);
    if (weak) throw new Error(`HISTORIAN_ARGON2_MEMORY_KIB / HISTORIAN_ARGON2_PASSES (security.argon2MemoryKiB / argon2Passes): ${weak}`);
    const auth = AuthService.open({
      dataDir: cfg.dataDir,
      onEvent,
      passwordHashing: { argon2MemoryKiB, argon2Passes, bcryptCost: sec.bcryptCost, log },
      session: {
        idleTimeoutMs: (sec.sessionIdleMinutes ?? 30) * 60_000,
        ttlMs: (sec.sessionMaxHours ?? 12) * 3_600_000,
      },
    });
    const admin = await auth.ensureAdmin({ adminPassword: sec.adminPassword || undefined });
    if (admin.created && admin.generatedPassword) {
      // Printed once, on purpose: this is the only way a headless first start can hand
      // over the initial credential. It must be changed at first login.
      log(`[historian] first start: created user "admin" with password ${admin.generatedPassword} (must be changed at first login; set HISTORIAN_ADMIN_PASSWORD to choose it)`);
    } else if (admin.created) {
      log('[historian] first start: created user "admin" with the password from HISTORIAN_ADMIN_PASSWORD');
    }
    return new SecurityLayer(auth);
  }

  /**
   * The caller of an HTTP request: null without credentials; refused credentials throw
   * their AuthError (401 naming the reason); anything else (a database failure) is a 500.
   */
  async authenticate(req: Request): Promise<Principal | null> {
    return this.authenticator(req);
  }

  async authorizeUpgrade(req: IncomingMessage): Promise<true | { status: number; reason: string }> {
    let p: AuthPrincipal;
    try {
      p = authenticateUpgrade(this.auth, req);
    } catch (e) {
      // the reason says which: missing, revoked, disabled, expired...
      if (isAuthError(e)) return { status: 401, reason: e.message };
      throw e;
    }
    if (!p.permissions.has(LIVE_PERMISSION)) return { status: 403, reason: `role ${p.role} may not subscribe to live data` };
    (req as IncomingMessage & { principal?: AuthPrincipal }).principal = p;
    return true;
  }

  /** A token limited to a tag pattern may only subscribe inside it. */
  mayPattern(req: IncomingMessage, pattern: string): boolean {
    const p = (req as IncomingMessage & { principal?: AuthPrincipal }).principal;
    if (!p) return false;
    if (!p.tagPattern) return true;
    return patternWithin(pattern, p.tagPattern);
  }

  /**
   * Calls fn after anything that may end sessions or change what they allow (logout,
   * disable, role change, password change or reset, token revocation): the live socket
   * then checks its connections again. Returns the unsubscribe function.
   */
  onSessionChange(fn: () => void): () => void {
    return this.auth.onEvent((e) => {
      if (SESSION_EVENTS.has(e.type)) fn();
    });
  }

  /** Node-RED's adminAuth: the same users, passwords and session tokens as the API. */
  adminAuth(): object {
    return adminAuthFor(this.auth);
  }

  /**
   * The identity routes (login, users, tokens) for the /api/v1 router; user
   * administration demands the electronic signature of its critical actions (428).
   */
  routes(signatures: SignatureService): RouteDef[] {
    return authRoutes({
      auth: this.auth,
      sign: (req, signer, { action, target }) => consumeSignature(signatures, req, signer, action, target),
    });
  }

  close(): void {
    this.auth.close();
  }
}

/** Whether every tag matched by `inner` is also matched by `outer` (NATS wildcards). */
export function patternWithin(inner: string, outer: string): boolean {
  const a = inner.split('.');
  const b = outer.split('.');
  for (let i = 0; i < b.length; i++) {
    if (b[i] === '>') return i < a.length;
    if (i >= a.length) return false;
    if (a[i] === '>') return false;
    if (b[i] === '*') continue;
    if (a[i] === '*' || a[i] !== b[i]) return false;
  }
  return a.length === b.length;
}
