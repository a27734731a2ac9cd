// Hands a file to the browser. Exports come through fetch (the session token travels in a
// header, not in a link), so the page saves the blob itself; a file too large to hold in
// the page (a backup) comes from a one-time link the browser downloads on its own.
import { getToken } from '../api';

/** The file name the server gave in Content-Disposition, or the fallback. */
export function fileNameOf(res: Response, fallback: string): string {
  return /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? fallback;
}

/** Lets the browser download a URL as a file (its own download: streamed to disk, with its progress); `name` '' keeps the server's. */
export function startDownload(url: string, name = ''): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  startDownload(url, name);
  // the browser reads the object URL after click() returns
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
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
