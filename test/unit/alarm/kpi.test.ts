// KPIs against values computed by hand on a constructed journal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlarmService, AlarmStore, type AlarmEvent, type AlarmState, type Priority } from '../../../runtime/alarm';

const T = Date.UTC(2025, 2, 3, 6, 0, 0);
const S = 1000;
const M = 60 * S;
const H = 60 * M;

let dir: string;
let store: AlarmStore;
afterEach(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function build(): AlarmStore {
  dir = mkdtempSync(join(tmpdir(), 'alarm-kpi-'));
  store = AlarmStore.open(join(dir, 'alarms.db'));
  const area = (id: string) => (/^[ab]/.test(id) ? `acme.area1.${id}` : `acme.area2.${id}`);
  const add = (ts: number, id: string, from: AlarmState, to: AlarmState, event: AlarmEvent, priority: Priority = 'medium') =>
    store.append({ ts, alarmId: id, tag: area(id), from, to, event, value: null, limit: null, user: null, comment: null, priority, detail: null });
  // before the range: the stale candidates and a shelve
  add(T - 30 * H, 'r', 'A', 'B', 'activate');
  add(T - 25 * H, 's', 'A', 'B', 'activate');
  add(T - 24 * H, 's', 'B', 'C', 'ack');
  add(T - 2 * H, 'r', 'B', 'D', 'clear');
  add(T - 1 * H, 'n', 'A', 'B', 'activate');
  add(T - 1 * H, 'y', 'A', 'E', 'shelve');
  // period 0: `a` chatters (3 in 40 s) and b1..b9: 12 alarms, a flood
  add(T, 'a', 'A', 'B', 'activate', 'low');
  add(T + 5 * S, 'a', 'B', 'D', 'clear', 'low');
  add(T + 20 * S, 'a', 'D', 'B', 'activate', 'low');
  add(T + 25 * S, 'a', 'B', 'D', 'clear', 'low');
  add(T + 40 * S, 'a', 'D', 'B', 'activate', 'low');
  add(T + 45 * S, 'a', 'B', 'D', 'clear', 'low');
  add(T + 50 * S, 'a', 'D', 'A', 'ack', 'low');
  for (let i = 1; i <= 9; i++) add(T + M + i * 10 * S, `b${i}`, 'A', 'B', 'activate');
  // period 1: three high alarms, a shelve, an out-of-service
  for (let i = 1; i <= 3; i++) add(T + (10 + i) * M, `c${i}`, 'A', 'B', 'activate', 'high');
  add(T + 14 * M, 'h', 'A', 'E', 'shelve');
  add(T + 15 * M, 'x', 'A', 'G', 'remove');
  // period 2: only an unshelve (not an alarm)
  add(T + 25 * M, 'y', 'E', 'A', 'unshelve');
  // period 3: 11 alarms, a flood; two urgent
  for (let i = 1; i <= 11; i++) add(T + 31 * M + i * 10 * S, `d${i}`, 'A', 'B', 'activate', i <= 2 ? 'urgent' : 'medium');
  // period 4: `a` once more
  add(T + 45 * M, 'a', 'A', 'B', 'activate', 'low');
  // after the range: must not count
  add(T + 61 * M, 'z', 'A', 'B', 'activate', 'urgent');
  return store;
}

describe('alarm KPIs', () => {
  it('match the hand-computed figures', () => {
    const svc = new AlarmService({ db: build() });
    const k = svc.kpi(T, T + 60 * M);
    expect(k.alarms).toBe(27);
    expect(k.periods.map((p) => p.count)).toEqual([12, 3, 0, 11, 1, 0]);
    expect(k.periods.map((p) => p.start)).toEqual([0, 1, 2, 3, 4, 5].map((i) => T + i * 10 * M));
    expect(k.averagePer10Min).toBeCloseTo(4.5, 10);
    expect(k.floodPeriods).toBe(2);
    expect(k.floodPercent).toBeCloseTo(100 / 3, 10);
    expect(k.peak10Min).toBe(12);
    expect(k.top10.map((t) => [t.alarmId, t.count])).toEqual([['a', 4], ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => [`b${i}`, 1])]);
    expect(k.top10[0].share).toBeCloseTo((4 / 27) * 100, 10);
    expect(k.top10Share).toBeCloseTo((13 / 27) * 100, 10);
    // none of these alarms is configured in this service: no message to name them by
    expect(k.chattering).toEqual([{ alarmId: 'a', tag: 'acme.area1.a', message: null, maxPerMinute: 3 }]);
    expect(k.stale).toEqual([{ alarmId: 's', tag: 'acme.area2.s', message: null, activeSince: T - 25 * H, ageMs: 26 * H }]);
    expect(k.priority.counts).toEqual({ low: 4, medium: 18, high: 3, urgent: 2 });
    expect(k.priority.percent.lowMedium).toBeCloseTo((22 / 27) * 100, 10);
    expect(k.priority.percent.high).toBeCloseTo((3 / 27) * 100, 10);
    expect(k.priority.percent.urgent).toBeCloseTo((2 / 27) * 100, 10);
    expect(k.priority.target).toEqual({ lowMedium: 80, high: 15, urgent: 5 });
    expect([k.shelved, k.suppressed, k.outOfService, k.shelveActions, k.outOfServiceActions]).toEqual([1, 0, 1, 1, 1]);
    svc.close();
  });

  it('name the alarms the running flows define by their message', () => {
    const svc = new AlarmService({ db: build(), clock: () => T + 60 * M });
    svc.configure('g', [
      { id: 'a', tag: 'acme.area1.a', type: 'HI', setpoint: 1, priority: 'low', message: 'Area 1 level high' },
      { id: 's', tag: 'acme.area2.s', type: 'HI', setpoint: 1, priority: 'medium', message: 'Area 2 pressure high' },
    ]);
    const k = svc.kpi(T, T + 60 * M);
    expect(k.top10[0]).toMatchObject({ alarmId: 'a', message: 'Area 1 level high', count: 4 });
    expect(k.top10[1]).toMatchObject({ alarmId: 'b1', message: null });
    expect(k.chattering).toEqual([{ alarmId: 'a', tag: 'acme.area1.a', message: 'Area 1 level high', maxPerMinute: 3 }]);
    expect(k.stale.map((s) => s.message)).toEqual(['Area 2 pressure high']);
    svc.close();
  });

  it('the journal filters by the priority recorded with each entry', () => {
    const svc = new AlarmService({ db: build() });
    const ids = (priority: Priority | Priority[]) => svc.journal({ priority }, { limit: 1000, order: 'asc' }).entries.map((e) => e.alarmId);
    expect(ids('urgent')).toEqual(['d1', 'd2', 'z']);
    expect(ids(['high', 'urgent'])).toEqual(['c1', 'c2', 'c3', 'd1', 'd2', 'z']);
    expect(svc.journal({ priority: 'low', alarmId: 'a' }).entries.every((e) => e.priority === 'low')).toBe(true);
    svc.close();
  });

  it('restrict to one console by tag pattern', () => {
    const svc = new AlarmService({ db: build() });
    const k = svc.kpi(T, T + 60 * M, { console: 'acme.area1.>' });
    expect(k.alarms).toBe(13);
    expect(k.periods.map((p) => p.count)).toEqual([12, 0, 0, 0, 1, 0]);
    expect(k.floodPercent).toBeCloseTo(100 / 6, 10);
    expect([k.stale.length, k.shelved, k.outOfService]).toEqual([0, 0, 0]);
    expect(() => svc.kpi(T, T + M, { console: 'acme..x' })).toThrow(/^console: /);
    expect(() => svc.kpi(T, T)).toThrow(/^to: /);
    svc.close();
  });

  it('a partial last period counts toward the average by its length', () => {
    const svc = new AlarmService({ db: build() });
    const k = svc.kpi(T, T + 15 * M);
    expect(k.periods.map((p) => p.count)).toEqual([12, 3]);
    expect(k.averagePer10Min).toBeCloseTo(15 / 1.5, 10);
    svc.close();
  });
});
