// fetch() over HTTPS with a chosen trust anchor (the global fetch has no per-call CA
// option without undici): a PEM certificate checked as usual, or `null` for no check
// (used only to poll readiness before the generated certificate can be read).
import https from 'node:https';

export async function httpsFetch(url: string, init: RequestInit = {}, ca: string | null = null): Promise<Response> {
  const body = init.body == null ? undefined : Buffer.from(await new Response(init.body).arrayBuffer());
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((v, k) => { headers[k] = v; });
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method: init.method ?? 'GET', headers,
      ...(ca === null ? { rejectUnauthorized: false } : { ca, rejectUnauthorized: true }),
      agent: false,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) for (const one of [v].flat()) h.append(k, String(one));
        const status = res.statusCode ?? 0;
        const noBody = status === 204 || status === 205 || status === 304;
        resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage, headers: h }));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
