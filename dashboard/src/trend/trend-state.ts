// The trend's state as the URL carries it, both ways, so a link or a bookmark reproduces
// the view: #/trend?tags=a,b&range=8h&live=1 (following now) or
// #/trend?tags=a,b&from=<ms>&to=<ms>&live=0 (a fixed window, e.g. after a zoom).
import { presetMs, PRESETS, type TimeRange } from '../lib/ranges';

export interface TrendState { tags: string[]; range: TimeRange; live: boolean }

function time(v: string | null): number | null {
  if (!v) return null;
  const n = Number(v);
  if (Number.isFinite(n)) return n;
  const d = Date.parse(v);
  return Number.isFinite(d) ? d : null;
}

export function trendStateFromParams(p: URLSearchParams): TrendState {
  const tags = (p.get('tags') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  const from = time(p.get('from'));
  const to = time(p.get('to'));
  if (from !== null && to !== null && to > from) return { tags, range: { from, to }, live: false };
  const preset = p.get('range') ?? '1h';
  return { tags, range: { preset: PRESETS.some((x) => x.id === preset) ? preset : '1h' }, live: p.get('live') !== '0' };
}

export function trendStateToQuery(s: TrendState): string {
  const q = new URLSearchParams();
  q.set('tags', s.tags.join(','));
  if ('preset' in s.range) { q.set('range', s.range.preset); q.set('live', s.live ? '1' : '0'); }
  else { q.set('from', String(Math.round(s.range.from))); q.set('to', String(Math.round(s.range.to))); q.set('live', '0'); }
  return q.toString().replace(/%2C/g, ',');
}

export function sameRange(a: TimeRange, b: TimeRange): boolean {
  if ('preset' in a || 'preset' in b) return 'preset' in a && 'preset' in b && a.preset === b.preset;
  return Math.abs(a.from - b.from) < 1000 && Math.abs(a.to - b.to) < 1000;
}

export function spanOf(r: TimeRange): number {
  return 'preset' in r ? presetMs(r.preset) : r.to - r.from;
}
