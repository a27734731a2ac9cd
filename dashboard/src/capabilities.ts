// Feature detection through the server's capability list (GET /api/v1/capabilities: the
// route groups it serves), never by reading error messages. Asked once per page load.
import type { Capabilities } from '../../runtime/server/api/contract';
import { get } from './api';

let cached: Promise<Capabilities | null> | null = null;

export function capabilities(): Promise<Capabilities | null> {
  // a failure (signed out, an older server) is not remembered: the next call asks again
  cached ??= get<Capabilities>('/capabilities').catch(() => { cached = null; return null; });
  return cached;
}

/** Whether the server offers a feature (a route group); unknown (no list) counts as offered. */
export async function offers(feature: string): Promise<boolean> {
  const c = await capabilities();
  return c === null || c.features.includes(feature);
}
