// One-time download links (runtime/http/download-links.ts): a link serves one download, to
// the address that asked for it, within its lifetime; links waiting are bounded.
import { describe, expect, it } from 'vitest';
import { DownloadLinks } from '../../../runtime/http';

describe('DownloadLinks', () => {
  it('serves a link once', () => {
    const links = new DownloadLinks<string>();
    const { id } = links.issue('archive', '10.0.0.5');
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(links.take(id, '10.0.0.5')).toBe('archive');
    expect(links.take(id, '10.0.0.5')).toBeNull();
    expect(links.take('unknown', '10.0.0.5')).toBeNull();
  });

  it('refuses another client address without spending the link for its owner', () => {
    const links = new DownloadLinks<string>();
    const { id } = links.issue('archive', '10.0.0.5');
    expect(links.take(id, '10.0.0.6')).toBeNull();
    expect(links.take(id, null)).toBeNull();
    expect(links.take(id, '10.0.0.5')).toBe('archive');
  });

  it('expires after its lifetime', () => {
    let now = 1_000_000;
    const links = new DownloadLinks<string>({ ttlMs: 60_000, clock: () => now });
    const a = links.issue('a', null);
    const b = links.issue('b', null);
    expect(a.expiresAt).toBe(1_060_000);
    now += 59_999;
    expect(links.take(a.id, null)).toBe('a');
    now += 1;
    expect(links.take(b.id, null)).toBeNull();
  });

  it('keeps at most `max` links waiting, dropping the oldest, and sweeps expired ones', () => {
    let now = 0;
    const links = new DownloadLinks<number>({ max: 3, ttlMs: 10, clock: () => now });
    const ids = [1, 2, 3, 4].map((v) => links.issue(v, null).id);
    expect(links.size).toBe(3);
    expect(links.take(ids[0], null)).toBeNull();
    expect(links.take(ids[3], null)).toBe(4);
    now = 10;
    links.issue(5, null);
    expect(links.size).toBe(1);
  });

  it('makes a different link each time', () => {
    const links = new DownloadLinks<number>({ max: 1000 });
    const ids = new Set(Array.from({ length: 500 }, (_, i) => links.issue(i, null).id));
    expect(ids.size).toBe(500);
  });
});
