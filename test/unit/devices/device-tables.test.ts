// The pieces every device tag table shares (runtime/devices/tag-table.ts, poll-group.ts):
// the CSV form, the common columns and the poll period grammar.
import { describe, expect, it } from 'vitest';
import { parsePeriod, parsePolledTable, tableFromCsv, tableScaling, tableToCsv, TagTableError } from '../../../runtime/devices';

const COLUMNS = ['tag', 'group', 'address', 'scale'] as const;

describe('device tag tables', () => {
  it('reads CSV with columns in any order and case, quotes, ; separators and comments, and writes it back', () => {
    const rows = tableFromCsv('\uFEFF# plant A\nAddress;TAG;scale\n"a;b",line.t1,0.5\n\n7,line.t2,\n', { columns: COLUMNS, required: ['tag', 'address'] });
    expect(rows).toEqual([{ address: 'a;b', tag: 'line.t1', scale: '0.5' }, { address: '7', tag: 'line.t2', scale: '' }]);
    expect(tableToCsv(COLUMNS, [{ tag: 'line.t1', group: 'g', address: 'say "x"', scale: 2 }])).toBe('tag,group,address,scale\nline.t1,g,"say ""x""",2\n');
  });

  it('names the line or the column that is wrong', () => {
    expect(() => tableFromCsv('tag,adress\n', { columns: COLUMNS, required: ['tag'] })).toThrow('csv header: unknown column "adress" at position 2');
    expect(() => tableFromCsv('tag\n', { columns: COLUMNS, required: ['tag', 'address'] })).toThrow('csv header: column "address" is required');
    expect(() => tableFromCsv('tag\na,b\n', { columns: COLUMNS, required: ['tag'] })).toThrow('csv line 2: 2 cells but 1 columns');
    expect(tableFromCsv('tag\na,b\n', { columns: COLUMNS, required: ['tag'], strictWidth: false })).toEqual([{ tag: 'a' }]);
  });

  it('checks scale, offset and deadband and fills their defaults', () => {
    expect(tableScaling(0, {})).toEqual({ scale: 1, offset: 0, deadband: 0 });
    expect(tableScaling(0, { scale: '2', offset: '-1', deadband: 0.5 })).toEqual({ scale: 2, offset: -1, deadband: 0.5 });
    expect(() => tableScaling(3, { scale: 0 })).toThrow('tags[3].scale: must not be 0');
    expect(() => tableScaling(1, { deadband: -1 })).toThrow('tags[1].deadband: must be >= 0');
    expect(() => tableScaling(2, { offset: 'x' })).toThrow(TagTableError);
  });

  it('refuses a sample tag two rows produce and a group that does not exist', () => {
    const groups = [{ name: 'g', periodMs: 1000 }];
    const parse = (r: Record<string, unknown>, _row: number, group: string) => ({ tag: String(r.tag), group: String(r.group ?? group), n: Number(r.n ?? 1) });
    const expand = (t: { tag: string; n: number }) => (t.n === 1 ? [t.tag] : Array.from({ length: t.n }, (_, i) => `${t.tag}.${i}`));
    expect(parsePolledTable([{ tag: 'a.b' }], groups, parse, expand)).toEqual([{ tag: 'a.b', group: 'g', n: 1 }]);
    expect(() => parsePolledTable([{ tag: 'a', n: 2 }, { tag: 'a.1' }], groups, parse, expand)).toThrow('tags[1].tag: "a.1" appears twice');
    expect(() => parsePolledTable([{ tag: 'a', group: 'h' }], groups, parse, expand)).toThrow('tags[0].group: no poll group named "h" (groups: g)');
  });

  it('reads poll periods in the platform duration grammar, units in any case', () => {
    expect(parsePeriod('250')).toBe(250);
    expect(parsePeriod('1S')).toBe(1000);
    expect(parsePeriod('1m30s')).toBe(90_000);
    expect(parsePeriod('5 min')).toBe(300_000);
    expect(() => parsePeriod('soon', 'groups[0].period')).toThrow(/^groups\[0\]\.period: must be a duration/);
    expect(() => parsePeriod('', 'p')).toThrow(/^p: /);
  });
});
