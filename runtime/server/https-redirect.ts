// The optional plain-HTTP port of an HTTPS install: it answers every request with a
// permanent redirect (308 keeps the method and body) to the same path on the HTTPS port,
// and carries the same security headers. It serves nothing else: no API, no WebSocket.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';

export interface RedirectServer {
  port: number;
  close(): Promise<void>;
}

// A Host header is the client's own; still, only a plain host name or address goes into
// the Location header.
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d+)?$/;

export async function startRedirectServer(o: { port: number; host: string; httpsPort: number; headers: RequestHandler; fallbackHost: string }): Promise<RedirectServer> {
  const app = express();
  app.disable('x-powered-by');
  app.use(o.headers);
  app.use((req, res) => {
    const m = HOST.exec(req.headers.host ?? '');
    const host = m ? m[1] : o.fallbackHost;
    res.redirect(308, `https://${host}${o.httpsPort === 443 ? '' : `:${o.httpsPort}`}${req.originalUrl}`);
  });
  const server: Server = createServer(app);
  // a WebSocket over plain HTTP gets no upgrade
  server.on('upgrade', (_req, socket) => { socket.end('HTTP/1.1 426 Upgrade Required\r\nConnection: close\r\n\r\n'); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => { server.off('error', reject); resolve(); });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
