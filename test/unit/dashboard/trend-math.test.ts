// The trend's read-out and statistics, the URL state and the value formatting, on their own.
import { describe, expect, it } from 'vitest';
import { valueAt, viewStats, typicalGap } from '../../../dashboard/src/trend/readout';
import { trendStateFromParams, trendStateToQuery } from '../../../dashboard/src/trend/trend-state';
import { formatValue, formatWithUnit, qualityLevel, qualityText, decimalsFor, hourStyleOf } from '../../../dashboard/src/lib/format';
import { limitText } from '../../../dashboard/src/views/alarms/alarm-values';
import { pickEncoding } from '../../../runtime/server/dashboard-static';
import { shortNames } from '../../../dashboard/src/trend/pens';

const series = (ts: number[], values: number[], quality = ts.map(() => 'GOOD')) => ({ ts, values, quality });

describe('cursor read-out', () => {
  const s = series([0, 1000, 2000, 3000], [10, 20, 30, 40]);
  it('a step tag holds its last value; a linear tag is interpolated between its neighbours', () => {
    expect(valueAt(s, 1500, 'step').value).toBe(20);
    expect(valueAt(s, 1500, 'linear').value).toBe(25);
    expect(valueAt(s, 2000, 'linear').value).toBe(30);
  });
  it('says "no data" before the first sample, long after the last one and inside a long gap', () => {
    expect(valueAt(s, -1, 'step').value).toBeNull();
    expect(valueAt(s, 3000 + 60_000, 'step').value).toBeNull();
    const gappy = series([0, 1000, 2000, 600_000, 601_000], [1, 2, 3, 4, 5]);
    expect(valueAt(gappy, 300_000, 'linear').value).toBeNull();
    expect(valueAt(gappy, 2500, 'linear').value).not.toBeNull();
  });
  it('typical gap is the median spacing, robust to one outage', () => {
    expect(typicalGap([0, 10, 20, 30, 10_000, 10_010, 10_020])).toBe(10);
  });
  it('statistics of the view are time-weighted and name the worst quality', () => {
    const q = series([0, 1000, 3000], [0, 10, 10], ['GOOD', 'UNCERTAIN', 'BAD_NOT_CONNECTED']);
    const st = viewStats(q, 0, 3000, 'step');
    expect(st.min).toBe(0);
    expect(st.max).toBe(10);
    expect(st.avg).toBeCloseTo((0 * 1000 + 10 * 2000) / 3000);
    expect(st.worst).toBe('BAD_NOT_CONNECTED');
    expect(viewStats(q, 5000, 6000, 'step').min).toBeNull();
  });
});

describe('trend URL state', () => {
  it('round-trips a live preset and a fixed window', () => {
    const live = trendStateFromParams(new URLSearchParams('tags=a.b,c.d&range=8h&live=1'));
    expect(live).toEqual({ tags: ['a.b', 'c.d'], range: { preset: '8h' }, live: true });
    expect(trendStateFromParams(new URLSearchParams(trendStateToQuery(live)))).toEqual(live);
    const fixed = trendStateFromParams(new URLSearchParams('tags=a.b&from=1000&to=5000'));
    expect(fixed).toEqual({ tags: ['a.b'], range: { from: 1000, to: 5000 }, live: false });
    expect(trendStateToQuery(fixed)).toBe('tags=a.b&from=1000&to=5000&live=0');
  });
  it('ignores an unknown preset and a window that ends before it starts', () => {
    expect(trendStateFromParams(new URLSearchParams('range=2w')).range).toEqual({ preset: '1h' });
    expect(trendStateFromParams(new URLSearchParams('from=5000&to=1000')).range).toEqual({ preset: '1h' });
  });
});

describe('value formatting', () => {
  it('accepts quality as the stored number or as its name', () => {
    expect(qualityText(0)).toBe('GOOD');
    expect(qualityText(0x8001)).toBe('BAD_NOT_CONNECTED');
    expect(qualityLevel(0x4005)).toBe('UNCERTAIN');
    expect(qualityLevel('BAD_SENSOR_FAILURE')).toBe('BAD');
    expect(qualityLevel(undefined)).toBe('GOOD');
  });
  it('uses one precision per tag from its span, and state words for discrete tags', () => {
    const m = { tag: 't', spanLow: 0, spanHigh: 100 };
    expect(decimalsFor(m)).toBe(1);
    expect(formatValue(5, m)).toBe('5.0');
    expect(formatValue(55.56, m)).toBe('55.6');
    expect(formatValue(1, { tag: 'r', states: ['stopped', 'running'] })).toBe('Running');
    expect(formatValue(0, { tag: 'r', valueType: 'boolean' })).toBe('Off');
    expect(formatValue(null)).toBe('—');
  });
});

describe('dashboard delivery', () => {
  it('prefers brotli, then gzip, honouring q=0', () => {
    expect(pickEncoding('gzip, deflate, br')).toBe('br');
    expect(pickEncoding('gzip, br;q=0')).toBe('gzip');
    expect(pickEncoding('identity')).toBeNull();
    expect(pickEncoding(undefined)).toBeNull();
    expect(pickEncoding('*')).toBe('br');
  });
});

describe('pen names', () => {
  it('are the last two parts of a tag, or as many more as tell the pens apart', () => {
    const n = shortNames(['acme.line1.cell1.pump1.flow', 'acme.line2.cell1.pump1.flow', 'acme.line1.cell1.pump1.pressure', 'flow']);
    expect([...n.values()]).toEqual(['line1.cell1.pump1.flow', 'line2.cell1.pump1.flow', 'pump1.pressure', 'flow']);
    // two tags that differ only in their first part keep their whole names
    expect([...shortNames(['a.x.y', 'b.x.y']).values()]).toEqual(['a.x.y', 'b.x.y']);
  });
});

describe('times in the reader\'s clock', () => {
  const at = new Date(2026, 11, 7, 6, 5, 9).getTime();
  const clock = (locale: string) => new Intl.DateTimeFormat(locale, { hour: hourStyleOf(locale), minute: '2-digit', second: '2-digit' }).format(at);
  it('a 12-hour clock writes the hour without a leading zero, a 24-hour clock with one', () => {
    expect(hourStyleOf('en-US')).toBe('numeric');
    expect(clock('en-US')).toMatch(/^6:05:09\s?AM$/);
    expect(hourStyleOf('de-DE')).toBe('2-digit');
    expect(clock('de-DE')).toBe('06:05:09');
    expect(clock('en-GB')).toBe('06:05:09');
  });
});

describe('alarm values in the tag\'s unit', () => {
  const bar = { tag: 'p', unit: 'bar', spanLow: 0, spanHigh: 10 };
  const trip = { tag: 't', unit: 'x', states: ['normal', 'tripped'] };
  it('an analog value and limit carry the unit and the span\'s precision; a rate is per second; a state has no unit', () => {
    expect(formatWithUnit(4.5, bar)).toBe('4.50 bar');
    expect(formatWithUnit(null, bar)).toBe('—');
    expect(limitText({ type: 'LO', limit: 1 }, bar)).toBe('1.00 bar');
    expect(limitText({ type: 'ROC', limit: 0.5 }, bar)).toBe('0.50 bar/s');
    expect(limitText({ type: 'ROC', limit: 0.5 }, undefined)).toMatch(/^0\.50* per s$/);
    expect(limitText({ type: 'DISCRETE', limit: 1 }, trip)).toBe('Tripped');
    expect(formatWithUnit(1, trip)).toBe('Tripped');
  });
});
