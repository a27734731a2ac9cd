// Session token handling and JSON calls to /api/v1. A 404 from a route that another part
// of the server provides (alarms, audit) means "not available here" and views show an
// empty state for it; a 428 means "electronic signature required".
const KEY = 'historian.token';

export function getToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly body: Record<string, unknown> = {}) {
    super(message);
  }
  /** The route does not exist on this server (feature not installed). */
  get absent(): boolean { return this.status === 404 && this.body.error === 'not_found' && /no such API route/.test(String(this.body.message)); }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
/** Called when the server says the session is gone (401): the shell goes back to login. */
export function onUnauthorized(fn: Listener): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

export interface CallOptions { headers?: Record<string, string>; signal?: AbortSignal }

export async function api<T>(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: opts.signal });
  const text = await res.text();
  let data: any;
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
