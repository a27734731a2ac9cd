// Session token handling and JSON calls to /api/v1. A 404 from a route that another part
// of the server provides (alarms, audit) means "not available here" and views show an
// empty state for it; a 428 means "electronic signature required".
//
// The session token is kept in localStorage so one sign-in serves every tab of this
// browser (and the flow editor, which accepts the same token). The server still decides:
// idle and absolute limits apply to the one token, and a sign-out revokes it server-side
// and removes it here, which every other tab sees through the `storage` event.
import type { ApiErrorBody } from '../../runtime/server/api/contract';

const KEY = 'historian.token';
/** the editor's path (settings.js httpAdminRoot); the dashboard links to it */
export const EDITOR_PATH = '/editor/';
/**
 * Where the Node-RED editor keeps its session: "auth-tokens" + its path with slashes as
 * dashes (Node-RED's RED.settings). The editor accepts our JWT as a bearer token.
 */
const EDITOR_KEY = `auth-tokens${EDITOR_PATH.slice(0, -1).replace(/\//g, '-')}`;

export function getToken(): string | null {
  return localStorage.getItem(KEY);
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(KEY, token);
  else { localStorage.removeItem(KEY); localStorage.removeItem(EDITOR_KEY); }
}

/** Hands the session to the flow editor (same origin) so it does not ask for a second sign-in. */
export function shareWithEditor(expiresAt?: string): void {
  const token = getToken();
  if (!token) return;
  const left = expiresAt ? Math.max(1, Math.floor((Date.parse(expiresAt) - Date.now()) / 1000)) : 3600;
  localStorage.setItem(EDITOR_KEY, JSON.stringify({ access_token: token, expires_in: left, token_type: 'Bearer' }));
}

/** Calls `fn` when another tab signs in or out (the token changes under this one). */
export function onTokenChange(fn: (token: string | null) => void): () => void {
  const h = (e: StorageEvent) => { if (e.key === KEY || e.key === null) fn(getToken()); };
  window.addEventListener('storage', h);
  return () => window.removeEventListener('storage', h);
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly body: Partial<ApiErrorBody> = {}) {
    super(message);
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
/** Called when the server says the session is gone (401): the shell goes back to login. */
export function onUnauthorized(fn: Listener): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

/** The live connection was closed because the session ended (close code 4401/4403): as a 401. */
export function sessionEnded(): void {
  for (const fn of unauthorizedListeners) fn();
}

export interface CallOptions { headers?: Record<string, string>; signal?: AbortSignal }

export async function api<T>(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: opts.signal });
  const text = await res.text();
  let data: any; // the caller names the answer's type (runtime/server/api/contract.ts)
  try { data = text ? JSON.parse(text) : undefined; } catch { data = { message: text }; }
  if (!res.ok) {
    if (res.status === 401 && path !== '/login' && path !== '/re-auth') {
      setToken(null);
      for (const fn of unauthorizedListeners) fn();
    }
    throw new ApiError(res.status, data?.message ?? res.statusText, data ?? {});
  }
  return data as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, undefined, { signal });

/** Builds a query string, leaving out undefined and empty values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
