// Downloads a frame's export (CSV or XLSX with the frame's header) through fetch, since the
// session token travels in a header, not in a link.
import { getToken } from '../../api';

export async function downloadFrame(id: string, format: 'csv' | 'xlsx'): Promise<void> {
  const res = await fetch(`/api/v1/frames/${encodeURIComponent(id)}/export?format=${format}`, { headers: { Authorization: `Bearer ${getToken() ?? ''}` } });
  if (!res.ok) {
    const body = await res.json().catch(() => ({ message: res.statusText }));
    throw new Error(String(body.message ?? res.statusText));
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? `frame.${format}`;
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}
