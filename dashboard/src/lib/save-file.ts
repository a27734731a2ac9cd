// Hands a downloaded body to the browser as a file. Exports come through fetch (the session
// token travels in a header, not in a link), so the page saves the blob itself.
import { getToken } from '../api';
import { askSignature } from '../components/signature-dialog';

/** The file name the server gave in Content-Disposition, or the fallback. */
export function fileNameOf(res: Response, fallback: string): string {
  return /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? fallback;
}

export function saveBlob(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // the browser reads the object URL after click() returns
  window.setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

/** GETs an API file with the session's token and saves it; a refusal throws the server's message. */
export async function downloadFile(url: string, fallbackName: string): Promise<void> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${getToken() ?? ''}` } });
  if (!res.ok) {
    const body = await res.json().catch(() => ({ message: res.statusText }));
    throw new Error(String(body.message ?? res.statusText));
  }
  saveBlob(await res.blob(), fileNameOf(res, fallbackName));
}

/**
 * POSTs for a file that may need a signature (the server answers 428 naming the action
 * and target before doing any work), asks for it, and saves the answer. Resolves with the
 * file's name and size, or null when the user did not sign.
 */
export async function downloadSigned(host: ShadowRoot | HTMLElement, url: string, fallbackName: string, title: string): Promise<{ name: string; bytes: number } | null> {
  const post = (signature?: string) => fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${getToken() ?? ''}`, ...(signature ? { 'X-Historian-Signature': signature } : {}) } });
  let res = await post();
  if (res.status === 428) {
    const asked = await res.json() as { action: string; target: string | null };
    const token = await askSignature(host, { action: asked.action, target: asked.target ?? '', title });
    if (!token) return null;
    res = await post(token);
  }
  if (!res.ok) {
    const body = await res.json().catch(() => ({ message: res.statusText }));
    throw new Error(String(body.message ?? res.statusText));
  }
  const blob = await res.blob();
  const name = fileNameOf(res, fallbackName);
  saveBlob(blob, name);
  return { name, bytes: blob.size };
}
