// Downloads frame exports (CSV or XLSX with each frame's header) through fetch, since the
// session token travels in a header, not in a link.
import { downloadFile as download } from '../../lib/save-file';

/** One frame: its header, then its data (XLSX: a `Frame` sheet, then the data sheets). */
export function downloadFrame(id: string, format: 'csv' | 'xlsx'): Promise<void> {
  return download(`/api/v1/frames/${encodeURIComponent(id)}/export?format=${format}`, `frame.${format}`);
}

/** Several frames in one file: a CSV section or an XLSX sheet per frame, in the order given. */
export function downloadFrames(ids: readonly string[], format: 'csv' | 'xlsx'): Promise<void> {
  return download(`/api/v1/frames/export?ids=${ids.map(encodeURIComponent).join(',')}&format=${format}`, `frames.${format}`);
}
