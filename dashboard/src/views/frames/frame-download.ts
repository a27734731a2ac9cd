// Downloads frame exports (CSV or XLSX with each frame's header) through fetch, since the
// session token travels in a header, not in a link.
import { getToken } from '../../api';

async function download(url: string, fallbackName: string): Promise<void> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${getToken() ?? ''}` } });
  if (!res.ok) {
    const body = await res.json().catch(() => ({ message: res.statusText }));
    throw new Error(String(body.message ?? res.statusText));
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? fallbackName;
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

/** One frame: its header, then its data (XLSX: a `Frame` sheet, then the data sheets). */
export function downloadFrame(id: string, format: 'csv' | 'xlsx'): Promise<void> {
  return download(`/api/v1/frames/${encodeURIComponent(id)}/export?format=${format}`, `frame.${format}`);
}

/** Several frames in one file: a CSV section or an XLSX sheet per frame, in the order given. */
export function downloadFrames(ids: readonly string[], format: 'csv' | 'xlsx'): Promise<void> {
  return download(`/api/v1/frames/export?ids=${ids.map(encodeURIComponent).join(',')}&format=${format}`, `frames.${format}`);
}
