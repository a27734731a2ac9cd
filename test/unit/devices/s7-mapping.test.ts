// node-red-contrib-s7 cannot reach a PLC here: these tests use the message shapes its
// "s7 in" node produces (red/s7.js 3.1.3: sendMsg → {payload, topic}) and the status
// texts of its en-US locale ("online" shows the value, "offline", "connecting", "failure").
import { describe, expect, it } from 'vitest';
import { S7Mapper, variablesFromVartable } from '../../../runtime/devices/s7';
import { qualityName } from '../../../runtime/model';

const vartable = [{ name: 'Temp Tank#1', addr: 'DB1,REAL0' }, { name: 'Motor', addr: 'DB1,X4.0', tag: 'acme.line1.motor.running' }, { name: 'Levels', addr: 'DB1,INT6.3' }, { name: '', addr: '' }];

describe('s7 mapping', () => {
  it('maps the endpoint variable table to tag paths', () => {
    const vars = variablesFromVartable(JSON.stringify(vartable));
    expect(vars.length).toBe(3);
    const m = new S7Mapper('acme.s7', vars);
    expect(m.tagFor('Temp Tank#1')).toBe('acme.s7.Temp_Tank_1');
    expect(m.tagFor('Motor')).toBe('acme.line1.motor.running');
    expect(m.tagFor('Other.Var')).toBe('acme.s7.Other.Var');
    expect(() => new S7Mapper('acme.s7', [{ name: 'x', tag: 'bad tag' }])).toThrow(/^variables\[0\]\.tag: /);
  });

  it('converts single/all-split and "all" messages, arrays, booleans, dates; skips strings', () => {
    const m = new S7Mapper('s7', variablesFromVartable(vartable), () => 1000);
    expect(m.fromData({ topic: 'Temp Tank#1', payload: 21.25 }).samples).toEqual([{ tag: 's7.Temp_Tank_1', ts: 1000, value: 21.25, quality: 0 }]);
    const all = m.fromData({ topic: '', payload: { Motor: true, Levels: [1, 2, 3], 'Temp Tank#1': 22, Name: 'abc', Stamp: new Date(5000) } });
    expect(all.samples.map((s) => [s.tag, s.value])).toEqual([['acme.line1.motor.running', 1], ['s7.Levels.0', 1], ['s7.Levels.1', 2], ['s7.Levels.2', 3], ['s7.Temp_Tank_1', 22], ['s7.Stamp', 5000]]);
    expect(all.skipped).toEqual(['s7.Name']);
    expect(() => m.fromData({ topic: '', payload: 5 })).toThrow(/^msg\.topic: /);
  });

  it('turns offline/failure status into BAD once per tag, online into nothing', () => {
    const m = new S7Mapper('s7', [], () => 7);
    m.fromData({ topic: 'A', payload: 1 });
    m.fromData({ topic: 'B', payload: 2 });
    expect(m.fromStatus({ fill: 'green', shape: 'dot', text: '2' }).samples).toEqual([]);
    expect(m.fromStatus({ fill: 'yellow', shape: 'dot', text: 'connecting' }).samples).toEqual([]);
    const off = m.fromStatus({ fill: 'red', shape: 'dot', text: 'offline' });
    expect(off.samples.map((s) => [s.tag, s.value, qualityName(s.quality)])).toEqual([['s7.A', 1, 'BAD_NOT_CONNECTED'], ['s7.B', 2, 'BAD_NOT_CONNECTED']]);
    expect(m.fromStatus({ fill: 'red', shape: 'dot', text: 'offline' }).samples).toEqual([]);
    m.fromData({ topic: 'A', payload: 3 });
    expect(m.fromStatus({ fill: 'yellow', shape: 'dot', text: 'failure' }).samples.map((s) => qualityName(s.quality))).toEqual(['BAD_COMM_FAILURE', 'BAD_COMM_FAILURE']);
  });
});
