// Delivery of the built dashboard (dist/dashboard): every file is read once at start-up
// and kept compressed (brotli and gzip, each made on first request for it), so a panel PC
// on a slow plant network loads the smallest form its browser accepts. Vite names the
// files under assets/ by their content hash, so they are cached for a year as immutable;
// index.html is revalidated on every load so a new release is picked up at once. Source
// maps are not served (the production build makes none; a stray one answers 404).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, extname, sep } from 'node:path';
import { createHash } from 'node:crypto';
import { brotliCompressSync, gzipSync, constants as zc } from 'node:zlib';
import type { Request, Response, NextFunction, RequestHandler } from 'express';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8',
};
/** types worth compressing (images and fonts are compressed already) */
const TEXT = new Set(['.html', '.js', '.css', '.json', '.svg', '.txt']);
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Entry { body: Buffer; type: string; etag: string; cache: string; br?: Buffer; gz?: Buffer; text: boolean }

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out); else out.push(p);
  }
  return out;
}

/** Which encoding to send for an Accept-Encoding header: br, gzip or none. */
export function pickEncoding(accept: string | undefined): 'br' | 'gzip' | null {
  const offered = new Map<string, number>();
  for (const part of (accept ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    offered.set(name, q ? Number(q.slice(2)) : 1);
  }
  const ok = (n: string) => (offered.get(n) ?? offered.get('*') ?? 0) > 0;
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : null;
}

export interface DashboardStatic {
  /** serves files and falls back to index.html for the dashboard's own routes */
  handler: RequestHandler;
  /** relative path → entry (tests and the benchmark read sizes from here) */
  files: Map<string, Entry>;
}

export function dashboardStatic(dir: string, isClientRoute: (path: string) => boolean): DashboardStatic {
  const files = new Map<string, Entry>();
  for (const p of walk(dir)) {
    const rel = relative(dir, p).split(sep).join('/');
    const ext = extname(p).toLowerCase();
    if (ext === '.map') continue;
    const body = readFileSync(p);
    files.set(rel, {
      body, type: TYPES[ext] ?? 'application/octet-stream', text: TEXT.has(ext),
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      cache: rel.startsWith('assets/') ? IMMUTABLE : 'no-cache',
    });
  }
  const send = (req: Request, res: Response, e: Entry) => {
    res.setHeader('Content-Type', e.type);
    res.setHeader('Cache-Control', e.cache);
    res.setHeader('ETag', e.etag);
    res.setHeader('Vary', 'Accept-Encoding');
    if (req.headers['if-none-match'] === e.etag) { res.status(304).end(); return; }
    const enc = e.text && e.body.length > 512 ? pickEncoding(req.headers['accept-encoding'] as string | undefined) : null;
    let out = e.body;
    if (enc === 'br') {
      e.br ??= brotliCompressSync(e.body, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_SIZE_HINT]: e.body.length } });
      out = e.br;
    } else if (enc === 'gzip') {
      e.gz ??= gzipSync(e.body, { level: 9 });
      out = e.gz;
    }
    if (enc) res.setHeader('Content-Encoding', enc);
    res.setHeader('Content-Length', String(out.length));
    res.status(200);
    if (req.method === 'HEAD') res.end(); else res.end(out);
  };
  const handler: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    let rel: string;
    try { rel = decodeURIComponent(req.path).replace(/^\/+/, ''); } catch { return next(); }
    const hit = files.get(rel === '' ? 'index.html' : rel);
    if (hit) return send(req, res, hit);
    if (rel.endsWith('.map')) { res.status(404).type('text/plain').end('not found'); return; }
    if (!rel.startsWith('assets/') && isClientRoute(req.path)) return send(req, res, files.get('index.html')!);
    next();
  };
  return { handler, files };
}
