import { describe, expect, it } from 'vitest';
import { WeightedLru } from '../../../runtime/tsdb/lru';

describe('WeightedLru', () => {
  it('evicts least recently used entries beyond the weight budget', () => {
    const c = new WeightedLru<string, number>(10);
    c.set('a', 1, 4); c.set('b', 2, 4);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3, 4);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.weight).toBe(8);
    c.set('huge', 4, 11);
    expect(c.get('huge')).toBeUndefined();
    c.set('a', 5, 2);
    expect(c.get('a')).toBe(5);
    expect(c.weight).toBe(6);
  });
});
