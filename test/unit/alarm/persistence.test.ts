// States and journal in SQLite survive a restart; redeploys keep state for unchanged ids.
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { AlarmDefinitionError } from '../../../runtime/alarm';
import { ENG, OP, harness, hi, type Harness } from './harness';

let h: Harness;
afterEach(() => h?.close());

describe('restart', () => {
  it('an active unacknowledged alarm is still active and unacknowledged after a restart', () => {
    h = harness([hi('t1'), hi('t2'), hi('t3', { latching: true })]);
    h.feed('plant.unit1.t1', 150);
    h.feed('plant.unit1.t2', 150);
    h.svc.ack('t2', OP);
    h.feed('plant.unit1.t3', 150);
    h.feed('plant.unit1.t3', 50);
    const before = h.svc.list();
    const journal = h.svc.journal({}, { order: 'asc' }).entries;
    h.restart();
    expect(h.svc.list()).toEqual(before);
    expect(h.svc.get('t1')).toMatchObject({ state: 'B', conditionActive: true, acknowledged: false, value: 150 });
    expect(h.svc.get('t3')).toMatchObject({ state: 'B', latched: true });
    expect(h.svc.journal({}, { order: 'asc' }).entries).toEqual(journal);
    // condition tracking resumes where it was: no new activation, the clear is seen
    expect(h.feed('plant.unit1.t1', 160)).toEqual([]);
    expect(h.feed('plant.unit1.t1', 50).map((t) => [t.from, t.to])).toEqual([['B', 'D']]);
    expect(h.svc.journal({}, { order: 'asc' }).entries.map((e) => e.seq)).toEqual([...journal.map((e) => e.seq), journal[journal.length - 1].seq + 1]);
  });

  it('a timed shelve survives a restart and expires on the first tick after it', () => {
    h = harness([hi('t1')]);
    h.feed('plant.unit1.t1', 150);
    h.svc.shelve('t1', { ...OP, reason: 'x', durationMs: 60_000 });
    h.restart();
    expect(h.svc.get('t1')!.shelve).toMatchObject({ user: 'olga', reason: 'x' });
    h.at(h.now() + 120_000);
    expect(h.svc.tick(h.now()).map((t) => [t.from, t.to, t.user])).toEqual([['E', 'B', 'system']]);
  });

  it('a pending on-delay survives a restart', () => {
    h = harness([hi('t1', { onDelayMs: 10_000 })]);
    h.feed('plant.unit1.t1', 150);
    h.restart();
    expect(h.tickBy(10_000).map((t) => t.to)).toEqual(['B']);
  });

  it('uses WAL mode', () => {
    h = harness([hi('t1')]);
    const db = new DatabaseSync(h.path);
    expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    db.close();
  });
});

describe('redeploy', () => {
  it('keeps state for ids that stay, drops removed ids, adds new ones', () => {
    h = harness([hi('t1'), hi('t2')]);
    h.feed('plant.unit1.t1', 150);
    h.feed('plant.unit1.t2', 150);
    const r = h.svc.configure('g', [hi('t1'), hi('t2', { setpoint: 200 }), hi('t3')]);
    expect(r).toEqual({ added: ['t3'], updated: ['t2'], unchanged: ['t1'], removed: [] });
    expect([h.svc.get('t1')!.state, h.svc.get('t2')!.state, h.svc.get('t3')!.state]).toEqual(['B', 'B', 'A']);
    // the new setpoint applies from the next sample
    expect(h.feed('plant.unit1.t2', 150).map((t) => t.to)).toEqual(['D']);
    expect(h.svc.configure('g', [hi('t1')]).removed.sort()).toEqual(['t2', 't3']);
    expect(h.svc.get('t2')).toBeUndefined();
  });

  it('removeGroup keeps state for the next configure unless purged', () => {
    h = harness([hi('t1')]);
    h.feed('plant.unit1.t1', 150);
    h.svc.removeGroup('g');
    expect(h.svc.list()).toEqual([]);
    expect(h.feed('plant.unit1.t1', 50)).toEqual([]);
    h.svc.configure('g', [hi('t1')]);
    expect(h.svc.get('t1')!.state).toBe('B');
    h.svc.removeGroup('g', { purge: true });
    h.svc.configure('g', [hi('t1')]);
    expect(h.svc.get('t1')!.state).toBe('A');
    expect(h.svc.journal({ alarmId: 't1' }).entries).toHaveLength(1);
  });

  it('after a restart, definitions are upserted and state is kept', () => {
    h = harness([hi('t1')]);
    h.feed('plant.unit1.t1', 150);
    h.restart((svc) => {
      expect(svc.configure('g', [hi('t1', { priority: 'urgent' })])).toMatchObject({ updated: ['t1'] });
    });
    expect(h.svc.get('t1')).toMatchObject({ state: 'B', priority: 'urgent' });
    h.restart((svc) => expect(svc.configure('g', [hi('t1', { priority: 'urgent' })])).toMatchObject({ unchanged: ['t1'] }));
  });

  it('refuses an id already defined by another group', () => {
    h = harness([hi('t1')]);
    expect(() => h.svc.configure('other', [hi('t9'), hi('t1')])).toThrow(new AlarmDefinitionError('id', '"t1" is already defined in group "g"', 1));
    expect(h.svc.get('t9')).toBeUndefined();
  });
});

describe('journal', () => {
  it('records every transition and action with the fields of the record, paged and filtered', () => {
    h = harness([hi('t1'), hi('t2', { tag: 'plant.unit2.t2' })]);
    for (let i = 0; i < 5; i++) {
      h.feed('plant.unit1.t1', 150 + i);
      h.feed('plant.unit2.t2', 150);
      h.tickBy(1000);
      h.feed('plant.unit1.t1', 50);
      h.feed('plant.unit2.t2', 50);
      h.svc.ack('all-visible', { ...OP, comment: `round ${i}` });
    }
    h.svc.outOfService('t1', { ...ENG, reason: 'repair' });
    const all = h.svc.journal({}, { limit: 1000, order: 'asc' }).entries;
    expect(all).toHaveLength(31);
    expect(all[0]).toEqual({
      seq: all[0].seq, ts: all[0].ts, alarmId: 't1', tag: 'plant.unit1.t1', from: 'A', to: 'B', event: 'activate',
      value: 150, limit: 100, user: null, comment: null, priority: 'high', detail: null,
    });
    expect(all[3]).toMatchObject({ alarmId: 't2', from: 'B', to: 'D', event: 'clear', value: 50 });
    expect(all[4]).toMatchObject({ event: 'ack', from: 'D', to: 'A', user: 'olga', comment: 'round 0' });
    // pages, newest first, chained through `next`
    const seen: number[] = [];
    let cursor: number | undefined;
    for (;;) {
      const p = h.svc.journal({}, { limit: 7, cursor });
      seen.push(...p.entries.map((e) => e.seq));
      if (p.next === null) break;
      cursor = p.next;
    }
    expect(seen).toEqual(all.map((e) => e.seq).reverse());
    // filters
    const unit2 = h.svc.journal({ tag: 'plant.*.t2' }, { limit: 3, order: 'asc' });
    expect(unit2.entries.map((e) => e.alarmId)).toEqual(['t2', 't2', 't2']);
    expect(h.svc.journal({ tag: 'plant.*.t2' }, { limit: 1000, cursor: unit2.next!, order: 'asc' }).entries).toHaveLength(12);
    expect(h.svc.journal({ event: 'ack', user: 'olga' }, { limit: 1000 }).entries).toHaveLength(10);
    expect(h.svc.journal({ event: ['remove'] }).entries[0]).toMatchObject({ user: 'emre', comment: 'repair', to: 'G' });
    expect(h.svc.journal({ from: all[4].ts, to: all[8].ts }, { limit: 1000 }).entries.every((e) => e.ts >= all[4].ts && e.ts < all[8].ts)).toBe(true);
    expect(() => h.svc.journal({}, { limit: 0 })).toThrow(/^limit: /);
    expect(() => h.svc.journal({ tag: 'a..b' })).toThrow(/^tag: /);
  });
});
