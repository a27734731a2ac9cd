// Definition validation names the offending field.
import { describe, expect, it } from 'vitest';
import { AlarmDefinitionError, parseDefinition, parseDefinitions } from '../../../runtime/alarm';
import { settableLimitsOf } from '../../../runtime/alarm/limits';

function fieldOf(input: unknown): string {
  try {
    parseDefinition(input, 2);
  } catch (e) {
    expect(e).toBeInstanceOf(AlarmDefinitionError);
    expect((e as AlarmDefinitionError).index).toBe(2);
    return (e as AlarmDefinitionError).field;
  }
  throw new Error('expected a validation error');
}

const ok = { id: 'p1.hi', tag: 'acme.site.p1.pressure', type: 'HI', setpoint: 10 };

describe('alarm definitions', () => {
  it('fills defaults', () => {
    expect(parseDefinition(ok)).toEqual({
      ...ok, priority: 'medium', message: '', consequence: '', correctiveAction: '', onDelayMs: 0, offDelayMs: 0,
      reAlarmMs: 0, latching: false, maxShelveMs: 8 * 3_600_000, deadband: 0,
    });
    expect(parseDefinition({ id: 'd', tag: 'a.b', type: 'DISCRETE', equals: true })).toMatchObject({ equals: 1 });
  });

  it.each([
    [{ ...ok, id: '' }, 'id'],
    [{ ...ok, id: 'has space' }, 'id'],
    [{ ...ok, tag: 'bad..tag' }, 'tag'],
    [{ ...ok, type: 'HIGH' }, 'type'],
    [{ ...ok, setpoint: Number.NaN }, 'setpoint'],
    [{ ...ok, setpoint: undefined }, 'setpoint'],
    [{ ...ok, deadband: -1 }, 'deadband'],
    [{ ...ok, priority: 'critical' }, 'priority'],
    [{ ...ok, onDelayMs: 1.5 }, 'onDelayMs'],
    [{ ...ok, maxShelveMs: 0 }, 'maxShelveMs'],
    [{ ...ok, setPoint: 3 }, 'setPoint'],
    [{ ...ok, suppressWhen: { tag: 'a.b', value: 1 } }, 'suppressWhen.value'],
    [{ ...ok, suppressWhen: { tag: 'x..y' } }, 'suppressWhen.tag'],
    [{ id: 'd', tag: 'a.b', type: 'DISCRETE' }, 'equals'],
    [{ id: 'd', tag: 'a.b', type: 'DISCRETE', equals: 1, notEquals: 2 }, 'equals'],
    [{ id: 'd', tag: 'a.b', type: 'DEVIATION', setpointTag: 'a.sp', limit: 2, deadband: 2 }, 'deadband'],
    [{ id: 'd', tag: 'a.b', type: 'DEVIATION', limit: 2 }, 'setpointTag'],
    [{ id: 'd', tag: 'a.b', type: 'ROC', ratePerSecond: 0 }, 'ratePerSecond'],
  ])('rejects %j naming the field', (input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it('rejects non-objects and duplicate ids with the index', () => {
    expect(() => parseDefinitions([ok, 'x'])).toThrow('[1].definition: must be an object');
    expect(() => parseDefinitions([ok, ok])).toThrow('[1].id: duplicate alarm id "p1.hi"');
  });
});

describe('settable limits of a definition', () => {
  it('names them as PUT /alarms/{id}/limits takes them, delays and windows in seconds', () => {
    const base = { tag: 'a.b.c', onDelayMs: 2000, offDelayMs: 500 };
    expect(settableLimitsOf(parseDefinition({ ...base, id: 'h', type: 'HI', setpoint: 80, deadband: 1 })))
      .toEqual({ setpoint: 80, deadband: 1, onDelayS: 2, offDelayS: 0.5 });
    expect(settableLimitsOf(parseDefinition({ ...base, id: 'r', type: 'ROC', ratePerSecond: 0.5, windowMs: 30_000 })))
      .toEqual({ ratePerSecond: 0.5, windowS: 30, deadband: 0, onDelayS: 2, offDelayS: 0.5 });
    expect(settableLimitsOf(parseDefinition({ ...base, id: 'd', type: 'DEVIATION', setpointTag: 'a.b.sp', limit: 3 })))
      .toEqual({ limit: 3, deadband: 0, onDelayS: 2, offDelayS: 0.5 });
    expect(settableLimitsOf(parseDefinition({ id: 't', tag: 'a.b.trip', type: 'DISCRETE', equals: 1 }))).toEqual({ onDelayS: 0, offDelayS: 0 });
  });
});
