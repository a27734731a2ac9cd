// The one parser of `Authorization: Bearer <token>` (RFC 6750 §2.1).
const BEARER = /^Bearer[ ]+(\S+)\s*$/i;

/** The token of a Bearer header; null when the header is absent or of another scheme. */
export function bearerToken(header: string | undefined | null): string | null {
  if (!header) return null;
  const m = BEARER.exec(header);
  return m ? m[1] : null;
}

/** The realm every 401 of the distribution names in WWW-Authenticate. */
export const REALM = 'historian';
