// The headers every response carries, through a real express app on loopback.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { securityHeaders } from '../../../runtime/server/security-headers';

const servers: Server[] = [];
async function serve(tls: boolean, hstsMaxAge = 15_552_000): Promise<string> {
  const app = express();
  app.use(securityHeaders({ tls, hstsMaxAge, editorRoot: '/editor' }));
  app.get('/health', (_req, res) => { res.json({ ok: true }); });
  app.get('/editor/', (_req, res) => { res.send('<html></html>'); });
  app.use((_req, res) => { res.status(404).json({ error: 'not_found' }); });
  const s = app.listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  servers.push(s);
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}
let plain: string;
let secure: string;
beforeAll(async () => { [plain, secure] = await Promise.all([serve(false), serve(true)]); });
afterAll(() => { for (const s of servers) s.close(); });

describe('securityHeaders', () => {
  it('sends CSP, frame-ancestors, nosniff and referrer policy on answers and on 404s', async () => {
    for (const p of ['/health', '/nowhere']) {
      const r = await fetch(plain + p);
      const csp = r.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('sends HSTS and upgrade-insecure-requests only with TLS on, and no HSTS when its max-age is 0', async () => {
    const http = await fetch(plain + '/health');
    expect(http.headers.get('strict-transport-security')).toBeNull();
    expect(http.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    const https = await fetch(secure + '/health');
    expect(https.headers.get('strict-transport-security')).toBe('max-age=15552000');
    expect(https.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    const noHsts = await fetch((await serve(true, 0)) + '/health');
    expect(noHsts.headers.get('strict-transport-security')).toBeNull();
  });

  it('gives the editor inline script, and only the editor', async () => {
    expect((await fetch(plain + '/editor/')).headers.get('content-security-policy')).toMatch(/script-src 'self' 'unsafe-inline';/);
    expect((await fetch(plain + '/editorial')).headers.get('content-security-policy')).toMatch(/script-src 'self';/);
  });
});
