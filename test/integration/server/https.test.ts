// HTTPS for the one server: a self-signed certificate generated on first start (its
// fingerprint printed and kept across restarts), certificate files from the settings, the
// plain-HTTP redirect port, HSTS, and the security headers on every kind of response.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { httpsFetch } from '../../helpers/https-fetch';
import { makeTestPki, type TestPki } from '../../helpers/pki';
import { freePort } from '../../helpers/ports';
import { spawnManaged } from '../../helpers/process';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { REPO_ROOT } from '../../helpers/distribution';

let dir: string;
let dataDir: string;
let pki: TestPki;
let h: Distribution;
let redirectPort: number;

beforeAll(async () => {
  dir = await makeTempDir('historian-https-');
  dataDir = path.join(dir, 'data');
  pki = makeTestPki(dir);
  redirectPort = await freePort();
  h = await startDistribution({ dataDir, https: {}, env: { HISTORIAN_TLS: 'self-signed', HISTORIAN_HTTP_REDIRECT_PORT: String(redirectPort) } });
});

afterAll(async () => {
  await h?.stop();
  if (dir) await removeTempDir(dir);
});

/** The certificate the server presents on a TLS handshake. */
function presented(port: number): Promise<{ fingerprint256: string; authorized: boolean }> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      resolve({ fingerprint256: s.getPeerCertificate().fingerprint256, authorized: s.authorized });
      s.end();
    });
    s.on('error', reject);
  });
}

function plainGet(port: number, p: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p, headers: { host: `127.0.0.1:${port}` } }, (res) => { res.resume(); resolve(res); }).on('error', reject);
  });
}

function expectSecurityHeaders(r: Response, what: string): void {
  const csp = r.headers.get('content-security-policy') ?? '';
  expect(csp, `${what}: CSP`).toContain("frame-ancestors 'self'");
  expect(csp, `${what}: CSP`).toContain("object-src 'none'");
  expect(r.headers.get('x-content-type-options'), `${what}: nosniff`).toBe('nosniff');
  expect(r.headers.get('referrer-policy'), `${what}: referrer policy`).toBe('no-referrer');
  expect(r.headers.get('x-frame-options'), `${what}: X-Frame-Options`).toBe('SAMEORIGIN');
  expect(r.headers.get('strict-transport-security'), `${what}: HSTS`).toBe('max-age=15552000');
}

describe('self-signed HTTPS', () => {
  it('generates the certificate into the data directory, prints its SHA-256 fingerprint and presents it', async () => {
    const pem = fs.readFileSync(path.join(dataDir, 'tls', 'self-signed-cert.pem'), 'utf8');
    const x = new X509Certificate(pem);
    expect(h.proc.logs()).toContain(`certificate SHA-256 fingerprint ${x.fingerprint256}`);
    expect(x.subjectAltName).toMatch(/DNS:localhost/);
    expect(x.subjectAltName).toMatch(/IP Address:127\.0\.0\.1/);
    expect((await presented(h.port)).fingerprint256).toBe(x.fingerprint256);
    expect(fs.statSync(path.join(dataDir, 'tls', 'self-signed-key.pem')).mode & 0o077).toBe(0);
  });

  it('serves health, login, the API, the dashboard and the editor over HTTPS, each with the security headers', async () => {
    const health = await h.request('/health');
    expect(health.status).toBe(200);
    expectSecurityHeaders(health, '/health');
    const token = await h.login();
    const tags = await h.request('/api/v1/tags', { token });
    expect(tags.status).toBe(200);
    expectSecurityHeaders(tags, '/api/v1/tags');
    const unauth = await h.request('/api/v1/tags');
    expect(unauth.status).toBe(401);
    expectSecurityHeaders(unauth, '401 from the API');
    const missing = await h.request('/api/v1/no-such-route', { token });
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing, '404 from the API');

    const dashboard = await h.request('/');
    expect(dashboard.status).toBe(200);
    expectSecurityHeaders(dashboard, 'dashboard');
    expect(dashboard.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
    expect(dashboard.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');

    const editor = await h.request('/editor/');
    expect(editor.status).toBe(200);
    expect(await editor.text()).toContain('<title>Historian</title>');
    expectSecurityHeaders(editor, 'editor');
    // the editor's own policy: inline script (no eval), still no foreign frames
    expect(editor.headers.get('content-security-policy')).toMatch(/script-src 'self' 'unsafe-inline';/);
    const editorApi = await h.request('/editor/settings');
    expect(editorApi.status).toBe(401);
    expectSecurityHeaders(editorApi, 'editor admin API');
  });

  it('the plain-HTTP port redirects every path to HTTPS with 308, and the HTTPS port refuses plain HTTP', async () => {
    const r = await plainGet(redirectPort, '/api/v1/query?tag=a.b&from=now-1h');
    expect(r.statusCode).toBe(308);
    expect(r.headers.location).toBe(`https://127.0.0.1:${h.port}/api/v1/query?tag=a.b&from=now-1h`);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(h.proc.logs()).toContain(`plain HTTP on port ${redirectPort} redirects to https://`);
    await expect(plainGet(h.port, '/health')).rejects.toThrow();
  });

  it('keeps the same certificate across a restart', async () => {
    const before = (await presented(h.port)).fingerprint256;
    await h.stop();
    h = await startDistribution({ dataDir, https: {}, env: { HISTORIAN_TLS: 'self-signed' } });
    expect((await presented(h.port)).fingerprint256).toBe(before);
    expect(h.proc.logs()).toContain(`certificate SHA-256 fingerprint ${before}`);
    expect((await h.request('/health')).status).toBe(200);
  });
});

describe('HTTPS from certificate files', () => {
  it('serves the configured certificate, checked against its CA', async () => {
    const d = await startDistribution({ https: { ca: fs.readFileSync(pki.caFile, 'utf8') }, env: { HISTORIAN_TLS_CERT: pki.serverCertFile, HISTORIAN_TLS_KEY: pki.serverKeyFile } });
    try {
      const r = await d.request('/health');
      expect(r.status).toBe(200);
      expectSecurityHeaders(r, 'files: /health');
      expect(d.proc.logs()).toContain(`fingerprint ${new X509Certificate(fs.readFileSync(pki.serverCertFile)).fingerprint256}`);
      // a client that trusts another CA refuses the server
      await expect(httpsFetch(`${d.url}/health`, {}, fs.readFileSync(pki.otherCaFile, 'utf8'))).rejects.toThrow(/certificate/);
    } finally {
      await d.stop();
    }
  });

  it('stops start-up naming the setting when the key does not match or a file is missing', async () => {
    const run = async (env: Record<string, string>) => {
      const p = spawnManaged('historian', process.execPath, [path.join(REPO_ROOT, 'dist', 'runtime', 'server', 'main.js')], {
        cwd: REPO_ROOT, env: { ...process.env, HISTORIAN_PORT: '0', HISTORIAN_HOST: '127.0.0.1', HISTORIAN_DATA_DIR: await makeTempDir('historian-https-bad-'), ...env },
      });
      const code = await p.exited;
      return { code, logs: p.logs() };
    };
    const wrongKey = await run({ HISTORIAN_TLS_CERT: pki.serverCertFile, HISTORIAN_TLS_KEY: pki.clientKeyFile });
    expect(wrongKey.code).not.toBe(0);
    expect(wrongKey.logs).toMatch(/tls\.keyFile: the key does not belong to the certificate/);
    const missing = await run({ HISTORIAN_TLS_CERT: path.join(dir, 'nope.pem'), HISTORIAN_TLS_KEY: pki.serverKeyFile });
    expect(missing.code).not.toBe(0);
    expect(missing.logs).toMatch(/tls\.certFile: cannot read .*nope\.pem/);
  });
});
