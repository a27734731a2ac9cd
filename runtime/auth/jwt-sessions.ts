// Session tokens: RS256 JWTs. Verification pins the algorithm list to RS256, so a token
// with `alg: none`, or an HS256 token whose HMAC secret is our public key (the classic
// key-confusion attack), is refused before any claim is read.
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { unauthenticated, type AuthError } from './errors';
import type { JwtKeyPair } from './jwt-keys';
import type { UserRecord } from './user-store';

export interface SessionClaims {
  sub: string;
  role: string;
  name: string;
  username: string;
  jti: string;
  iat: number;
  exp: number;
  iss: string;
}

export const JWT_ALGORITHM = 'RS256';

export class JwtSessions {
  private loaded: JwtKeyPair | null = null;

  /** Keys are loaded on first use, so tools that never sign (the CLI) never touch them. */
  constructor(private readonly loadKeys: () => JwtKeyPair, private readonly issuer: string) {}

  get keys(): JwtKeyPair {
    this.loaded ??= this.loadKeys();
    return this.loaded;
  }

  /** Signs a session token for the user; exp is in whole seconds, as JWT wants. */
  sign(user: UserRecord, now: number, ttlMs: number): { token: string; jti: string; expiresAt: number } {
    const jti = randomUUID();
    const iat = Math.floor(now / 1000);
    const exp = Math.floor((now + ttlMs) / 1000);
    const payload = { sub: user.id, role: user.role, name: user.name, username: user.username, jti, iat, exp, iss: this.issuer };
    const token = jwt.sign(payload, this.keys.privateKey, { algorithm: JWT_ALGORITHM, noTimestamp: true });
    return { token, jti, expiresAt: exp * 1000 };
  }

  /** Verifies signature, algorithm, issuer and expiry; throws AuthError(unauthenticated). */
  verify(token: string, now: number): SessionClaims {
    let claims: jwt.JwtPayload | string;
    try {
      claims = jwt.verify(token, this.keys.publicKey, {
        algorithms: [JWT_ALGORITHM],
        issuer: this.issuer,
        clockTimestamp: Math.floor(now / 1000),
      });
    } catch (e) {
      throw classify(e);
    }
    if (typeof claims === 'string' || typeof claims.sub !== 'string' || typeof claims.jti !== 'string' || typeof claims.exp !== 'number') {
      throw unauthenticated('malformed', 'session token lacks sub, jti or exp');
    }
    return claims as SessionClaims;
  }
}

function classify(e: unknown): AuthError {
  if (e instanceof jwt.TokenExpiredError) return unauthenticated('expired', 'session expired; log in again');
  if (e instanceof jwt.NotBeforeError) return unauthenticated('malformed', 'session token not valid yet');
  const msg = e instanceof Error ? e.message : String(e);
  if (/malformed|invalid token|must be provided|Unexpected token|JSON/i.test(msg)) {
    return unauthenticated('malformed', 'malformed session token');
  }
  // invalid signature, invalid algorithm, signature required (alg none), wrong issuer
  return unauthenticated('bad_signature', 'session token signature is not valid');
}
