// The line writes wait in (write-turns.ts): a write waits only when it shares a tag with a
// write in line; turns end in the order they were taken; a tag is held until every turn
// holding it has ended.
import { describe, expect, it } from 'vitest';
import { WriteTurns } from '../../../runtime/tsdb/write-turns';

const tags = (...t: string[]) => t;

describe('write turns', () => {
  it('make a write wait only for a write in line that shares one of its tags', () => {
    const w = new WriteTurns();
    expect(w.mustWait(tags('a', 'a', 'b'), 3)).toBe(false); // nobody in line
    const t1 = w.take(tags('a', 'a', 'b', 'b'), 4);
    expect(t1.tags).toEqual(['a', 'b']);
    expect(w.mustWait(tags('c', 'd'), 2)).toBe(false);
    expect(w.mustWait(tags('c', 'b'), 2)).toBe(true);
    expect(w.mustWait(tags('c', 'b'), 1)).toBe(false); // only the first n rows count
    const t2 = w.take(tags('b', 'e'), 2);
    w.end(t1);
    expect(w.mustWait(tags('a'), 1)).toBe(false); // a's only holder ended
    expect(w.mustWait(tags('b'), 1)).toBe(true); // t2 still holds b
    expect(w.mustWait(tags('e'), 1)).toBe(true);
    w.end(t2);
    expect(w.mustWait(tags('b', 'e'), 2)).toBe(false);
  });

  it('start each turn once the turn before it has ended, in the order taken', async () => {
    const w = new WriteTurns();
    const order: string[] = [];
    const t1 = w.take(tags('a'), 1);
    const t2 = w.take(tags('a'), 1);
    const t3 = w.take(tags('b'), 1);
    const started = Promise.all([
      t1.after.then(() => order.push('1')),
      t2.after.then(() => order.push('2')),
      t3.after.then(() => order.push('3')),
    ]);
    await Promise.resolve();
    expect(order).toEqual(['1']); // the first turn had nobody before it
    w.end(t1);
    await t2.after;
    expect(order).toEqual(['1', '2']);
    w.end(t2);
    w.end(t3);
    await started;
    expect(order).toEqual(['1', '2', '3']);
    // the line is empty again: a new turn starts at once
    const t4 = w.take(tags('a'), 1);
    let t4Started = false;
    void t4.after.then(() => { t4Started = true; });
    await Promise.resolve();
    expect(t4Started).toBe(true);
    w.end(t4);
  });
});
