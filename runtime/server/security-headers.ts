// Security headers on every response of the one server (dashboard, API, editor, health,
// flows' /http endpoints), set by `helmet` before any route runs:
// - Content-Security-Policy: the dashboard runs under `script-src 'self'` (no inline or
//   eval'd script); the Node-RED editor needs inline script (node definitions arrive as
//   HTML with <script> blocks that jQuery inserts), so /editor gets that one allowance;
//   it needs no eval (the Monaco code editor and its lint worker run without it, checked
//   in test/e2e/https.test.ts). Both forbid plugins, foreign frames
//   (`frame-ancestors 'self'`), foreign form targets and <base> rewriting.
// - X-Content-Type-Options nosniff, Referrer-Policy no-referrer, X-Frame-Options
//   SAMEORIGIN, Cross-Origin-Opener/Resource-Policy same-origin (helmet's defaults).
// - Strict-Transport-Security only while HTTPS is on (a browser ignores it over HTTP, and
//   it must not linger for a plain-HTTP install).
import type { RequestHandler } from 'express';
import helmet from 'helmet';

export interface SecurityHeaderOptions {
  /** HTTPS is on: send HSTS and upgrade insecure requests */
  tls: boolean;
  /** Strict-Transport-Security max-age in seconds (0 = none) */
  hstsMaxAge: number;
  /** the editor's path prefix (settings.httpAdminRoot, default /editor) */
  editorRoot: string;
}

type Directives = Record<string, string[] | null>;

/** The policy the dashboard and API answer with. */
export function dashboardDirectives(tls: boolean): Directives {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    // Lit templates and uPlot set style attributes; index.html has one inline <style>
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'", 'data:'],
    // 'self' covers ws:/wss: to the same host in CSP 3 browsers
    'connect-src': ["'self'"],
    'worker-src': ["'self'", 'blob:'],
    'frame-src': ["'self'"],
    'frame-ancestors': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'upgrade-insecure-requests': tls ? [] : null,
  };
}

/** The policy of the Node-RED editor: the dashboard's plus inline script. */
export function editorDirectives(tls: boolean): Directives {
  return { ...dashboardDirectives(tls), 'script-src': ["'self'", "'unsafe-inline'"] };
}

function headers(directives: Directives, o: SecurityHeaderOptions): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives },
    strictTransportSecurity: o.tls && o.hstsMaxAge > 0 ? { maxAge: o.hstsMaxAge, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** One middleware for the whole app: mount it before every route. */
export function securityHeaders(o: SecurityHeaderOptions): RequestHandler {
  const dashboard = headers(dashboardDirectives(o.tls), o);
  const editor = headers(editorDirectives(o.tls), o);
  const root = o.editorRoot.replace(/\/+$/, '') || '/editor';
  return (req, res, next) => {
    const p = req.path;
    return (p === root || p.startsWith(`${root}/`) ? editor : dashboard)(req, res, next);
  };
}
