// One-time download links. A browser streams a large file to disk, with its own progress
// and without holding it in memory, only when it navigates to the file, and a navigation
// cannot carry the bearer token that authenticates API calls. So a route that has
// authenticated, authorized and (for a critical action) signed a request issues a link
// instead; the link serves one download, to the client address that asked for it, within
// its lifetime, on behalf of that caller. Links live in memory: a restart voids them.
import { randomBytes } from 'node:crypto';

export interface DownloadLinkOptions {
  /** how long a link may wait for its download (default 60 s) */
  ttlMs?: number;
  /** links waiting at most; the oldest is dropped past it (default 32) */
  max?: number;
  clock?: () => number;
}

interface Link<T> { value: T; address: string | null; expiresAt: number }

export class DownloadLinks<T> {
  private readonly links = new Map<string, Link<T>>();
  private readonly ttlMs: number;
  private readonly max: number;
  private readonly clock: () => number;

  constructor(o: DownloadLinkOptions = {}) {
    this.ttlMs = o.ttlMs ?? 60_000;
    this.max = o.max ?? 32;
    this.clock = o.clock ?? Date.now;
  }

  /** A new link for `value`, usable once from `address` (null: any) until `expiresAt`. */
  issue(value: T, address: string | null): { id: string; expiresAt: number } {
    const now = this.clock();
    for (const [id, l] of this.links) if (l.expiresAt <= now) this.links.delete(id);
    while (this.links.size >= this.max) this.links.delete(this.links.keys().next().value!);
    // 256 random bits: the link is the credential of its one download
    const id = randomBytes(32).toString('base64url');
    const expiresAt = now + this.ttlMs;
    this.links.set(id, { value, address, expiresAt });
    return { id, expiresAt };
  }

  /** The link's value, used up; null when the link is unknown, used, expired or asked for from another address. */
  take(id: string, address: string | null): T | null {
    const l = this.links.get(id);
    if (!l) return null;
    // a link from another address is not spent: its owner may still use it
    if (l.address !== null && l.address !== address) return null;
    this.links.delete(id);
    return l.expiresAt > this.clock() ? l.value : null;
  }

  get size(): number { return this.links.size; }
}
