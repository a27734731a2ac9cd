import { describe, expect, it } from 'vitest';
import { StatusCodes } from 'node-opcua-status-code';
import { OpcuaMessageConverter, STATUS_QUALITY, statusToQuality, statusValue, tagFromNodeId } from '../../../runtime/devices/opcua';
import { qualityName } from '../../../runtime/model';

describe('OPC UA StatusCode → quality', () => {
  it('uses the codes node-opcua defines for every mapped sub-status', () => {
    for (const [name, code] of STATUS_QUALITY) expect((StatusCodes as any)[name].value, name).toBe(code);
  });

  it('maps sub-statuses and falls back to the class, ignoring info bits', () => {
    const q = (n: string) => qualityName(statusToQuality((StatusCodes as any)[n].value));
    expect(q('Good')).toBe('GOOD');
    expect(q('BadNotConnected')).toBe('BAD_NOT_CONNECTED');
    expect(q('BadSensorFailure')).toBe('BAD_SENSOR_FAILURE');
    expect(q('UncertainEngineeringUnitsExceeded')).toBe('UNCERTAIN_OOR');
    expect(q('UncertainInitialValue')).toBe('UNCERTAIN');
    expect(q('BadInternalError')).toBe('BAD');
    expect(q('GoodClamped')).toBe('GOOD');
    expect(qualityName(statusToQuality(0x40940000 | 0x0400 | 0x0100))).toBe('UNCERTAIN_OOR'); // DataValue info + limit bits
    expect(qualityName(statusToQuality(0xc0000000))).toBe('BAD');
  });

  it('reads status codes in every form messages carry them', () => {
    expect(statusValue(StatusCodes.BadSensorFailure)).toBe(0x808c0000);
    expect(statusValue({ value: 0x808c0000 })).toBe(0x808c0000);
    expect(statusValue(JSON.parse(JSON.stringify(StatusCodes.UncertainSubNormal)))).toBe(0x40950000);
    expect(statusValue('BadNotConnected')).toBe(0x808a0000);
    expect(statusValue(0x80000000)).toBe(0x80000000);
    expect(statusValue(undefined)).toBeUndefined();
  });
});

describe('node-red-contrib-opcua message converter', () => {
  // recorded shape of an OpcUa-Client "subscribe" output (102-opcuaclient.js, monitoredItem "changed")
  const msg = (over: Record<string, unknown> = {}) => ({
    topic: 'ns=3;s=Line1.Temp', payload: 21.5, statusCode: StatusCodes.Good,
    serverTimestamp: new Date(1_700_000_000_100), serverPicoseconds: 0, sourceTimestamp: new Date(1_700_000_000_000), sourcePicoseconds: 0, ...over,
  });

  it('turns data messages into samples with source timestamps and mapped qualities', () => {
    const c = new OpcuaMessageConverter('acme.opc', [{ nodeId: 'ns=3;s=Pump.Flow', tag: 'acme.line1.pump1.flow' }], () => 5);
    expect(c.convert(msg()).samples).toEqual([{ tag: 'acme.opc.Line1.Temp', ts: 1_700_000_000_000, value: 21.5, quality: 0 }]);
    expect(c.convert(msg({ topic: 'ns=3;s=Pump.Flow', payload: true, statusCode: StatusCodes.UncertainEngineeringUnitsExceeded })).samples[0])
      .toEqual({ tag: 'acme.line1.pump1.flow', ts: 1_700_000_000_000, value: 1, quality: 0x4001 });
    // bad status without a value keeps the last value; JSON-cloned status and ISO timestamps work
    const bad = c.convert(JSON.parse(JSON.stringify(msg({ payload: null, statusCode: StatusCodes.BadSensorFailure })))).samples[0];
    expect(bad).toEqual({ tag: 'acme.opc.Line1.Temp', ts: 1_700_000_000_000, value: 21.5, quality: 0x8002 });
    expect(c.convert(msg({ topic: 'ns=2;i=1001', sourceTimestamp: undefined, serverTimestamp: undefined })).samples[0]).toMatchObject({ tag: 'acme.opc.ns_2_i_1001', ts: 5 });
  });

  it('marks every known tag BAD_NOT_CONNECTED once on a client status message, and rejects bad input naming the field', () => {
    const c = new OpcuaMessageConverter('opc', [], () => 9);
    c.convert(msg());
    c.convert(msg({ topic: 'ns=3;s=B', payload: 2 }));
    expect(c.convert({ error: null, endpoint: 'opc.tcp://x', status: 'active subscribed' }).samples).toEqual([]);
    const r = c.convert({ error: 'x', endpoint: 'opc.tcp://x', status: 'disconnected' });
    expect(r.samples.map((s) => [s.tag, s.value, qualityName(s.quality), s.ts])).toEqual([['opc.Line1.Temp', 21.5, 'BAD_NOT_CONNECTED', 9], ['opc.B', 2, 'BAD_NOT_CONNECTED', 9]]);
    expect(c.convert({ error: 'x', endpoint: 'opc.tcp://x', status: 'connection error' }).samples).toEqual([]);
    expect(() => c.convert(msg({ payload: 'text' }))).toThrow(/^msg\.payload: /);
    expect(() => c.convert(msg({ topic: undefined }))).toThrow(/^msg\.topic: /);
    expect(tagFromNodeId('', 'ns=2;s=A/B.C')).toBe('A.B.C');
  });
});
