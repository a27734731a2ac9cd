// Downloads an export through fetch so the page can show progress: bytes received and,
// for text formats, how far through the time range the rows have come.
import { getToken, qs } from '../api';
import { offers } from '../capabilities';
import { fileNameOf, saveBlob } from '../lib/save-file';
import type { ApiErrorBody } from '../../../runtime/server/api/contract';

export interface ExportParams { tags: string[]; from: number; to: number; format: string; layout: string; tz: string; points?: number }
export interface ExportProgress { bytes: number; fraction: number | null; done: boolean }

export async function downloadExport(p: ExportParams, onProgress: (p: ExportProgress) => void): Promise<void> {
  const url = `/api/v1/export${qs({ tags: p.tags.join(','), from: p.from, to: p.to, format: p.format, layout: p.layout, tz: p.tz, points: p.points })}`;
  const res = await fetch(url, { headers: { Authorization: `Bearer ${getToken() ?? ''}` } });
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => ({ message: res.statusText }))) as Partial<ApiErrorBody>;
    throw new Error(res.status === 404 && !(await offers('export')) ? 'export is not available on this server' : body.message ?? res.statusText);
  }
  const name = fileNameOf(res, `export.${p.format}`);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const text = p.format !== 'xlsx';
  const dec = new TextDecoder();
  let tail = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    bytes += value.length;
    let fraction: number | null = null;
    if (text) {
      // rows are in time order: the last complete row's time says how far the export is
      tail = (tail + dec.decode(value, { stream: true })).slice(-400);
      const m = /(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(?:Z|[+-]\d{2}:\d{2}))[^\n]*\n[^\n]*$/.exec(tail);
      if (m) fraction = Math.min(1, Math.max(0, (Date.parse(m[1]) - p.from) / (p.to - p.from)));
    }
    onProgress({ bytes, fraction, done: false });
  }
  onProgress({ bytes, fraction: 1, done: true });
  saveBlob(new Blob(chunks as BlobPart[], { type: res.headers.get('Content-Type') ?? 'application/octet-stream' }), name);
}
