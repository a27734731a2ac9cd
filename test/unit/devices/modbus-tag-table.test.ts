import { describe, expect, it } from 'vitest';
import { parseGroups, parsePeriod, parseTagTable, tagTableFromCsv, tagTableToCsv } from '../../../runtime/devices/modbus';

const groups = parseGroups([{ name: 'fast', period: '100ms' }, { name: 'slow', period: '1h' }]);

describe('modbus tag table', () => {
  it('parses CSV with defaults, any column order, comments, quotes and semicolons', () => {
    const csv = [
      '# pump skid',
      'Address,TAG,register,type,group,scale,offset,deadband,byteOrder,wordOrder,bit',
      '0,plant.p1.flow,holding,float32,fast,1,0,0.5,BE,LE,',
      '10;plant.p1.running;coil;;slow;;;;;;',
      '3,"plant.p1.alarm",holding,bit,fast,,,,,,4',
      '',
    ].join('\n');
    const tags = parseTagTable(tagTableFromCsv(csv), groups);
    expect(tags).toEqual([
      { tag: 'plant.p1.flow', group: 'fast', register: 'holding', address: 0, type: 'float32', bit: 0, byteOrder: 'BE', wordOrder: 'LE', scale: 1, offset: 0, deadband: 0.5 },
      { tag: 'plant.p1.running', group: 'slow', register: 'coil', address: 10, type: 'bool', bit: 0, byteOrder: 'BE', wordOrder: 'BE', scale: 1, offset: 0, deadband: 0 },
      { tag: 'plant.p1.alarm', group: 'fast', register: 'holding', address: 3, type: 'bit', bit: 4, byteOrder: 'BE', wordOrder: 'BE', scale: 1, offset: 0, deadband: 0 },
    ]);
    expect(parseTagTable(tagTableFromCsv(tagTableToCsv(tags)), groups)).toEqual(tags);
  });

  it('names the row and column of a bad cell', () => {
    const bad = (row: Record<string, unknown>) => () => parseTagTable([row], groups);
    expect(bad({ tag: 'a b', register: 'holding', address: 1 })).toThrow(/^tags\[0\]\.tag: /);
    expect(bad({ tag: 'a', register: 'memory', address: 1 })).toThrow(/^tags\[0\]\.register: /);
    expect(bad({ tag: 'a', register: 'holding', address: 70000 })).toThrow(/^tags\[0\]\.address: /);
    expect(bad({ tag: 'a', register: 'holding', address: 65535, type: 'float32' })).toThrow(/^tags\[0\]\.address: .*runs past/);
    expect(bad({ tag: 'a', register: 'coil', address: 1, type: 'int16' })).toThrow(/^tags\[0\]\.type: /);
    expect(bad({ tag: 'a', register: 'holding', address: 1, type: 'bit', bit: 16 })).toThrow(/^tags\[0\]\.bit: /);
    expect(bad({ tag: 'a', register: 'holding', address: 1, scale: 0 })).toThrow(/^tags\[0\]\.scale: /);
    expect(bad({ tag: 'a', register: 'holding', address: 1, byteOrder: 'middle' })).toThrow(/^tags\[0\]\.byteOrder: /);
    expect(bad({ tag: 'a', register: 'holding', address: 1, group: 'nope' })).toThrow(/^tags\[0\]\.group: no poll group named "nope"/);
    expect(() => parseTagTable([{ tag: 'a', register: 'holding', address: 1 }, { tag: 'a', register: 'holding', address: 2 }], groups)).toThrow(/^tags\[1\]\.tag: "a" appears twice/);
    expect(() => tagTableFromCsv('tag,register,adress\n')).toThrow(/unknown column "adress"/);
    expect(() => tagTableFromCsv('tag,address\n')).toThrow(/"register" is required/);
  });

  it('parses poll periods from 100 ms to hours', () => {
    expect(parsePeriod('100ms')).toBe(100);
    expect(parsePeriod('1.5 s')).toBe(1500);
    expect(parsePeriod('2h')).toBe(7_200_000);
    expect(parsePeriod(250)).toBe(250);
    expect(() => parseGroups([{ name: 'x', period: '50ms' }])).toThrow(/^groups\[0\]\.period: /);
    expect(() => parseGroups([{ name: 'x', period: 'soon' }])).toThrow(/^groups\[0\]\.period: /);
    expect(() => parseGroups([{ name: 'x y', period: '1s' }])).toThrow(/^groups\[0\]\.name: /);
    expect(() => parseGroups([])).toThrow(/^groups: /);
  });
});
