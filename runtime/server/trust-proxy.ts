// Which client address the login throttle and the audit trail see (README "Login
// throttling"). By default the socket's: an X-Forwarded-For header is ignored, so a guesser
// cannot pick a fresh address per try. Behind a reverse proxy the operator names it
// explicitly (HISTORIAN_TRUST_PROXY): addresses/subnets ("10.0.0.2, 10.1.0.0/16"),
// "loopback", "uniquelocal", or a hop count; "true" (trust anyone) is refused.
import type { Express } from 'express';

export function trustProxySetting(value: string | undefined): string | number | false {
  const v = (value ?? '').trim();
  if (v === '' || v === 'false' || v === 'off') return false;
  if (v === 'true' || v === '*') throw new Error('security.trustProxy: "true" would let any client choose its address; name the proxy (address, subnet, "loopback") or a hop count');
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

export function applyTrustProxy(app: Express, value: string | undefined): void {
  app.set('trust proxy', trustProxySetting(value));
}
