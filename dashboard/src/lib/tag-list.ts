// The tag registry as the dashboard reads it (GET /tags: every tag with its unit, span and
// state names), shared by the views: the alarm console labels values with units without a
// request per alarm, and views open at the same time ask the server once. A list older
// than `maxAgeMs` is loaded again, so a tag created in the editor shows up.
import { get, qs } from '../api';
import type { TagInfo } from './format';

let last: { at: number; list: Promise<TagInfo[]> } | null = null;

export function tagList(maxAgeMs = 10_000): Promise<TagInfo[]> {
  const now = Date.now();
  if (!last || now - last.at > maxAgeMs) {
    const list = get<{ tags: TagInfo[] }>(`/tags${qs({ pattern: '>', limit: 20000 })}`).then((r) => r.tags);
    last = { at: now, list };
    // a failed load is not kept: the next caller asks again
    list.catch(() => { if (last?.list === list) last = null; });
  }
  return last.list;
}

/** The registry by tag name; empty where the user may not read it (the caller shows values without units). */
export async function tagMetas(maxAgeMs?: number): Promise<Map<string, TagInfo>> {
  try {
    return new Map((await tagList(maxAgeMs)).map((t) => [t.tag, t]));
  } catch {
    return new Map();
  }
}
