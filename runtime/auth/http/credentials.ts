// Credentials of a request as the route layer (runtime/http) asks for them: the bearer
// token of the Authorization header or, for browsers' WebSockets that cannot set headers,
// an `access_token` query parameter.
import type { IncomingMessage } from 'node:http';
import type { Authenticate } from '../../http';
import type { AuthService } from '../auth-service';
import type { Principal } from '../principal';

/** The principal of a request or upgrade; throws AuthError (401 naming the reason) when refused or absent. */
export function authenticateUpgrade(auth: AuthService, req: IncomingMessage): Principal {
  if (req.headers.authorization) return auth.authenticateBearer(req.headers.authorization);
  const url = new URL(req.url ?? '/', 'http://localhost');
  const token = url.searchParams.get('access_token');
  if (!token) return auth.authenticateBearer(undefined);
  return auth.authenticateToken(token);
}

/**
 * The route layer's Authenticate: null when the request carries no credentials (the
 * layer answers 401 "missing"), the principal, or the AuthError of refused credentials
 * (expired, revoked, malformed...) — never a database failure dressed up as a 401.
 */
export function authenticatorFor(auth: AuthService): Authenticate {
  return async (req) => {
    const hasQueryToken = (req.url ?? '').includes('access_token=');
    if (!req.headers.authorization && !hasQueryToken) return null;
    return authenticateUpgrade(auth, req);
  };
}
