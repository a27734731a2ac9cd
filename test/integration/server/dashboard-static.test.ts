// Delivery of the built dashboard: compression by Accept-Encoding, immutable hashed assets,
// revalidated index, ETag/304, no source maps, client-route fallback. A real express app on
// loopback over a temp directory laid out like dist/dashboard.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardStatic } from '../../../runtime/server/dashboard-static';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

let dir: string;
let base: string;
let server: ReturnType<express.Express['listen']>;
const js = `export const x = ${JSON.stringify('a'.repeat(5000))};\n`;

/** Raw GET (node:http, so the body arrives as sent, not decoded). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = await makeTempDir('dashboard-static-');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/index-abc123.js"></script>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), js);
  writeFileSync(join(dir, 'assets', 'index-abc123.js.map'), '{"sources":["secret.ts"]}');
  const app = express();
  app.use('/', dashboardStatic(dir, (p) => !p.startsWith('/api/')).handler);
  app.use((_req, res) => { res.status(404).end('next'); });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await removeTempDir(dir);
});

describe('dashboard delivery', () => {
  it('sends brotli or gzip as the browser accepts, the same bytes decoded', async () => {
    const br = await get('/assets/index-abc123.js', { 'Accept-Encoding': 'gzip, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.body.length).toBeLessThan(js.length / 10);
    expect(brotliDecompressSync(br.body).toString()).toBe(js);
    const gz = await get('/assets/index-abc123.js', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(js);
    const plain = await get('/assets/index-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(js);
    expect(br.headers.vary).toBe('Accept-Encoding');
  });

  it('caches hashed assets for a year as immutable and revalidates the index', async () => {
    expect((await get('/assets/index-abc123.js')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get('/')).headers['cache-control']).toBe('no-cache');
  });

  it('answers 304 to a matching ETag, HEAD without a body', async () => {
    const first = await get('/');
    const again = await get('/', { 'If-None-Match': String(first.headers.etag) });
    expect(again.status).toBe(304);
    const head = await get('/assets/index-abc123.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('never serves a source map, and falls back to the index only for client routes', async () => {
    expect((await get('/assets/index-abc123.js.map')).status).toBe(404);
    const route = await get('/alarms');
    expect(route.status).toBe(200);
    expect(route.body.toString()).toContain('<!doctype html>');
    expect((await get('/api/v1/nothing')).body.toString()).toBe('next');
    expect((await get('/assets/missing.js')).body.toString()).toBe('next');
  });
});
